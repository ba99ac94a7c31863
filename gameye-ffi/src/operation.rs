//! The non-blocking API: operations that run on the library's I/O threads
//! and complete through polling, waiting, or a completion queue that the host
//! drains on the thread of its choice.

use std::collections::VecDeque;
use std::ffi::c_void;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use gameye_core::Client;

use crate::panic::ffi_boundary;
use crate::result::{self, failure, gameye_result_free, GameyeResult};
use crate::status::GameyeStatus;

/// Called when an operation completes, with the `userdata` given at
/// registration and the operation itself. The callback may take the result
/// (`gameye_operation_take_result`) and may free the operation.
pub type GameyeCompletionCallback =
    Option<unsafe extern "C" fn(userdata: *mut c_void, operation: *mut GameyeOperation)>;

/// A result pointer that may cross threads: it is owned by exactly one side
/// at a time (the operation until taken, then the caller).
pub(crate) struct ResultPtr(pub *mut GameyeResult);
// SAFETY: a `GameyeResult` is plain owned memory with no thread affinity.
unsafe impl Send for ResultPtr {}

/// A callback with its userdata, run on the host's thread (queue) or a library thread.
struct Callback {
    func: unsafe extern "C" fn(*mut c_void, *mut GameyeOperation),
    userdata: *mut c_void,
    queue: Option<Arc<QueueShared>>,
}
// SAFETY: the host promises the callback and userdata may be used from the
// thread that runs them (documented per registration mode).
unsafe impl Send for Callback {}

#[derive(Default)]
struct OpState {
    result: Option<ResultPtr>,
    done: bool,
    /// The handle was freed: no callback may run, an arriving result is dropped.
    freed: bool,
    callback: Option<Callback>,
    /// The handle's address, passed to the callback.
    handle: usize,
}

pub(crate) struct OpShared {
    state: Mutex<OpState>,
    cond: Condvar,
    abort: Mutex<Option<tokio::task::AbortHandle>>,
    /// Closed by cancel and free, for operations that call back into the
    /// host while running (write callbacks): once closed, no callback runs.
    gate: Option<Gate>,
}

/// A gate the host's data callbacks pass through. Closing it waits for a
/// callback in progress, so none runs after `gameye_operation_cancel` or
/// `gameye_operation_free` return.
#[derive(Clone, Default)]
pub(crate) struct Gate(Arc<Mutex<bool>>);

impl Gate {
    /// Runs `f` unless the gate is closed; returns `None` when closed.
    pub(crate) fn pass<T>(&self, f: impl FnOnce() -> T) -> Option<T> {
        let closed = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if *closed {
            None
        } else {
            Some(f())
        }
    }

    fn close(&self) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = true;
    }
}

impl OpShared {
    fn lock(&self) -> MutexGuard<'_, OpState> {
        // A poisoned lock only means a panic elsewhere; the state stays usable.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Stops the running task: closes the gate (waiting for a host callback
    /// in progress, so none runs afterwards) and aborts the I/O.
    fn stop_task(&self) {
        if let Some(gate) = &self.gate {
            gate.close();
        }
        let abort = self.abort.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(abort) = abort {
            abort.abort();
        }
    }

    /// Records the outcome once; later outcomes (a cancel racing a finish)
    /// are freed. Then delivers the callback, if one is registered.
    fn complete(self: &Arc<Self>, result: ResultPtr) {
        let mut st = self.lock();
        if st.done || st.freed {
            drop(st);
            // SAFETY: this result was never handed out.
            unsafe { gameye_result_free(result.0) };
            return;
        }
        st.result = Some(result);
        st.done = true;
        self.cond.notify_all();
        let callback = st.callback.take();
        let handle = st.handle;
        drop(st);
        if let Some(cb) = callback {
            deliver(self, cb, handle);
        }
    }
}

/// Queues the callback, or runs it here when it has no queue (library-thread mode).
fn deliver(op: &Arc<OpShared>, cb: Callback, handle: usize) {
    match cb.queue.clone() {
        Some(queue) => queue.push(Completion {
            op: Arc::clone(op),
            callback: cb,
            handle,
        }),
        // SAFETY: the host registered this callback for library threads.
        None => unsafe { (cb.func)(cb.userdata, handle as *mut GameyeOperation) },
    }
}

