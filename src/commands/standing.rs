//! The acting user as the database has it now, for the administration commands: a request's
//! role may come from a token cache up to `server.token_cache_secs` old, and an admin disabled
//! or demoted meanwhile (through another instance) must not act, least of all to restore itself.

use super::{CommandContext, CommandError, Tx};
use crate::db::queries::users;
use crate::domain::actor::Actor;
use crate::domain::role::{Permission, Role};

/// Checked under the tenant's lock, so a concurrent demotion either precedes it or waits.
pub(super) fn require_current(
    tx: &mut Tx<'_>,
    ctx: &CommandContext,
    permission: Permission,
) -> Result<(), CommandError> {
    ctx.require(permission)?;
    let Actor::User { id, .. } = &ctx.actor else { return Ok(()) };
    let user = users::by_id(tx.conn, &tx.tenant.id, id)?
        .filter(|user| user.disabled_at.is_none())
        .ok_or_else(|| CommandError::Forbidden("this account is disabled".into()))?;
    let role =
        Role::parse(&user.role).ok_or_else(|| CommandError::Forbidden("this account's role is unknown".into()))?;
    if role.allows(permission) { Ok(()) } else { Err(CommandError::Forbidden(role.refusal(permission))) }
}
