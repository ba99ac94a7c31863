//! The gate that the host's data callbacks (download writes) pass through,
//! so that none runs once the operation is cancelled or freed.

use crate::sync::{self, lock, this_thread, Arc, Condvar, Mutex, ThreadId};

/// A gate the host's data callbacks (download writes) pass through. Closing
/// it waits for a callback in progress on another thread, so none runs after
/// `gameye_operation_cancel` or `gameye_operation_free` return; closing it
/// from inside the callback itself (cancel or free in a write callback) does
/// not wait, and the callbacks after it are refused. No lock is held while
/// the callback runs.
#[derive(Clone)]
pub(crate) struct Gate(Arc<GateShared>);

struct GateShared {
    state: Mutex<GateState>,
    cond: Condvar,
}

#[derive(Default)]
struct GateState {
    closed: bool,
    /// The thread inside the callback right now.
    running: Option<ThreadId>,
}

impl Default for Gate {
    fn default() -> Self {
        Gate(Arc::new(GateShared {
            state: Mutex::new(GateState::default()),
            cond: Condvar::new(),
        }))
    }
}

impl Gate {
    /// Whether cancel or free closed the gate.
    pub(crate) fn is_closed(&self) -> bool {
        lock(&self.0.state).closed
    }

    /// Runs `f` unless the gate is closed; returns `None` when closed.
    pub(crate) fn pass<T>(&self, f: impl FnOnce() -> T) -> Option<T> {
        {
            let mut st = lock(&self.0.state);
            if st.closed {
                return None;
            }
            st.running = Some(this_thread());
        }
        /// Clears `running` however `f` ends.
        struct Leave<'a>(&'a GateShared);
        impl Drop for Leave<'_> {
            fn drop(&mut self) {
                lock(&self.0.state).running = None;
                self.0.cond.notify_all();
            }
        }
        let _leave = Leave(&self.0);
        Some(f())
    }

    /// Closes the gate, waiting for a callback in progress on another thread.
    pub(crate) fn close(&self) {
        let me = this_thread();
        let mut st = lock(&self.0.state);
        st.closed = true;
        while st.running.is_some_and(|t| t != me) {
            st = sync::wait(&self.0.cond, st);
        }
    }
}
