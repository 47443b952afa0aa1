use super::DbError;

/// Which database a URL names. Decided from the scheme so that a typo can never fall back to
/// creating an SQLite file called `postgress://…`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    pub backend: Backend,
    /// What the driver connects to: the URL for PostgreSQL, the file path for SQLite.
    pub target: String,
}

impl DatabaseUrl {
    pub fn parse(raw: &str) -> Result<Self, DbError> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(DbError::UnsupportedUrl("the database URL is empty".into()));
        }
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            return Ok(Self { backend: Backend::Postgres, target: raw.to_owned() });
        }
        if let Some(path) = raw.strip_prefix("sqlite://").or_else(|| raw.strip_prefix("sqlite:")) {
            return Self::sqlite(path);
        }
        if let Some((scheme, _)) = raw.split_once("://") {
            return Err(DbError::UnsupportedUrl(format!(
                "unknown scheme `{scheme}://`; use a postgres:// URL or an SQLite file path"
            )));
        }
        Self::sqlite(raw)
    }

    fn sqlite(path: &str) -> Result<Self, DbError> {
        if path.is_empty() || path == ":memory:" {
            // Every pooled connection would get its own empty in-memory database.
            return Err(DbError::UnsupportedUrl("SQLite needs a file path, not :memory:".into()));
        }
        Ok(Self { backend: Backend::Sqlite, target: path.to_owned() })
    }

    /// The URL with any password masked, for logs.
    pub fn redacted(&self) -> String {
        match self.backend {
            Backend::Sqlite => format!("sqlite:{}", self.target),
            Backend::Postgres => redact_password(&self.target),
        }
    }
}

fn redact_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let Some((userinfo, host)) = rest.split_once('@') else { return url.to_owned() };
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chooses_backend_from_scheme() {
        let pg = DatabaseUrl::parse("postgres://u@localhost/db").map(|u| u.backend);
        assert_eq!(pg.ok(), Some(Backend::Postgres));
        let file = DatabaseUrl::parse("data/oneprotect.db").map(|u| u.target);
        assert_eq!(file.ok().as_deref(), Some("data/oneprotect.db"));
        let prefixed = DatabaseUrl::parse("sqlite://x.db").map(|u| u.target);
        assert_eq!(prefixed.ok().as_deref(), Some("x.db"));
    }

    #[test]
    fn refuses_unknown_schemes_and_memory() {
        assert!(DatabaseUrl::parse("mysql://localhost/db").is_err());
        assert!(DatabaseUrl::parse(":memory:").is_err());
        assert!(DatabaseUrl::parse("").is_err());
    }

    #[test]
    fn masks_passwords() {
        let url = DatabaseUrl::parse("postgres://app:s3cret@db:5432/x").map(|u| u.redacted());
        assert_eq!(url.ok().as_deref(), Some("postgres://app:***@db:5432/x"));
    }
}
