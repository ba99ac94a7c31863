//! loom model checks of the eager task's state machine ([`Eager`]): a wake
//! racing the end of the first poll, and an abort racing a wake, over every
//! interleaving. The runtime is a stand-in that keeps what it is given.
//!
//! Run: `RUSTFLAGS="--cfg gameye_loom" CARGO_TARGET_DIR=target/loom
//! cargo test -p gameye-core --release --lib loom` (`scripts/test.sh` does).

use loom::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use loom::sync::{Arc, Mutex};
use loom::thread;

use super::{Eager, Spawn};

/// What happened to the one task of a model.
#[derive(Default)]
struct Counts {
    /// Dropped without running (aborted before it was spawned).
    dropped: AtomicUsize,
    spawned: AtomicUsize,
    /// Spawned tasks aborted on the runtime.
    aborted: AtomicUsize,
}

struct TaskToken(Arc<Counts>);

impl Drop for TaskToken {
    fn drop(&mut self) {
        self.0.dropped.fetch_add(1, SeqCst);
    }
}

/// A runtime that keeps what it is given (it would run it).
struct Runtime {
    counts: Arc<Counts>,
    kept: Mutex<Vec<TaskToken>>,
}

impl Spawn for Arc<Runtime> {
    type Task = TaskToken;
    type Handle = Arc<Counts>;

    fn spawn(&self, task: TaskToken) -> Arc<Counts> {
        self.counts.spawned.fetch_add(1, SeqCst);
        self.kept.lock().unwrap().push(task);
        Arc::clone(&self.counts)
    }

    fn abort(handle: &Arc<Counts>) {
        handle.aborted.fetch_add(1, SeqCst);
    }
}

fn model() -> (Arc<Eager<Arc<Runtime>>>, Arc<Counts>, TaskToken) {
    let counts = Arc::new(Counts::default());
    let runtime = Arc::new(Runtime {
        counts: Arc::clone(&counts),
        kept: Mutex::new(Vec::new()),
    });
    let token = TaskToken(Arc::clone(&counts));
    (Arc::new(Eager::new(runtime)), counts, token)
}

/// A wake from an I/O thread while the caller finishes its first poll: the
/// task is spawned exactly once, whichever comes first; never lost, never
/// dropped.
#[test]
fn loom_a_wake_racing_the_first_poll_spawns_the_task_once() {
    loom::model(|| {
        let (eager, counts, token) = model();
        let waker = Arc::clone(&eager);
        let io = thread::spawn(move || waker.wake());
        assert!(eager.after_poll(token, false).is_none());
        io.join().unwrap();
        assert_eq!(counts.spawned.load(SeqCst), 1);
        assert_eq!(counts.dropped.load(SeqCst), 0);
    });
}

/// An abort racing a wake of a waiting task, from two threads: the task is
/// either dropped unspawned, or spawned and then aborted; it never stays on
/// the runtime unaborted, and it is never both spawned and dropped.
#[test]
fn loom_an_abort_racing_a_wake_never_leaves_the_task_running() {
    loom::model(|| {
        let (eager, counts, token) = model();
        assert!(eager.after_poll(token, false).is_none());
        let waker = Arc::clone(&eager);
        let io = thread::spawn(move || waker.wake());
        let aborter = Arc::clone(&eager);
        let cancel = thread::spawn(move || aborter.abort());
        io.join().unwrap();
        cancel.join().unwrap();
        let (spawned, aborted, dropped) = (
            counts.spawned.load(SeqCst),
            counts.aborted.load(SeqCst),
            counts.dropped.load(SeqCst),
        );
        assert_eq!(spawned + dropped, 1, "spawned {spawned}, dropped {dropped}");
        assert_eq!(spawned, aborted, "a spawned task was not aborted");
    });
}

/// An abort while the caller still polls, with a wake in between: once the
/// poll ends the task is dropped, or aborted if the wake spawned it first.
#[test]
fn loom_an_abort_during_the_first_poll_is_kept() {
    loom::model(|| {
        let (eager, counts, token) = model();
        let waker = Arc::clone(&eager);
        let io = thread::spawn(move || waker.wake());
        eager.abort();
        let again = eager.after_poll(token, true);
        io.join().unwrap();
        assert!(again.is_none(), "an aborted task is not polled again");
        let (spawned, aborted, dropped) = (
            counts.spawned.load(SeqCst),
            counts.aborted.load(SeqCst),
            counts.dropped.load(SeqCst),
        );
        assert_eq!((spawned, aborted, dropped), (0, 0, 1));
    });
}
