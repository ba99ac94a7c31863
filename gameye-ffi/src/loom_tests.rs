//! loom model checks of the state machines behind the C ABI's lifetime
//! promises: operations (complete / set_callback / cancel / free, with
//! callbacks on library threads and from a queue's drain, and calls made from
//! inside those callbacks), queues (drain / queue_free, also inside a drain),
//! the download write gate, and the cancel hook of a pending log read (the
//! log follower's own states are checked in gameye-core's
//! `log_follower/loom_tests.rs`).
//!
//! Run: `RUSTFLAGS="--cfg gameye_loom" CARGO_TARGET_DIR=target/loom
//! cargo test -p gameye-ffi --release --lib loom` (`scripts/test.sh` does).
//! loom explores every interleaving of the threads below and fails on a violated assertion, a
//! deadlock, or a leaked `Arc` (a queue/operation cycle).

use std::ffi::c_void;

use loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use loom::sync::Arc;
use loom::thread;

use crate::gate::Gate;
use crate::operation::queue::QueueShared;
use crate::operation::{free_handle, Callback, GameyeOperation, OpShared, ResultPtr};
use crate::result::{failure, gameye_result_free, ok};
use crate::status::GameyeStatus;

/// What a test callback records. Shared with the callback through `userdata`.
#[derive(Default)]
struct Probe {
    started: AtomicUsize,
    finished: AtomicUsize,
    /// Set by a test thread once free/cancel returned: no callback may start after.
    stopped: AtomicBool,
    late: AtomicUsize,
    /// The operation handle, for callbacks that free or cancel their own operation.
    handle: AtomicUsize,
    /// What the callback does to its own operation: 0 nothing, 1 free, 2 cancel.
    action: AtomicUsize,
    /// For queue tests: the queue the callback frees (a `*mut` of a boxed handle).
    queue: AtomicUsize,
}

unsafe extern "C" fn probe_callback(userdata: *mut c_void, op: *mut GameyeOperation) {
    // SAFETY: the tests pass a live `Probe`.
    let probe = unsafe { &*(userdata as *const Probe) };
    if probe.stopped.load(SeqCst) {
        probe.late.fetch_add(1, SeqCst);
    }
    probe.started.fetch_add(1, SeqCst);
    // Uses the handle: freed memory if free did not wait for this callback.
    // SAFETY: the handle is live while its callback runs.
    let result = unsafe { (*op).shared.take_result() };
    if let Some(r) = result {
        // SAFETY: taken once.
        unsafe { gameye_result_free(r.0) };
    }
    match probe.action.load(SeqCst) {
        // The callback's own operation, freed once (the test does not).
        1 => free_handle(op),
        // SAFETY: the callback's own operation, live during the callback.
        2 => unsafe { OpShared::cancel(&(*op).shared) },
        _ => {}
    }
    let queue = probe.queue.swap(0, SeqCst);
    if queue != 0 {
        // SAFETY: a boxed queue handle the test leaves to this callback.
        let queue = unsafe { Box::from_raw(queue as *mut Arc<QueueShared>) };
        queue.close();
    }
    probe.finished.fetch_add(1, SeqCst);
}

fn probe_ptr(probe: &Arc<Probe>) -> *mut c_void {
    &**probe as *const Probe as *mut c_void
}

fn library_callback(probe: &Arc<Probe>) -> Callback {
    Callback {
        func: probe_callback,
        userdata: probe_ptr(probe),
        queue: None,
    }
}

fn new_op() -> (Arc<OpShared>, usize) {
    let shared = OpShared::new(None, None);
    let handle = GameyeOperation::into_raw(&shared) as usize;
    (shared, handle)
}

fn ok_result() -> ResultPtr {
    ResultPtr(ok())
}

// SAFETY (for the `Send` of the raw handles below): handles are passed as
// `usize`; each test frees each handle exactly once.

#[test]
fn loom_free_waits_for_a_library_thread_callback() {
    loom::model(|| {
        let (op, handle) = new_op();
        let probe = Arc::new(Probe::default());
        OpShared::set_callback(&op, library_callback(&probe));
        let completer = {
            let op = Arc::clone(&op);
            thread::spawn(move || {
                OpShared::complete(&op, ok_result());
            })
        };
        // Freed once.
        free_handle(handle as *mut GameyeOperation);
        // Once free returned, the callback is not running...
        assert_eq!(probe.started.load(SeqCst), probe.finished.load(SeqCst));
        probe.stopped.store(true, SeqCst);
        completer.join().unwrap();
        // ...and never started afterwards.
        assert_eq!(probe.late.load(SeqCst), 0);
    });
}

