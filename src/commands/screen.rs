//! The writer's side of an [`OrderFence`]: requests whose fence is tripped are answered
//! without being applied, and a failure that may go away trips the fence of its request.

use super::order_fence::OrderFence;
use super::{CommandError, Reply, Request};

/// The answer to a request refused because its fence is tripped.
fn refused() -> Reply {
    Err(CommandError::Unavailable("an earlier event of its stream was not applied; it will come again in order".into()))
}

/// Whether a failure may go away on its own: the request is worth trying again, in order.
pub fn is_transient(reply: &Reply) -> bool {
    matches!(reply, Err(CommandError::Storage(_) | CommandError::Unavailable(_)))
}

/// A unit of requests with those whose fence is already tripped taken out (and answered), so
/// only the rest is applied; [`Screened::merge`] puts the replies back together and trips the
/// fence of every request that failed in a way that may go away.
pub struct Screened {
    /// One slot per request of the unit: the refusal, or `None` for a request kept.
    slots: Vec<Option<Reply>>,
    fences: Vec<Option<OrderFence>>,
}

impl Screened {
    pub fn screen(requests: Vec<Request>) -> (Self, Vec<Request>) {
        let mut slots = Vec::with_capacity(requests.len());
        let (mut kept, mut fences) = (Vec::with_capacity(requests.len()), Vec::new());
        for request in requests {
            if request.fence.as_ref().is_some_and(OrderFence::is_tripped) {
                slots.push(Some(refused()));
            } else {
                slots.push(None);
                fences.push(request.fence.clone());
                kept.push(request);
            }
        }
        (Self { slots, fences }, kept)
    }

    /// `applied` holds the replies to the kept requests, or why their unit failed as a whole
    /// (then nothing is known about them, so all their fences trip).
    pub fn merge(self, applied: Result<Vec<Reply>, String>) -> Result<Vec<Reply>, String> {
        let applied = match applied {
            Ok(replies) => replies,
            Err(why) => {
                self.fences.iter().flatten().for_each(OrderFence::trip);
                return Err(why);
            }
        };
        for (reply, fence) in applied.iter().zip(&self.fences) {
            if let (true, Some(fence)) = (is_transient(reply), fence) {
                fence.trip();
            }
        }
        let mut applied = applied.into_iter();
        Ok(self.slots.into_iter().map(|slot| slot.or_else(|| applied.next()).unwrap_or_else(refused)).collect())
    }

    pub fn nothing_kept(&self) -> bool {
        self.fences.is_empty()
    }
}
