//! A response: its head, and its body, which drives its connection while
//! it is read and gives the connection back to its pool once read to the
//! end.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};

use super::conn::{poll_driver, KeepAlive, Open};
use crate::error::{transport_error, Result};

/// A response whose head arrived; its body is read with [`HttpResponse::chunk`].
pub(crate) struct HttpResponse {
    pub status: u16,
    pub headers: http::HeaderMap,
    /// The request was sent a second time, on a fresh connection, after
    /// the kept connection it first went out on failed before any answer
    /// (see `pool`): the server may have acted on both.
    pub resent: bool,
    body: DrivenBody,
}

impl HttpResponse {
    pub(crate) fn new(
        head: http::response::Parts,
        body: hyper::body::Incoming,
        conn: Open,
        home: Arc<dyn KeepAlive>,
        resent: bool,
    ) -> HttpResponse {
        HttpResponse {
            status: head.status.as_u16(),
            headers: head.headers,
            resent,
            body: DrivenBody {
                body,
                conn: Some(conn),
                home,
            },
        }
    }

    /// The declared `Content-Length`, if any.
    pub(crate) fn content_length(&self) -> Option<u64> {
        self.body.body.size_hint().exact()
    }

    /// The next piece of the body, `None` at its end.
    pub(crate) async fn chunk(&mut self) -> Result<Option<Bytes>> {
        loop {
            let frame = std::future::poll_fn(|cx| Pin::new(&mut self.body).poll_frame(cx)).await;
            match frame {
                None => return Ok(None),
                Some(Err(e)) => return Err(transport_error(e)),
                Some(Ok(frame)) => {
                    if let Ok(data) = frame.into_data() {
                        if !data.is_empty() {
                            return Ok(Some(data));
                        }
                    }
                }
            }
        }
    }
}

/// A response body that drives its connection while it is read. Read to
/// the end, it gives the connection back; dropped before, the connection
/// closes with it (the rest of the body would be read by no one).
struct DrivenBody {
    body: hyper::body::Incoming,
    /// `None` once given back.
    conn: Option<Open>,
    home: Arc<dyn KeepAlive>,
}

impl Body for DrivenBody {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<std::result::Result<Frame<Bytes>, hyper::Error>>> {
        let this = &mut *self;
        if let Some(conn) = &mut this.conn {
            poll_driver(&mut conn.driver, cx);
        }
        let frame = Pin::new(&mut this.body).poll_frame(cx);
        if let Poll::Ready(None) = frame {
            // Reusable only while its driver runs.
            if let Some(conn) = this.conn.take().filter(|c| c.driver.is_some()) {
                this.home.give_back(conn);
            }
        }
        frame
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}