#[test]
fn loom_cancel_waits_for_a_library_thread_callback() {
    loom::model(|| {
        let (op, handle) = new_op();
        let probe = Arc::new(Probe::default());
        OpShared::set_callback(&op, library_callback(&probe));
        let completer = {
            let op = Arc::clone(&op);
            thread::spawn(move || {
                OpShared::complete(&op, ok_result());
            })
        };
        OpShared::cancel(&op);
        assert_eq!(probe.started.load(SeqCst), probe.finished.load(SeqCst));
        probe.stopped.store(true, SeqCst);
        completer.join().unwrap();
        assert_eq!(probe.late.load(SeqCst), 0);
        // Delivered exactly once: by the completion or by the cancel.
        assert_eq!(probe.finished.load(SeqCst), 1);
        // Freed once.
        free_handle(handle as *mut GameyeOperation);
    });
}

#[test]
fn loom_set_callback_races_completion_and_free() {
    loom::model(|| {
        let (op, handle) = new_op();
        let probe = Arc::new(Probe::default());
        let completer = {
            let op = Arc::clone(&op);
            thread::spawn(move || {
                OpShared::complete(&op, ok_result());
            })
        };
        let registrar = {
            let (op, probe) = (Arc::clone(&op), Arc::clone(&probe));
            thread::spawn(move || OpShared::set_callback(&op, library_callback(&probe)))
        };
        registrar.join().unwrap();
        // Freed once.
        free_handle(handle as *mut GameyeOperation);
        assert_eq!(probe.started.load(SeqCst), probe.finished.load(SeqCst));
        probe.stopped.store(true, SeqCst);
        completer.join().unwrap();
        assert_eq!(probe.late.load(SeqCst), 0);
        assert!(probe.finished.load(SeqCst) <= 1);
    });
}

#[test]
fn loom_free_or_cancel_from_inside_the_own_callback() {
    for action in [1, 2] {
        loom::model(move || {
            let (op, handle) = new_op();
            let probe = Arc::new(Probe::default());
            probe.handle.store(handle, SeqCst);
            probe.action.store(action, SeqCst);
            OpShared::set_callback(&op, library_callback(&probe));
            let completer = {
                let op = Arc::clone(&op);
                thread::spawn(move || {
                    OpShared::complete(&op, ok_result());
                })
            };
            // A cancel racing the completion from another thread.
            OpShared::cancel(&op);
            completer.join().unwrap();
            assert_eq!(probe.finished.load(SeqCst), 1);
            if action == 2 {
                // Freed once (the callback only cancelled).
                free_handle(handle as *mut GameyeOperation);
            }
        });
    }
}

/// An operation with a probe callback registered on a new queue, and a
/// thread completing it: (queue, operation, handle, probe, completer).
fn completing_with_a_queued_callback() -> (
    Arc<QueueShared>,
    Arc<OpShared>,
    usize,
    Arc<Probe>,
    thread::JoinHandle<()>,
) {
    let queue = QueueShared::new();
    let (op, handle) = new_op();
    let probe = Arc::new(Probe::default());
    OpShared::set_callback(
        &op,
        Callback {
            func: probe_callback,
            userdata: probe_ptr(&probe),
            queue: Some(Arc::clone(&queue)),
        },
    );
    let completer = {
        let op = Arc::clone(&op);
        thread::spawn(move || {
            OpShared::complete(&op, ok_result());
        })
    };
    (queue, op, handle, probe, completer)
}

#[test]
fn loom_queue_drain_races_free_of_the_operation() {
    loom::model(|| {
        let (queue, _op, handle, probe, completer) = completing_with_a_queued_callback();
        let drainer = {
            let queue = Arc::clone(&queue);
            thread::spawn(move || queue.drain(0))
        };
        // Freed once.
        free_handle(handle as *mut GameyeOperation);
        assert_eq!(probe.started.load(SeqCst), probe.finished.load(SeqCst));
        probe.stopped.store(true, SeqCst);
        completer.join().unwrap();
        drainer.join().unwrap();
        assert_eq!(queue.drain(0), 0, "a freed operation's callback never runs");
        assert_eq!(probe.late.load(SeqCst), 0);
        queue.close();
    });
}

#[test]
fn loom_done_means_the_callback_is_queued() {
    // A game loop that polls, sees the operation done, then drains must run
    // the callback in that drain (the push happens before "done" is visible).
    loom::model(|| {
        let (queue, op, handle, probe, completer) = completing_with_a_queued_callback();
        if op.is_done() {
            assert_eq!(queue.drain(0), 1, "done, yet its callback was not queued");
        }
        completer.join().unwrap();
        queue.drain(0);
        assert_eq!(probe.finished.load(SeqCst), 1);
        // Freed once.
        free_handle(handle as *mut GameyeOperation);
        queue.close();
    });
}

