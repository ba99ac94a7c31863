//! Completion queues: a callback registered with a queue waits in it until
//! the host drains the queue, on the thread of its choice (a game loop, once
//! per frame).

use std::collections::VecDeque;

use crate::handle::BoxHandle;
use crate::panic::{ffi_panic_boundary, PanicFallback};
use crate::sync::{lock, Arc, AtomicBool, Mutex, Ordering};

/// A completed operation's callback, held by its queue until a drain runs
/// it. The operation implements it (`super`), so the queue knows no
/// operations.
pub(crate) trait Completion: Send {
    /// Runs the callback on this thread, unless its operation was freed in
    /// the meantime; returns whether it ran.
    fn run(self: Box<Self>) -> bool;
}

/// A queue's state, shared by its handle and the callbacks registered with it.
pub(crate) struct QueueShared {
    items: Mutex<VecDeque<Box<dyn Completion>>>,
    draining: AtomicBool,
    /// Set when the queue's handle is freed: later completions are dropped,
    /// and a drain in progress stops after its current callback. (A queued
    /// completion holds the queue through its callback; keeping none after
    /// the free breaks that cycle, so nothing leaks.)
    closed: AtomicBool,
}

impl QueueShared {
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(QueueShared {
            items: Mutex::new(VecDeque::new()),
            draining: AtomicBool::new(false),
            closed: AtomicBool::new(false),
        })
    }

    /// Queues `c` for the next drain; a closed queue drops it.
    pub(crate) fn push(&self, c: Box<dyn Completion>) {
        let mut items = lock(&self.items);
        if !self.closed.load(Ordering::Acquire) {
            items.push_back(c);
        } else {
            drop(items);
            drop(c);
        }
    }

    /// `gameye_queue_drain` on this queue (held alive by the caller's `Arc`
    /// even if a callback frees the queue's handle).
    pub(crate) fn drain(&self, max: usize) -> usize {
        if self.draining.swap(true, Ordering::AcqRel) {
            return 0;
        }
        let mut ran = 0;
        while (max == 0 || ran < max) && !self.closed.load(Ordering::Acquire) {
            let next = lock(&self.items).pop_front();
            let Some(c) = next else { break };
            if c.run() {
                ran += 1;
            }
        }
        self.draining.store(false, Ordering::Release);
        ran
    }

    /// `gameye_queue_free`: drops what is queued and refuses what comes later.
    pub(crate) fn close(&self) {
        let dropped = {
            let mut items = lock(&self.items);
            self.closed.store(true, Ordering::Release);
            std::mem::take(&mut *items)
        };
        // Dropped outside the lock: they hold the queue themselves.
        drop(dropped);
    }
}

/// A completion queue: callbacks registered with it run only inside
/// `gameye_queue_drain`, on the thread that calls it (a game loop, once per frame).
pub struct GameyeQueue {
    pub(crate) shared: Arc<QueueShared>,
}

// SAFETY: the handle is the `Box<GameyeQueue>` itself.
unsafe impl BoxHandle for GameyeQueue {
    type Owner = GameyeQueue;
}

/// A panic in `gameye_queue_new` gives NULL.
impl PanicFallback for *mut GameyeQueue {
    fn fallback(_: String) -> Self {
        std::ptr::null_mut()
    }
}

/// Creates a completion queue. Free it with `gameye_queue_free`.
/// Thread safety: any thread.
#[no_mangle]
pub extern "C" fn gameye_queue_new() -> *mut GameyeQueue {
    ffi_panic_boundary!({
        GameyeQueue::into_handle(Box::new(GameyeQueue {
            shared: QueueShared::new(),
        }))
    })
}

/// Runs the callbacks of completed operations registered with this queue, on
/// the calling thread, at most `max` of them (0 means all that are ready).
/// Never blocks on I/O. Returns how many callbacks ran.
///
/// Hazard: calling `gameye_queue_drain` on the same queue from inside one of
/// its callbacks does nothing and returns 0 (it never deadlocks). A callback
/// may free the queue (`gameye_queue_free`): that callback finishes, the rest
/// are dropped without running, and the drain returns.
/// Thread safety: any thread, but drain each queue from one thread at a time.
///
/// # Safety
/// `queue` is NULL or a live queue.
#[no_mangle]
pub unsafe extern "C" fn gameye_queue_drain(queue: *const GameyeQueue, max: usize) -> usize {
    ffi_panic_boundary!({
        let Some(queue) = GameyeQueue::borrow(queue) else {
            return 0;
        };
        // Our own reference: a callback may free the queue's handle.
        let shared = Arc::clone(&queue.shared);
        shared.drain(max)
    })
}

/// Frees a queue. Callbacks still queued, and those of operations that
/// complete later, are dropped without running (the operations themselves
/// complete normally and can still be polled, waited on and freed).
/// NULL is fine. Must not be called twice nor while another thread drains it.
/// Calling it from inside one of this queue's callbacks is safe: the drain
/// running it stops after that callback, and the queue's memory is released
/// when the drain returns.
///
/// # Safety
/// `queue` is NULL or a live queue.
#[no_mangle]
pub unsafe extern "C" fn gameye_queue_free(queue: *mut GameyeQueue) {
    ffi_panic_boundary!({
        if let Some(queue) = GameyeQueue::take(queue) {
            queue.shared.close();
        }
    })
}