/// An operation in flight or done. Created by the `*_async` functions, freed
/// with `gameye_operation_free` (at any time, also while pending).
pub struct GameyeOperation {
    shared: Arc<OpShared>,
}

struct Completion {
    op: Arc<OpShared>,
    callback: Callback,
    handle: usize,
}

pub(crate) struct QueueShared {
    items: Mutex<VecDeque<Completion>>,
    draining: std::sync::atomic::AtomicBool,
    /// Set when the queue's handle is freed: later completions are dropped.
    /// (A queued completion holds the queue through its callback; keeping
    /// none after the free breaks that cycle, so nothing leaks.)
    closed: std::sync::atomic::AtomicBool,
}

impl QueueShared {
    fn push(&self, c: Completion) {
        let mut items = self.items.lock().unwrap_or_else(|e| e.into_inner());
        if !self.closed.load(std::sync::atomic::Ordering::Acquire) {
            items.push_back(c);
        }
    }
}

/// A completion queue: callbacks registered with it run only inside
/// `gameye_queue_drain`, on the thread that calls it (a game loop, once per frame).
pub struct GameyeQueue {
    shared: Arc<QueueShared>,
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
    start_gated(client, None, work)
}

/// As [`start`], with a gate that cancel and free close before returning.
pub(crate) fn start_gated<F>(client: &Client, gate: Option<Gate>, work: F) -> *mut GameyeOperation
where
    F: Future<Output = ResultPtr> + Send + 'static,
{
    let shared = Arc::new(OpShared {
        state: Mutex::new(OpState::default()),
        cond: Condvar::new(),
        abort: Mutex::new(None),
        gate,
    });
    let handle = Box::into_raw(Box::new(GameyeOperation {
        shared: Arc::clone(&shared),
    }));
    shared.lock().handle = handle as usize;
    let task_shared = Arc::clone(&shared);
    let task = client.spawn_background(async move {
        let result = CatchUnwind(Box::pin(work)).await;
        task_shared.complete(result);
    });
    *shared.abort.lock().unwrap_or_else(|e| e.into_inner()) = Some(task.abort_handle());
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
    let shared = Arc::new(OpShared {
        state: Mutex::new(OpState::default()),
        cond: Condvar::new(),
        abort: Mutex::new(None),
        gate: Some(gate.clone()),
    });
    let handle = Box::into_raw(Box::new(GameyeOperation {
        shared: Arc::clone(&shared),
    }));
    shared.lock().handle = handle as usize;
    let task_shared = Arc::clone(&shared);
    let spawned = std::thread::Builder::new()
        .name("gameye-op".into())
        .spawn(move || {
            let result = std::panic::catch_unwind(AssertUnwindSafe(|| work(gate)))
                .unwrap_or_else(|payload| result::panicked(crate::panic::describe(&*payload)));
            task_shared.complete(ResultPtr(result));
        });
    if let Err(e) = spawned {
        shared.complete(ResultPtr(failure(
            GameyeStatus::Io,
            &format!("cannot start a thread for the operation: {e}"),
        )));
    }
    handle
}

impl Gate {
    /// Whether cancel or free closed the gate.
    pub(crate) fn is_closed(&self) -> bool {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// An operation that is already done with `result` (bad arguments).
pub(crate) fn done(result: *mut GameyeResult) -> *mut GameyeOperation {
    let shared = Arc::new(OpShared {
        state: Mutex::new(OpState::default()),
        cond: Condvar::new(),
        abort: Mutex::new(None),
        gate: None,
    });
    let handle = Box::into_raw(Box::new(GameyeOperation {
        shared: Arc::clone(&shared),
    }));
    shared.lock().handle = handle as usize;
    shared.complete(ResultPtr(result));
    handle
}

/// Unwraps an argument check inside an `_async` function: a bad argument
/// gives an operation that is already done with the error.
macro_rules! try_arg_op {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(result) => return $crate::operation::done(result),
        }
    };
}
pub(crate) use try_arg_op;

/// The operation for a caught panic in an `_async` function.
pub(crate) fn on_panic(message: String) -> *mut GameyeOperation {
    done(result::panicked(message))
}

