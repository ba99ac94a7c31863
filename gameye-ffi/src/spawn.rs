//! Starting operations: on a client's I/O threads (`start_call` for a core
//! call, `start` / `start_with` for other work), on a thread of their own
//! (`start_thread`), or already done (`done`, for bad arguments and panics).

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::task::{Context, Poll};

use gameye_core::Client;

use crate::gate::Gate;
use crate::operation::{GameyeOperation, OnAbandon, OpShared, ResultPtr};
use crate::panic::PanicFallback;
use crate::result::{self, failure, GameyeResult};
use crate::status::GameyeStatus;
use crate::sync::Arc;

/// A panic in an `_async` function gives an operation that is already done
/// with `GAMEYE_STATUS_PANIC` (never NULL).
impl PanicFallback for *mut GameyeOperation {
    fn fallback(message: String) -> Self {
        on_panic(message)
    }
}

/// Catches a panic inside a future, so an operation completes with
/// `GAMEYE_STATUS_PANIC` instead of never completing.
struct CatchUnwind<F>(Pin<Box<F>>);

impl<F: Future<Output = ResultPtr>> Future for CatchUnwind<F> {
    type Output = ResultPtr;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<ResultPtr> {
        let fut = self.0.as_mut();
        match std::panic::catch_unwind(AssertUnwindSafe(|| fut.poll(cx))) {
            Ok(poll) => poll,
            Err(payload) => Poll::Ready(ResultPtr(result::panicked(crate::panic::describe(
                &*payload,
            )))),
        }
    }
}

/// Starts `work` on the client's I/O threads and returns its operation handle.
pub(crate) fn start<F>(client: &Client, work: F) -> *mut GameyeOperation
where
    F: Future<Output = ResultPtr> + Send + 'static,
{
    start_with(client, None, None, work)
}

/// As [`start`], with a gate that cancel and free close before returning,
/// and a hook that runs when the operation is cancelled or freed while pending.
pub(crate) fn start_with<F>(
    client: &Client,
    gate: Option<Gate>,
    on_abandon: Option<OnAbandon>,
    work: F,
) -> *mut GameyeOperation
where
    F: Future<Output = ResultPtr> + Send + 'static,
{
    let shared = OpShared::new(gate, on_abandon);
    let handle = GameyeOperation::into_raw(&shared);
    let task_shared = Arc::clone(&shared);
    let task = client.spawn_background(async move {
        let result = CatchUnwind(Box::pin(work)).await;
        OpShared::complete(&task_shared, result);
    });
    shared.set_abort(task.abort_handle());
    handle
}

/// Starts a core call on the client's I/O threads: `call` gets a handle of
/// the client and returns the core's future; `fill` lays its value out in
/// the operation's result, as the blocking twin's result would have it.
pub(crate) fn start_call<T, Fut, Fill>(
    client: &crate::GameyeClient,
    call: impl FnOnce(Client) -> Fut,
    fill: Fill,
) -> *mut GameyeOperation
where
    T: 'static,
    Fut: Future<Output = gameye_core::Result<gameye_core::Response<T>>> + Send + 'static,
    Fill: FnOnce(&mut crate::result::ResultAlloc, &T) + Send + 'static,
{
    let fut = call(client.client.clone());
    start(&client.client, async move {
        ResultPtr(result::from_core(fut.await, fill))
    })
}

/// Starts `work` on a thread of its own, for work that needs no client (a
/// ping). Cancel and free close `gate`; `work` checks it to stop early.
pub(crate) fn start_thread<W>(gate: Gate, work: W) -> *mut GameyeOperation
where
    W: FnOnce(Gate) -> *mut GameyeResult + Send + 'static,
{
    let shared = OpShared::new(Some(gate.clone()), None);
    let handle = GameyeOperation::into_raw(&shared);
    let task_shared = Arc::clone(&shared);
    let spawned = std::thread::Builder::new()
        .name("gameye-op".into())
        .spawn(move || {
            let result = std::panic::catch_unwind(AssertUnwindSafe(|| work(gate)))
                .unwrap_or_else(|payload| result::panicked(crate::panic::describe(&*payload)));
            OpShared::complete(&task_shared, ResultPtr(result));
        });
    if let Err(e) = spawned {
        OpShared::complete(
            &shared,
            ResultPtr(failure(
                GameyeStatus::Io,
                &format!("cannot start a thread for the operation: {e}"),
            )),
        );
    }
    handle
}

/// An operation that is already done with `result` (bad arguments).
pub(crate) fn done(result: *mut GameyeResult) -> *mut GameyeOperation {
    let shared = OpShared::new(None, None);
    let handle = GameyeOperation::into_raw(&shared);
    OpShared::complete(&shared, ResultPtr(result));
    handle
}

/// Unwraps an argument check inside an `_async` function: a bad argument
/// gives an operation that is already done with the error.
macro_rules! try_arg_op {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(result) => return $crate::spawn::done(result),
        }
    };
}
pub(crate) use try_arg_op;

/// The operation for a caught panic in an `_async` function.
pub(crate) fn on_panic(message: String) -> *mut GameyeOperation {
    done(result::panicked(message))
}
