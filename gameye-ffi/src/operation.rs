//! The non-blocking API: operations that run on the library's I/O threads
//! and complete through polling, waiting, or a completion queue that the host
//! drains on the thread of its choice (`operation/queue.rs`). `spawn.rs`
//! starts them.

use std::ffi::c_void;
use std::time::{Duration, Instant};

use self::queue::{Completion, GameyeQueue, QueueShared};
use crate::gate::Gate;
use crate::handle::BoxHandle;
use crate::panic::ffi_panic_boundary;
use crate::result::{failure, gameye_result_free, GameyeResult};
use crate::status::GameyeStatus;
use crate::sync::{self, lock, this_thread, Arc, Condvar, Mutex, ThreadId};

pub(crate) mod queue;

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
pub(crate) struct Callback {
    pub(crate) func: unsafe extern "C" fn(*mut c_void, *mut GameyeOperation),
    pub(crate) userdata: *mut c_void,
    pub(crate) queue: Option<Arc<QueueShared>>,
}
// SAFETY: the host promises the callback and userdata may be used from the
// thread that runs them (documented per registration mode).
unsafe impl Send for Callback {}

/// Where a running callback was started from: `cancel` waits only for
/// library-thread callbacks, `free` for both.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mode {
    /// Registered with queue NULL: runs on a library thread (or the completing one).
    Library,
    /// Run by `gameye_queue_drain`.
    Queue,
}

#[derive(Default)]
struct OpState {
    result: Option<ResultPtr>,
    done: bool,
    /// The handle was freed: no callback may start, an arriving result is dropped.
    freed: bool,
    callback: Option<Callback>,
    /// The handle's address, passed to the callback.
    handle: usize,
    /// The callbacks of this operation running right now, and on which thread.
    running: Vec<(ThreadId, Mode)>,
}

/// Run when a pending operation is cancelled or freed (a log read ends its stream).
pub(crate) type OnAbandon = Box<dyn FnOnce() + Send>;

pub(crate) struct OpShared {
    state: Mutex<OpState>,
    /// Signalled when the operation completes and when a callback returns.
    cond: Condvar,
    abort: Mutex<Option<tokio::task::AbortHandle>>,
    /// Closed by cancel and free, for operations that call back into the
    /// host while running (write callbacks): once closed, no callback runs.
    gate: Option<Gate>,
    on_abandon: Mutex<Option<OnAbandon>>,
}

impl OpShared {
    pub(crate) fn new(gate: Option<Gate>, on_abandon: Option<OnAbandon>) -> Arc<Self> {
        Arc::new(OpShared {
            state: Mutex::new(OpState::default()),
            cond: Condvar::new(),
            abort: Mutex::new(None),
            gate,
            on_abandon: Mutex::new(on_abandon),
        })
    }

    /// The task that cancel and free abort.
    pub(crate) fn set_abort(&self, task: tokio::task::AbortHandle) {
        *lock(&self.abort) = Some(task);
    }