/// Whether the operation is done. Never blocks. NULL gives 0.
///
/// Thread safety: any thread, concurrently with other operation calls.
///
/// # Safety
/// `op` is NULL or a live operation.
#[no_mangle]
pub unsafe extern "C" fn gameye_operation_poll(op: *const GameyeOperation) -> i32 {
    ffi_boundary!(|_| 0, {
        // SAFETY: as documented.
        unsafe { op.as_ref() }.map_or(0, |op| i32::from(op.shared.lock().done))
    })
}

/// Takes the result of a done operation: the same owned `GameyeResult` as the
/// blocking call gives, which the caller frees with `gameye_result_free`.
/// Returns NULL while the operation is pending, after the result was taken,
/// or for NULL. Never blocks.
///
/// Thread safety: any thread; exactly one caller gets the result.
///
/// # Safety
/// `op` is NULL or a live operation.
#[no_mangle]
pub unsafe extern "C" fn gameye_operation_take_result(
    op: *mut GameyeOperation,
) -> *mut GameyeResult {
    ffi_boundary!(|_| std::ptr::null_mut(), {
        // SAFETY: as documented.
        match unsafe { op.as_ref() } {
            Some(op) => op
                .shared
                .lock()
                .result
                .take()
                .map_or(std::ptr::null_mut(), |r| r.0),
            None => std::ptr::null_mut(),
        }
    })
}

