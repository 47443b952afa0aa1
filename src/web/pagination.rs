//! Keyset pagination: `?limit=` and an opaque `?cursor=` naming where the last page ended.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use super::error::ApiError;
use crate::domain::validation::FieldErrors;

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 500;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct PageRequest {
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

impl PageRequest {
    pub fn limit(&self) -> Result<i64, ApiError> {
        match self.limit {
            None => Ok(DEFAULT_LIMIT),
            Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
            Some(_) => Err(FieldErrors::single("limit", format!("must be between 1 and {MAX_LIMIT}")).into()),
        }
    }

    /// The position the cursor encodes, if a cursor was given.
    pub fn position(&self) -> Result<Option<String>, ApiError> {
        let Some(cursor) = self.cursor.as_deref().filter(|c| !c.is_empty()) else { return Ok(None) };
        URL_SAFE_NO_PAD
            .decode(cursor)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .map(Some)
            .ok_or_else(|| FieldErrors::single("cursor", "is not a cursor this API handed out").into())
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Every item at once: for lists that stay small (a tenant's users, tokens, webhooks).
    pub fn whole(items: impl IntoIterator<Item = impl Into<T>>) -> Self {
        Page { items: items.into_iter().map(Into::into).collect(), next_cursor: None }
    }

    /// `rows` were fetched with `limit + 1` (see [`take_page`]); the cursor is opaque.
    pub fn from_rows<R>(rows: Vec<R>, limit: i64, position: impl Fn(&R) -> String, view: impl Fn(R) -> T) -> Self {
        let (rows, next) = take_page(rows, limit, position);
        Page { items: rows.into_iter().map(view).collect(), next_cursor: next.map(|p| URL_SAFE_NO_PAD.encode(p)) }
    }
}

/// `rows` were fetched with `limit + 1`: the extra row only says that another page exists.
/// Returns the first `limit` rows and, when another page follows, the position of the last
/// of them, where the next page starts. The API wraps it in a cursor, the portal links it as is.
pub fn take_page<R>(mut rows: Vec<R>, limit: i64, position: impl Fn(&R) -> String) -> (Vec<R>, Option<String>) {
    let more = rows.len() as i64 > limit;
    rows.truncate(limit.max(0) as usize);
    let next = if more { rows.last().map(position) } else { None };
    (rows, next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_round_trips() {
        let page = Page::from_rows(vec!["c", "b", "a"], 2, |r| r.to_string(), |r| r);
        assert_eq!(page.items, ["c", "b"]);
        let request = PageRequest { limit: Some(2), cursor: page.next_cursor };
        assert_eq!(request.position().ok().flatten().as_deref(), Some("b"));
    }

    #[test]
    fn the_last_page_has_no_cursor() {
        let page = Page::from_rows(vec![1, 2], 2, |r| r.to_string(), |r| r);
        assert!(page.next_cursor.is_none());
    }

    #[test]
    fn a_page_ends_at_the_limit_and_names_its_last_row() {
        assert_eq!(take_page(vec![3, 2, 1], 2, |r| r.to_string()), (vec![3, 2], Some("2".to_owned())));
        assert_eq!(take_page(vec![3, 2], 2, |r| r.to_string()), (vec![3, 2], None));
    }

    #[test]
    fn bad_limits_and_cursors_are_refused() {
        assert!(PageRequest { limit: Some(0), cursor: None }.limit().is_err());
        assert!(PageRequest { limit: Some(501), cursor: None }.limit().is_err());
        assert!(PageRequest { limit: None, cursor: Some("%%%".into()) }.position().is_err());
    }
}