    /// Waits until no callback of this operation that `stop` applies to runs
    /// on another thread (one running on this thread is the caller itself).
    fn wait_for_callbacks<'a>(
        &'a self,
        mut st: sync::MutexGuard<'a, OpState>,
        stop: impl Fn(Mode) -> bool,
    ) -> sync::MutexGuard<'a, OpState> {
        let me = this_thread();
        while st.running.iter().any(|&(t, m)| t != me && stop(m)) {
            st = sync::wait(&self.cond, st);
        }
        st
    }

    /// Runs a callback unless the handle was freed, marked as running so that
    /// free and cancel can wait for it. Takes the state's lock and releases it
    /// before calling. Returns whether it ran.
    fn run_callback(
        &self,
        mut st: sync::MutexGuard<'_, OpState>,
        func: unsafe extern "C" fn(*mut c_void, *mut GameyeOperation),
        userdata: *mut c_void,
        mode: Mode,
    ) -> bool {
        if st.freed {
            return false;
        }
        let me = this_thread();
        let handle = st.handle;
        st.running.push((me, mode));
        drop(st);
        /// Unmarks the callback however it ends.
        struct Ran<'a>(&'a OpShared, ThreadId, Mode);
        impl Drop for Ran<'_> {
            fn drop(&mut self) {
                let mut st = lock(&self.0.state);
                if let Some(i) = st.running.iter().position(|&e| e == (self.1, self.2)) {
                    st.running.swap_remove(i);
                }
                drop(st);
                self.0.cond.notify_all();
            }
        }
        let _ran = Ran(self, me, mode);
        // SAFETY: the host registered this callback for the thread of `mode`.
        unsafe { func(userdata, handle as *mut GameyeOperation) };
        true
    }

    /// Queues the callback, or runs it here when it has no queue (library-thread mode).
    fn deliver(this: &Arc<Self>, st: sync::MutexGuard<'_, OpState>, cb: Callback) {
        match cb.queue.clone() {
            Some(queue) => {
                // Pushed under the state lock, so whoever sees the operation
                // done (poll, wait) finds its callback already queued: a game
                // loop's next drain runs it. Lock order: operation, then queue
                // (a drain never holds the queue's lock while taking an
                // operation's).
                let handle = st.handle;
                queue.push(Box::new(Queued {
                    op: Arc::clone(this),
                    callback: cb,
                    handle,
                }));
                drop(st);
            }
            None => {
                this.run_callback(st, cb.func, cb.userdata, Mode::Library);
            }
        }
    }

    /// Records the outcome once; later outcomes (a cancel racing a finish)
    /// are freed. Then delivers the callback, if one is registered. Returns
    /// whether this outcome was recorded.
    pub(crate) fn complete(this: &Arc<Self>, result: ResultPtr) -> bool {
        let mut st = lock(&this.state);
        if st.done || st.freed {
            drop(st);
            // SAFETY: this result was never handed out.
            unsafe { gameye_result_free(result.0) };
            return false;
        }
        st.result = Some(result);
        st.done = true;
        this.cond.notify_all();
        if let Some(cb) = st.callback.take() {
            OpShared::deliver(this, st, cb);
        }
        true
    }

    /// Stops the running task: closes the gate (waiting for a host callback
    /// in progress on another thread, so none runs afterwards) and aborts the I/O.
    fn stop_task(&self) {
        if let Some(gate) = &self.gate {
            gate.close();
        }
        let abort = lock(&self.abort).take();
        if let Some(abort) = abort {
            abort.abort();
        }
    }

    /// Runs the abandon hook once (a pending operation was cancelled or freed).
    fn abandoned(&self) {
        let hook = lock(&self.on_abandon).take();
        if let Some(hook) = hook {
            hook();
        }
    }

    /// `gameye_operation_cancel`.
    pub(crate) fn cancel(this: &Arc<Self>) {
        this.stop_task();
        let cancelled = OpShared::complete(
            this,
            ResultPtr(failure(
                GameyeStatus::Cancelled,
                "cancelled: the operation was cancelled by the caller",
            )),
        );
        if cancelled {
            this.abandoned();
        }
        // A library-thread callback running elsewhere finishes first.
        drop(this.wait_for_callbacks(lock(&this.state), |m| m == Mode::Library));
    }

    /// `gameye_operation_free`, after the handle itself is gone.
    pub(crate) fn free(&self) {
        self.stop_task();
        let mut st = lock(&self.state);
        let pending = !st.done;
        st.freed = true;
        st.callback = None;
        // No callback starts now; one running on another thread finishes
        // (it may still take the result).
        let mut st = self.wait_for_callbacks(st, |_| true);
        let result = st.result.take();
        drop(st);
        if let Some(r) = result {
            // SAFETY: never handed out.
            unsafe { gameye_result_free(r.0) };
        }
        if pending {
            self.abandoned();
        }
    }

    /// `gameye_operation_set_callback` with a checked callback.
    pub(crate) fn set_callback(this: &Arc<Self>, cb: Callback) {
        let mut st = lock(&this.state);
        if st.done {
            OpShared::deliver(this, st, cb);
        } else {
            st.callback = Some(cb);
        }
    }

    pub(crate) fn is_done(&self) -> bool {
        lock(&self.state).done
    }

    pub(crate) fn take_result(&self) -> Option<ResultPtr> {
        lock(&self.state).result.take()
    }
}

/// An operation in flight or done. Created by the `*_async` functions, freed
/// with `gameye_operation_free` (at any time, also while pending).
pub struct GameyeOperation {
    pub(crate) shared: Arc<OpShared>,
}

// SAFETY: the handle is the `Box<GameyeOperation>` itself.
unsafe impl BoxHandle for GameyeOperation {
    type Owner = GameyeOperation;
}

impl GameyeOperation {
    /// A new handle for `shared`; the handle's address is what callbacks get.
    pub(crate) fn into_raw(shared: &Arc<OpShared>) -> *mut GameyeOperation {
        let handle = GameyeOperation::into_handle(Box::new(GameyeOperation {
            shared: Arc::clone(shared),
        }));
        lock(&shared.state).handle = handle as usize;
        handle
    }
}

/// The body of `gameye_operation_free` (without the panic boundary), under
/// the pointer contract: `op` is NULL or a live operation, freed once.
pub(crate) fn free_handle(op: *mut GameyeOperation) {
    let Some(op) = GameyeOperation::take(op) else {
        return;
    };
    // Waits for callbacks on other threads, which may still use the handle;
    // then the handle goes (the library never touches it after a callback).
    op.shared.free();
    drop(op);
}

/// A completion waiting in a queue: the operation, and the callback to run
/// on the draining thread.
struct Queued {
    op: Arc<OpShared>,
    callback: Callback,
    #[allow(dead_code)] // kept with the completion for debugging
    handle: usize,
}

impl Completion for Queued {
    fn run(self: Box<Self>) -> bool {
        // A freed operation's callback never runs.
        let st = lock(&self.op.state);
        self.op
            .run_callback(st, self.callback.func, self.callback.userdata, Mode::Queue)
    }
}

