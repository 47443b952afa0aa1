//! Reading the audit chain back: verification and JSON-lines export, in pages so a long chain
//! never has to fit in memory.

use std::io::Write;

use diesel::QueryResult;
use serde::Serialize;

use crate::db::DbConnection;
use crate::db::queries::audit;
use crate::domain::audit::{GENESIS_HASH, first_broken};

const PAGE: i64 = 1_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct VerifyReport {
    pub ok: bool,
    pub entries: i64,
    pub first_bad_seq: Option<i64>,
}

/// Recomputes the tenant's whole chain and names the first entry that does not fit.
pub fn verify(conn: &mut DbConnection, tenant_id: &str) -> QueryResult<VerifyReport> {
    let mut prev = GENESIS_HASH.to_owned();
    let mut next_seq = 1;
    let mut count = 0;
    loop {
        let page = audit::in_chain_order(conn, tenant_id, next_seq - 1, PAGE)?;
        let Some(last) = page.last() else { break };
        let (last_seq, last_hash) = (last.seq, last.hash.clone());
        let len = page.len() as i64;
        if let Some(bad) = first_broken(page, prev, next_seq) {
            return Ok(VerifyReport {
                ok: false,
                entries: count + (bad - next_seq).max(0) + 1,
                first_bad_seq: Some(bad),
            });
        }
        count += len;
        prev = last_hash;
        next_seq = last_seq + 1;
    }
    Ok(VerifyReport { ok: true, entries: count, first_bad_seq: None })
}

/// Writes every entry, oldest first, one JSON object per line; returns how many.
pub fn export(conn: &mut DbConnection, tenant_id: &str, out: &mut impl Write) -> anyhow::Result<u64> {
    let mut after = 0;
    let mut written = 0;
    loop {
        let page = audit::in_chain_order(conn, tenant_id, after, PAGE)?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        for entry in page {
            let view = crate::views::AuditEntryView::from(entry);
            serde_json::to_writer(&mut *out, &view)?;
            out.write_all(b"\n")?;
            written += 1;
        }
    }
    out.flush()?;
    Ok(written)
}
