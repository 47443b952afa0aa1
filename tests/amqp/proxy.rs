//! A TCP proxy the test can cut, to take the broker or the database away from the service
//! without disturbing anyone else using the same servers.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::net::{TcpListener, TcpStream};
use tokio::task::AbortHandle;

pub struct Proxy {
    pub port: u16,
    state: Arc<State>,
    accept: AbortHandle,
}

#[derive(Default)]
struct State {
    refusing: AtomicBool,
    accepted: AtomicUsize,
    links: Mutex<Vec<AbortHandle>>,
}

impl Proxy {
    pub async fn start(target: &str) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let port = listener.local_addr().expect("address").port();
        let state = Arc::new(State::default());
        let (shared, target) = (Arc::clone(&state), target.to_owned());
        let accept = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                if shared.refusing.load(Ordering::SeqCst) {
                    continue;
                }
                shared.accepted.fetch_add(1, Ordering::SeqCst);
                let target = target.clone();
                let link = tokio::spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                shared.links.lock().unwrap().push(link.abort_handle());
            }
        })
        .abort_handle();
        Proxy { port, state, accept }
    }

    /// Drops every open connection; new ones are still accepted.
    pub fn sever(&self) {
        for link in self.state.links.lock().unwrap().drain(..) {
            link.abort();
        }
    }

    /// Drops every open connection and refuses new ones until [`Proxy::restore`].
    pub fn cut(&self) {
        self.state.refusing.store(true, Ordering::SeqCst);
        self.sever();
    }

    pub fn restore(&self) {
        self.state.refusing.store(false, Ordering::SeqCst);
    }

    /// Connections accepted so far.
    pub fn accepted(&self) -> usize {
        self.state.accepted.load(Ordering::SeqCst)
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.accept.abort();
        self.sever();
    }
}