/// Whether the operation is done. Never blocks. NULL gives 0.
///
/// Thread safety: any thread, concurrently with other operation calls.
///
/// # Safety
/// `op` is NULL or a live operation.
#[no_mangle]
pub unsafe extern "C" fn gameye_operation_poll(op: *const GameyeOperation) -> i32 {
    ffi_panic_boundary!({
        GameyeOperation::borrow(op).map_or(0, |op| i32::from(op.shared.is_done()))
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
    ffi_panic_boundary!({
        GameyeOperation::borrow(op)
            .and_then(|op| op.shared.take_result())
            .map_or(std::ptr::null_mut(), |r| r.0)
    })
}

/// Waits until the operation is done or `timeout_ms` passes; returns 1 when
/// done, 0 on timeout (or for NULL). This is the one call of the non-blocking
/// API that blocks: do not call it on a game thread with a long timeout.
///
/// Thread safety: any thread, concurrently with other operation calls; also
/// from a callback on a library thread (the wait never stalls the I/O threads).
///
/// # Safety
/// `op` is NULL or a live operation.
#[no_mangle]
pub unsafe extern "C" fn gameye_operation_wait(op: *const GameyeOperation, timeout_ms: u64) -> i32 {
    ffi_panic_boundary!({
        let Some(op) = GameyeOperation::borrow(op) else {
            return 0;
        };
        let shared = &op.shared;
        let deadline = Instant::now() + Duration::from_millis(timeout_ms);
        sync::blocking(|| {
            let mut st = lock(&shared.state);
            while !st.done {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return 0;
                }
                st = shared
                    .cond
                    .wait_timeout(st, left)
                    .unwrap_or_else(|e| e.into_inner())
                    .0;
            }
            1
        })
    })
}

/// Cancels a pending operation: its I/O stops at once and it completes with
/// `GAMEYE_STATUS_CANCELLED`; its callback, if any, is delivered as for any
/// completion (with `queue` NULL: on this thread, before cancel returns). A
/// done operation is left as it is. NULL is fine. Never blocks on I/O.
///
/// When it returns, no download write callback of the operation is running or
/// will start, and no library-thread (queue NULL) completion callback of it is
/// running on another thread or will start. To give that promise it waits for
/// such a callback in progress on another thread: do not hold a lock that the
/// callback takes while calling it. Calling it from inside the operation's
/// own completion or write callback is fine (it does not wait for itself; a
/// download then stops and completes with `GAMEYE_STATUS_CANCELLED`).
///
/// Thread safety: any thread.
///
/// # Safety
/// `op` is NULL or a live operation.
#[no_mangle]
pub unsafe extern "C" fn gameye_operation_cancel(op: *mut GameyeOperation) {
    ffi_panic_boundary!({
        if let Some(op) = GameyeOperation::borrow(op) {
            let shared = Arc::clone(&op.shared);
            OpShared::cancel(&shared);
        }
    })
}

/// Frees an operation, at any time. A pending operation is cancelled first;
/// its callback will not run, even if already queued. A result not yet taken
/// is freed with it. NULL is fine. Must not be called twice. Never blocks on I/O.
///
/// When it returns, no callback of the operation (completion, in either mode,
/// or download write) is running on another thread, and none will start: it
/// waits for one in progress, so do not hold a lock that the callback takes
/// while calling it. Calling it from inside the operation's own completion or
/// write callback is fine: it does not wait for itself, and the library no
/// longer touches the handle once that callback returns (the callback must
/// not use `op` after freeing it).
///
/// Thread safety: any thread, but not concurrently with another call on the
/// same operation (except from inside its callbacks, as above).
///
/// # Safety
/// `op` is NULL or a live operation.
#[no_mangle]
pub unsafe extern "C" fn gameye_operation_free(op: *mut GameyeOperation) {
    ffi_panic_boundary!({ free_handle(op) })
}

/// Registers `callback` to run once when the operation completes (at once if
/// it already has). With a `queue`, the callback runs inside
/// `gameye_queue_drain(queue)`, on the thread that drains: never on a library
/// thread; once `gameye_operation_poll` or `gameye_operation_wait` has seen
/// the operation done, the next drain runs it. With `queue` NULL (opt-in), it runs on a library I/O thread as soon
/// as the operation completes (or on this thread, if already complete, or on
/// the thread that cancels it): the callback must then be thread-safe and
/// quick. A callback may call any libgameye function, blocking ones included:
/// a blocking call from a library thread works (the thread's other work moves
/// to another thread while it waits) and never deadlocks the client. A later
/// registration replaces an earlier one that has not run.
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
    ffi_panic_boundary!({
        let (Some(op), Some(func)) = (GameyeOperation::borrow(op), callback) else {
            return GameyeStatus::NullArgument;
        };
        let queue = GameyeQueue::borrow(queue).map(|q| Arc::clone(&q.shared));
        let shared = Arc::clone(&op.shared);
        OpShared::set_callback(
            &shared,
            Callback {
                func,
                userdata,
                queue,
            },
        );
        GameyeStatus::Ok
    })
}
