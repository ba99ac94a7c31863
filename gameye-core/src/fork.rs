//! `fork()` safety: what a process inherited from its parent is never torn
//! down in the child.
//!
//! A forked child gets a copy of every client's runtime, but not its
//! threads, and shares the parent's epoll instances and sockets. Dropping
//! the copy would join threads that do not exist (a panic) and deregister
//! the parent's sockets from the shared epoll instance (the parent's
//! requests would then hang until their timeout). So a runtime or pool
//! records the process that built it, and one dropped in another process is
//! leaked instead: the child exits or execs soon, and clients it makes
//! itself are its own.

use std::mem::ManuallyDrop;

/// How many `fork()`s lie between this process and the one that first
/// asked: a child sees one more than its parent did at the fork. Per-thread
/// state that a child inherits as a copy (a random generator, say) compares
/// it to notice the fork. Always 0 where there is no `fork()`.
pub(crate) fn generation() -> u64 {
    #[cfg(unix)]
    {
        use std::sync::atomic::{AtomicU64, Ordering};
        static FORKS: AtomicU64 = AtomicU64::new(0);
        static REGISTER: std::sync::Once = std::sync::Once::new();
        extern "C" fn in_child() {
            FORKS.fetch_add(1, Ordering::Relaxed);
        }
        REGISTER.call_once(|| {
            // SAFETY: registers a handler that only bumps an atomic, which
            // is safe in a freshly forked child; it stays valid for the
            // life of the process (a static function).
            unsafe { libc::pthread_atfork(None, None, Some(in_child)) };
        });
        FORKS.load(Ordering::Relaxed)
    }
    #[cfg(not(unix))]
    {
        0
    }
}

/// A value that is dropped only in the process that made it.
pub(crate) struct ProcessBound<T> {
    pid: u32,
    value: ManuallyDrop<T>,
}

impl<T> ProcessBound<T> {
    /// Binds `value` to the current process.
    pub(crate) fn new(value: T) -> Self {
        ProcessBound {
            pid: std::process::id(),
            value: ManuallyDrop::new(value),
        }
    }

    /// Whether this value was inherited through `fork()`.
    pub(crate) fn is_inherited(&self) -> bool {
        self.pid != std::process::id()
    }

    /// Takes the value out, to be dropped by the caller; `None` (the value
    /// leaked) in a forked child.
    pub(crate) fn into_inner(mut self) -> Option<T> {
        if self.is_inherited() {
            return None; // `self` leaks its value on drop
        }
        // SAFETY: `value` is taken once; `pid` is set to 0, never a real
        // pid, so that this `self`'s drop treats it as inherited and does
        // not drop it again.
        let value = unsafe { ManuallyDrop::take(&mut self.value) };
        self.pid = 0;
        Some(value)
    }
}

impl<T> std::ops::Deref for ProcessBound<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T> Drop for ProcessBound<T> {
    fn drop(&mut self) {
        if !self.is_inherited() {
            // SAFETY: dropped once, here; `into_inner` marks a taken value.
            unsafe { ManuallyDrop::drop(&mut self.value) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    struct Counted(Arc<AtomicUsize>);
    impl Drop for Counted {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn dropped_once_in_its_own_process() {
        let drops = Arc::new(AtomicUsize::new(0));
        drop(ProcessBound::new(Counted(Arc::clone(&drops))));
        assert_eq!(drops.load(Ordering::SeqCst), 1);
        let taken = ProcessBound::new(Counted(Arc::clone(&drops))).into_inner();
        assert_eq!(drops.load(Ordering::SeqCst), 1);
        drop(taken);
        assert_eq!(drops.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn leaked_when_inherited() {
        let drops = Arc::new(AtomicUsize::new(0));
        let mut bound = ProcessBound::new(Counted(Arc::clone(&drops)));
        bound.pid = bound.pid.wrapping_add(1); // as if made by the parent
        assert!(bound.is_inherited());
        drop(bound);
        let mut bound = ProcessBound::new(Counted(Arc::clone(&drops)));
        bound.pid = bound.pid.wrapping_add(1);
        assert!(bound.into_inner().is_none());
        assert_eq!(drops.load(Ordering::SeqCst), 0);
    }
}