/// Waits until the operation is done or `timeout_ms` passes; returns 1 when
/// done, 0 on timeout (or for NULL). This is the one call of the non-blocking
/// API that blocks: do not call it on a game thread with a long timeout.
///
/// Thread safety: any thread, concurrently with other operation calls.
///
/// # Safety
/// `op` is NULL or a live operation.
#[no_mangle]
pub unsafe extern "C" fn gameye_operation_wait(op: *const GameyeOperation, timeout_ms: u64) -> i32 {
    ffi_boundary!(|_| 0, {
        // SAFETY: as documented.
        let Some(op) = (unsafe { op.as_ref() }) else {
            return 0;
        };
        let deadline = Instant::now() + Duration::from_millis(timeout_ms);
        let mut st = op.shared.lock();
        while !st.done {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return 0;
            }
            st = op
                .shared
                .cond
                .wait_timeout(st, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        1
    })
}

/// Cancels a pending operation: its I/O stops at once and it completes with
/// `GAMEYE_STATUS_CANCELLED` (its callback, if any, is delivered as for any
/// completion). A done operation is left as it is. NULL is fine. Never
/// blocks on I/O (it only waits for a download write callback in progress).
///
/// Thread safety: any thread.
///
/// # Safety
/// `op` is NULL or a live operation.
#[no_mangle]
pub unsafe extern "C" fn gameye_operation_cancel(op: *mut GameyeOperation) {
    ffi_boundary!(|_| (), {
        // SAFETY: as documented.
        if let Some(op) = unsafe { op.as_ref() } {
            op.shared.stop_task();
            op.shared.complete(ResultPtr(failure(
                GameyeStatus::Cancelled,
                "cancelled: the operation was cancelled by the caller",
            )));
        }
    })
}

/// Frees an operation, at any time. A pending operation is cancelled first;
/// its callback will not run, even if already queued. A result not yet taken
/// is freed with it. NULL is fine. Must not be called twice. Never blocks on
/// I/O (it only waits for a download write callback in progress).
///
/// Thread safety: any thread, but not concurrently with another call on the
/// same operation.
///
/// # Safety
/// `op` is NULL or a live operation.
#[no_mangle]
pub unsafe extern "C" fn gameye_operation_free(op: *mut GameyeOperation) {
    ffi_boundary!(|_| (), {
        if op.is_null() {
            return;
        }
        // SAFETY: from an `_async` function, freed once.
        let op = unsafe { Box::from_raw(op) };
        op.shared.stop_task();
        let mut st = op.shared.lock();
        st.freed = true;
        st.callback = None;
        let result = st.result.take();
        drop(st);
        if let Some(r) = result {
            // SAFETY: never handed out.
            unsafe { gameye_result_free(r.0) };
        }
    })
}

/// Registers `callback` to run once when the operation completes (at once if
/// it already has). With a `queue`, the callback runs inside
/// `gameye_queue_drain(queue)`, on the thread that drains: never on a library
/// thread. With `queue` NULL (opt-in), it runs on a library I/O thread as soon
/// as the operation completes (or on this thread, if already complete): the
/// callback must then be thread-safe and quick. A later registration replaces
/// an earlier one that has not run.
///
/// Returns `GAMEYE_STATUS_OK`, or `GAMEYE_STATUS_NULL_ARGUMENT` for a NULL
/// `op` or `callback`.
/// Thread safety: any thread.
///
/// # Safety
/// `op` is NULL or a live operation; `queue` is NULL or a live queue (freeing
/// the queue later drops the callback); `callback` is safe to call with `userdata`
/// on the thread the mode above names.
#[no_mangle]
pub unsafe extern "C" fn gameye_operation_set_callback(
    op: *mut GameyeOperation,
    queue: *const GameyeQueue,
    callback: GameyeCompletionCallback,
    userdata: *mut c_void,
) -> GameyeStatus {
    ffi_boundary!(|_| GameyeStatus::Panic, {
        // SAFETY: as documented.
        let (Some(op), Some(func)) = (unsafe { op.as_ref() }, callback) else {
            return GameyeStatus::NullArgument;
        };
        // SAFETY: as documented.
        let queue = unsafe { queue.as_ref() }.map(|q| Arc::clone(&q.shared));
        let cb = Callback {
            func,
            userdata,
            queue,
        };
        let mut st = op.shared.lock();
        if st.done {
            let handle = st.handle;
            drop(st);
            deliver(&op.shared, cb, handle);
        } else {
            st.callback = Some(cb);
        }
        GameyeStatus::Ok
    })
}

/// Creates a completion queue. Free it with `gameye_queue_free`.
/// Thread safety: any thread.
#[no_mangle]
pub extern "C" fn gameye_queue_new() -> *mut GameyeQueue {
    ffi_boundary!(|_| std::ptr::null_mut(), {
        Box::into_raw(Box::new(GameyeQueue {
            shared: Arc::new(QueueShared {
                items: Mutex::new(VecDeque::new()),
                draining: std::sync::atomic::AtomicBool::new(false),
                closed: std::sync::atomic::AtomicBool::new(false),
            }),
        }))
    })
}

/// Runs the callbacks of completed operations registered with this queue, on
/// the calling thread, at most `max` of them (0 means all that are ready).
/// Never blocks on I/O. Returns how many callbacks ran.
///
/// Hazard: calling `gameye_queue_drain` on the same queue from inside one of
/// its callbacks does nothing and returns 0 (it never deadlocks).
/// Thread safety: any thread, but drain each queue from one thread at a time.
///
/// # Safety
/// `queue` is NULL or a live queue.
#[no_mangle]
pub unsafe extern "C" fn gameye_queue_drain(queue: *const GameyeQueue, max: usize) -> usize {
    use std::sync::atomic::Ordering;
    ffi_boundary!(|_| 0, {
        // SAFETY: as documented.
        let Some(queue) = (unsafe { queue.as_ref() }) else {
            return 0;
        };
        let q = &queue.shared;
        if q.draining.swap(true, Ordering::AcqRel) {
            return 0;
        }
        let mut ran = 0;
        while max == 0 || ran < max {
            let next = q
                .items
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .pop_front();
            let Some(c) = next else { break };
            // A freed operation's callback never runs.
            if c.op.lock().freed {
                continue;
            }
            // SAFETY: registered for this queue; runs on the draining thread.
            unsafe { (c.callback.func)(c.callback.userdata, c.handle as *mut GameyeOperation) };
            ran += 1;
        }
        q.draining.store(false, Ordering::Release);
        ran
    })
}

/// Frees a queue. Callbacks still queued, and those of operations that
/// complete later, are dropped without running (the operations themselves
/// complete normally and can still be polled, waited on and freed).
/// NULL is fine. Must not be called twice nor while another thread drains it.
///
/// # Safety
/// `queue` is NULL or a live queue.
#[no_mangle]
pub unsafe extern "C" fn gameye_queue_free(queue: *mut GameyeQueue) {
    ffi_boundary!(|_| (), {
        if !queue.is_null() {
            // SAFETY: from `gameye_queue_new`, freed once.
            let queue = unsafe { Box::from_raw(queue) };
            let q = &queue.shared;
            let dropped = {
                let mut items = q.items.lock().unwrap_or_else(|e| e.into_inner());
                q.closed.store(true, std::sync::atomic::Ordering::Release);
                std::mem::take(&mut *items)
            };
            // Dropped outside the lock: they hold the queue themselves.
            drop(dropped);
        }
    })
}
