use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use clap::Subcommand;

use crate::audit_trail;
use crate::commands::provisioning::tenant_by_slug;
use crate::db::Database;

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Recompute the tenant's hash chain; exits non-zero and names the first bad entry if broken.
    Verify {
        #[arg(long)]
        tenant: String,
    },
    /// Write the tenant's audit trail as JSON lines, oldest first.
    Export {
        #[arg(long)]
        tenant: String,
        /// File to write; standard output if omitted.
        #[arg(long)]
        output: Option<PathBuf>,
    },
}

pub fn run(db: &Database, command: AuditCommand) -> anyhow::Result<()> {
    let mut conn = db.get()?;
    match command {
        AuditCommand::Verify { tenant } => {
            let tenant = tenant_by_slug(&mut conn, &tenant)?;
            let report = audit_trail::verify(&mut conn, &tenant.id)?;
            println!("{}", serde_json::to_string(&report)?);
            match report.first_bad_seq {
                None => Ok(()),
                Some(seq) => anyhow::bail!("audit chain of `{}` is broken at entry {seq}", tenant.slug),
            }
        }
        AuditCommand::Export { tenant, output } => {
            let tenant = tenant_by_slug(&mut conn, &tenant)?;
            let mut out: Box<dyn Write> = match output {
                Some(path) => Box::new(BufWriter::new(File::create(path)?)),
                None => Box::new(BufWriter::new(std::io::stdout().lock())),
            };
            let written = audit_trail::export(&mut conn, &tenant.id, &mut out)?;
            eprintln!("{written} audit entries exported");
            Ok(())
        }
    }
}
