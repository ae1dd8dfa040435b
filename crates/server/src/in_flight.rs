use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::sync::Notify;

/// Counts MCP and gateway requests in progress (until their response has been sent), so
/// shutdown can let them finish before it closes the long-lived session streams.
#[derive(Clone, Default)]
pub struct InFlight {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    count: AtomicUsize,
    idle: Notify,
}

pub struct InFlightGuard {
    inner: Arc<Inner>,
}

impl InFlight {
    pub fn enter(&self) -> InFlightGuard {
        self.inner.count.fetch_add(1, Ordering::SeqCst);
        InFlightGuard {
            inner: self.inner.clone(),
        }
    }

    pub fn count(&self) -> usize {
        self.inner.count.load(Ordering::SeqCst)
    }

    /// Waits until no call is in progress, or `limit` has passed; returns whether idle.
    pub async fn wait_idle(&self, limit: Duration) -> bool {
        let wait = async {
            loop {
                let notified = self.inner.idle.notified();
                if self.count() == 0 {
                    return;
                }
                notified.await;
            }
        };
        tokio::time::timeout(limit, wait).await.is_ok()
    }
}

impl Drop for InFlightGuard {
    fn drop(&mut self) {
        if self.inner.count.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.inner.idle.notify_waiters();
        }
    }
}

/// Counts a POST from its arrival (the caller entered `guard` then) until its response body
/// has been sent (or the client went away): the body holds the guard. GET streams are
/// long-lived and not counted.
pub fn hold_until_sent(
    response: axum::response::Response,
    guard: InFlightGuard,
) -> axum::response::Response {
    response.map(|body| {
        axum::body::Body::new(Guarded {
            body,
            _guard: guard,
        })
    })
}

/// A response body that holds an [`InFlightGuard`] until it is dropped. It forwards every
/// frame and, unlike a stream wrapper, the body's size hint, so a whole answer keeps its
/// `content-length` instead of being sent chunked.
struct Guarded {
    body: axum::body::Body,
    _guard: InFlightGuard,
}

impl http_body::Body for Guarded {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        std::pin::Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}