#[test]
fn loom_queue_free_inside_its_own_drain() {
    loom::model(|| {
        let queue = QueueShared::new();
        let probe = Arc::new(Probe::default());
        // The callback frees the queue's handle (the test's own reference).
        let handle_ref = Box::into_raw(Box::new(Arc::clone(&queue)));
        probe.queue.store(handle_ref as usize, SeqCst);
        let mut ops = Vec::new();
        for _ in 0..2 {
            let (op, handle) = new_op();
            OpShared::set_callback(
                &op,
                Callback {
                    func: probe_callback,
                    userdata: probe_ptr(&probe),
                    queue: Some(Arc::clone(&queue)),
                },
            );
            OpShared::complete(&op, ok_result());
            ops.push(handle);
        }
        // A third completes while the drain runs.
        let (late_op, late_handle) = new_op();
        OpShared::set_callback(
            &late_op,
            Callback {
                func: probe_callback,
                userdata: probe_ptr(&probe),
                queue: Some(Arc::clone(&queue)),
            },
        );
        let completer = thread::spawn(move || {
            OpShared::complete(&late_op, ok_result());
        });
        let ran = queue.drain(0);
        completer.join().unwrap();
        assert_eq!(
            ran, 1,
            "the drain stops after the callback that freed the queue"
        );
        assert_eq!(probe.finished.load(SeqCst), 1);
        for handle in ops.into_iter().chain([late_handle]) {
            // Freed once each.
            free_handle(handle as *mut GameyeOperation);
        }
        // Nothing was left in the queue to keep it alive (loom checks for leaks).
    });
}

#[test]
fn loom_gate_close_waits_for_a_write_and_refuses_later_ones() {
    loom::model(|| {
        let gate = Gate::default();
        let closed = Arc::new(AtomicBool::new(false));
        let writes_after = Arc::new(AtomicUsize::new(0));
        let writer = {
            let (gate, closed, writes_after) =
                (gate.clone(), Arc::clone(&closed), Arc::clone(&writes_after));
            thread::spawn(move || {
                for _ in 0..2 {
                    gate.pass(|| {
                        if closed.load(SeqCst) {
                            writes_after.fetch_add(1, SeqCst);
                        }
                    });
                }
            })
        };
        gate.close();
        closed.store(true, SeqCst);
        writer.join().unwrap();
        assert_eq!(writes_after.load(SeqCst), 0);
    });
}

#[test]
fn loom_gate_closed_from_inside_a_write() {
    loom::model(|| {
        let gate = Gate::default();
        let other = {
            let gate = gate.clone();
            thread::spawn(move || gate.close())
        };
        // Closing from inside the callback (cancel in a write callback) never
        // waits for itself; the next write is refused.
        let inner = gate.clone();
        gate.pass(move || inner.close());
        assert!(gate.pass(|| ()).is_none());
        other.join().unwrap();
    });
}

#[test]
fn loom_cancelled_download_op_closes_the_gate() {
    loom::model(|| {
        let gate = Gate::default();
        let op = OpShared::new(Some(gate.clone()), None);
        let handle = GameyeOperation::into_raw(&op) as usize;
        let writes_after = Arc::new(AtomicUsize::new(0));
        let stopped = Arc::new(AtomicBool::new(false));
        let task = {
            let (op, gate, writes_after, stopped) = (
                Arc::clone(&op),
                gate.clone(),
                Arc::clone(&writes_after),
                Arc::clone(&stopped),
            );
            thread::spawn(move || {
                // The download task: a write, then its outcome.
                let wrote = gate.pass(|| {
                    if stopped.load(SeqCst) {
                        writes_after.fetch_add(1, SeqCst);
                    }
                });
                let result = if wrote.is_some() {
                    ok()
                } else {
                    failure(GameyeStatus::Cancelled, "cancelled")
                };
                OpShared::complete(&op, ResultPtr(result));
            })
        };
        OpShared::cancel(&op);
        stopped.store(true, SeqCst);
        task.join().unwrap();
        assert_eq!(writes_after.load(SeqCst), 0);
        // Freed once.
        free_handle(handle as *mut GameyeOperation);
    });
}

/// A pending `gameye_log_stream_next_async`: its cancel hook closes the
/// log stream (the core's `LogFollower`, whose own states loom checks in
/// gameye-core). The hook runs only while the read is pending, so a read
/// that completed first leaves the stream open.
#[test]
fn loom_cancelling_a_pending_read_ends_the_stream() {
    loom::model(|| {
        let closed = Arc::new(AtomicBool::new(false));
        let hook_closed = Arc::clone(&closed);
        let op = OpShared::new(
            None,
            Some(Box::new(move || hook_closed.store(true, SeqCst))),
        );
        let handle = GameyeOperation::into_raw(&op) as usize;
        let task = {
            let op = Arc::clone(&op);
            thread::spawn(move || OpShared::complete(&op, ok_result()))
        };
        OpShared::cancel(&op);
        let delivered = task.join().unwrap();
        // SAFETY: the handle is live.
        let result = unsafe { (*(handle as *mut GameyeOperation)).shared.take_result() }
            .expect("a cancelled or completed operation has a result");
        // SAFETY: taken once; read before freeing.
        let status = unsafe { (*result.0).status };
        unsafe { gameye_result_free(result.0) };
        if delivered {
            // The read won: the stream goes on.
            assert_eq!(status, GameyeStatus::Ok);
            assert!(!closed.load(SeqCst));
        } else {
            // The cancel won: the stream was closed for good.
            assert_eq!(status, GameyeStatus::Cancelled);
            assert!(closed.load(SeqCst));
        }
        // Freed once.
        free_handle(handle as *mut GameyeOperation);
    });
}
