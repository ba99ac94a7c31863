//! Running a call: to completion on the calling thread (the blocking
//! methods: on this thread's fast path, or polled here with the client's
//! I/O), or on the client's runtime (async methods, background tasks, and
//! eager tasks that start on the caller's thread).

use std::future::Future;
use std::sync::Arc;

use crate::client::{closed_error, Client};
use crate::eager::{Eager, Spawn};
use crate::error::Result;
use crate::stream::park_on;
use crate::workers::{current_runtime_id, on_runtime_worker, ActAsWorker};

impl Client {
    /// Runs a JSON call to completion on the calling thread. `call` makes
    /// the call's future from the client it is given: on the fast path (see
    /// [`crate::fast_path`]) a view of this client whose requests go
    /// through this thread's pool, run on this thread's runtime; otherwise
    /// this client, run as [`Client::block_on_shared`].
    pub(crate) fn block_on<T, Fut>(&self, call: impl FnOnce(Client) -> Fut) -> Result<T>
    where
        Fut: Future<Output = Result<T>>,
    {
        if self.is_closed() {
            return Err(closed_error());
        }
        let inner = &self.inner;
        let owner = crate::fast_path::owner_of(inner);
        // A lane makes one call at a time: one connection is enough.
        let build = || Some(inner.http.own_pool(1));
        let lane = crate::fast_path::Lane::take(inner.runtime_id, owner, &inner.fast_paths, build);
        let view = Client {
            inner: Arc::clone(inner),
            lane_http: lane.as_ref().map(|lane| lane.http().clone()),
        };
        let fut = call(view);
        // Boxed and type-erased, so the machinery below exists once rather
        // than per endpoint (BENCHMARKS.md, size), and the future is not
        // moved by value on its way down.
        let mut out = None;
        self.run_blocking(lane.as_ref(), Box::pin(async { out = Some(fut.await) }))?;
        // A server may echo the token in what becomes the error's text.
        out.unwrap_or_else(|| Err(closed_error()))
            .map_err(|e| e.redact(inner.config.token.expose()))
    }

    /// Runs `fut` on `lane`'s runtime, or on the shared path without one.
    /// `Err` when `close` cut it short.
    fn run_blocking(
        &self,
        lane: Option<&crate::fast_path::Lane>,
        fut: std::pin::Pin<Box<dyn Future<Output = ()> + '_>>,
    ) -> Result<()> {
        let Some(lane) = lane else {
            return self.block_on_shared(async {
                fut.await;
                Ok(())
            });
        };
        // `close` ends a fast call too, though it runs on this thread's
        // runtime rather than the client's.
        lane.run(async {
            tokio::select! {
                biased;
                _ = self.until_closed() => Err(closed_error()),
                () = fut => Ok(()),
            }
        })
    }

    /// Runs `fut` to completion on the calling thread, with the client's
    /// runtime providing I/O (streams use this: their connections outlive
    /// the call). Works from any thread, also one inside another async
    /// runtime (where tokio's own `block_on` would panic).
    pub(crate) fn block_on_shared<T>(&self, fut: impl Future<Output = Result<T>>) -> Result<T> {
        use std::sync::atomic::Ordering;
        // Counted before checking `closed`, so `close` either sees this
        // call and waits for it, or this call sees `closed`.
        self.inner.shared_calls.fetch_add(1, Ordering::SeqCst);
        struct Leave<'a>(&'a std::sync::atomic::AtomicUsize);
        impl Drop for Leave<'_> {
            fn drop(&mut self) {
                self.0.fetch_sub(1, Ordering::SeqCst);
            }
        }
        let _leave = Leave(&self.inner.shared_calls);
        if self.is_closed() {
            return Err(closed_error());
        }
        let on_worker = on_runtime_worker();
        let _context = self.inner.handle.enter();
        let run = || {
            park_on(async {
                tokio::select! {
                    biased;
                    _ = self.until_closed() => Err(closed_error()),
                    out = fut => out,
                }
            })
        };
        let out = if on_worker {
            // A host callback on an I/O thread made a blocking call: hand this
            // worker's other tasks to a new thread first, or the I/O this call
            // waits for may have no thread left to run on (a deadlock).
            tokio::task::block_in_place(run)
        } else {
            run()
        };
        // A server may echo the token in what becomes the error's text.
        out.map_err(|e| e.redact(self.inner.config.token.expose()))
    }

    /// Runs `fut` on the client's I/O runtime in the background, for bindings
    /// that complete work elsewhere (an asyncio loop, a C completion queue).
    /// Dropping the handle does not cancel the task; `abort()` does.
    pub fn spawn_background<F>(&self, fut: F) -> tokio::task::JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.inner.handle.spawn(erase(fut))
    }

    /// Starts `fut` on the calling thread and finishes it on the client's
    /// runtime. It is polled once here, inside the runtime's context (where
    /// the client's own spawns run inline, as on a worker): a call's request
    /// is written before this returns. It is then handed to the runtime
    /// only when what it waits for happens (its response arrives, its timer
    /// fires), by the I/O thread that sees it: no thread is woken to start
    /// it. For callers on an event loop's thread: the poll never waits, but
    /// does the call's CPU work (encoding the request) on that thread.
    /// Dropping the returned handle does not cancel the task;
    /// [`EagerTask::abort`] does.
    pub fn spawn_eager<F>(&self, fut: F) -> EagerTask
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let task = Arc::new(EagerTaskState(Eager::new(OnRuntime(
            self.inner.handle.clone(),
        ))));
        let mut fut: Task = Box::pin(fut);
        let _context = self.inner.handle.enter();
        let _worker = ActAsWorker::of(self.inner.runtime_id);
        let waker = std::task::Waker::from(Arc::clone(&task));
        // Woken while polled (a connection handing over the request, say)
        // means "poll again", as any executor would; a few times here, then
        // on the runtime.
        for polls_left in (0..EAGER_POLLS).rev() {
            if fut
                .as_mut()
                .poll(&mut std::task::Context::from_waker(&waker))
                .is_ready()
            {
                task.0.finished();
                break;
            }
            match task.0.after_poll(fut, polls_left > 0) {
                Some(again) => fut = again,
                None => break,
            }
        }
        EagerTask(task)
    }

    /// Whether the current thread is one of this client's I/O workers.
    fn on_own_runtime(&self) -> bool {
        current_runtime_id() == self.inner.runtime_id
    }

    /// Runs `fut` on the client's runtime and awaits it from any executor
    /// (directly, when already there). A panic inside it resumes in the
    /// caller, where the FFI boundary catches it.
    ///
    /// `fut` is boxed at the call, so the caller's future holds a pointer
    /// to it rather than the whole call (kilobytes, copied on every move on
    /// its way to an executor: BENCHMARKS.md, awaited-call latency).
    pub(crate) fn spawn<T, F>(&self, fut: F) -> impl Future<Output = Result<T>> + Send + '_
    where
        F: Future<Output = Result<T>> + Send + 'static,
        T: Send + 'static,
    {
        let fut = erase(fut);
        let run = async move {
            if self.on_own_runtime() {
                return fut.await;
            }
            if self.is_closed() {
                return Err(closed_error());
            }
            match self.inner.handle.spawn(fut).await {
                Ok(out) => out,
                Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
                // The runtime shut down under it: the client was closed.
                Err(_) => Err(closed_error()),
            }
        };
        // A server may echo the token in what becomes the error's text.
        async move {
            run.await
                .map_err(|e| e.redact(self.inner.config.token.expose()))
        }
    }
}

type Task = std::pin::Pin<Box<dyn Future<Output = ()> + Send>>;

/// How many times [`Client::spawn_eager`] polls a task that keeps being
/// woken before handing it to the runtime.
const EAGER_POLLS: usize = 4;

/// A task started by [`Client::spawn_eager`].
pub struct EagerTask(Arc<EagerTaskState>);

impl EagerTask {
    /// Cancels the task: it is dropped, on this thread when it was not yet
    /// handed to the runtime, else by the runtime.
    pub fn abort(&self) {
        self.0 .0.abort();
    }
}

/// The client runtime, as an eager task is spawned on it.
struct OnRuntime(tokio::runtime::Handle);

impl Spawn for OnRuntime {
    type Task = Task;
    type Handle = tokio::task::AbortHandle;

    // Woken on an I/O thread, spawning lands on that thread's own queue: it
    // runs next, without waking another thread.
    fn spawn(&self, task: Task) -> Self::Handle {
        self.0.spawn(task).abort_handle()
    }

    fn abort(handle: &Self::Handle) {
        handle.abort();
    }
}

/// An eager task's state, and its waker.
struct EagerTaskState(Eager<OnRuntime>);

impl std::task::Wake for EagerTaskState {
    fn wake(self: Arc<Self>) {
        self.0.wake();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.wake();
    }
}

/// `fut` boxed as a trait object: the runtime's task code (poll, wake,
/// drop, join) then exists once per output type, not once per future type
/// (BENCHMARKS.md, size). One allocation more per spawn.
fn erase<F>(fut: F) -> std::pin::Pin<Box<dyn Future<Output = F::Output> + Send>>
where
    F: Future + Send + 'static,
{
    Box::pin(fut)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eager::Stage;
    use crate::ClientConfig;
    use std::time::Duration;

    #[test]
    fn spawn_eager_polls_first_on_the_calling_thread_then_on_the_runtime() {
        let client = Client::new(ClientConfig::new("t").base_url("http://127.0.0.1:9")).unwrap();
        let caller = std::thread::current().id();
        let (tx, rx) = std::sync::mpsc::channel();
        let view = client.clone();
        let (done_tx, done) = std::sync::mpsc::channel();
        let _task = client.spawn_eager(async move {
            // The client's own spawns run inline during the first poll.
            let nested = view
                .spawn(async { Ok(std::thread::current().id()) })
                .await
                .unwrap();
            tx.send((nested, on_runtime_worker())).unwrap();
            // Woken at once: polled again right here.
            tokio::task::yield_now().await;
            tx.send((std::thread::current().id(), true)).unwrap();
            // Woken later, by the runtime's timer: finished there.
            tokio::time::sleep(Duration::from_millis(1)).await;
            done_tx.send(std::thread::current().id()).unwrap();
        });
        // Polled before `spawn_eager` returned, on this thread.
        assert_eq!(rx.try_recv().unwrap(), (caller, true));
        assert_eq!(rx.try_recv().unwrap(), (caller, true));
        assert!(!on_runtime_worker(), "the mark is restored");
        let finished_on = done.recv_timeout(Duration::from_secs(5)).unwrap();
        assert_ne!(finished_on, caller);
        // Woken again and again: handed to the runtime after a few polls.
        let (done_tx, done) = std::sync::mpsc::channel();
        let _task = client.spawn_eager(async move {
            for _ in 0..2 * EAGER_POLLS {
                tokio::task::yield_now().await;
            }
            done_tx.send(std::thread::current().id()).unwrap();
        });
        assert_ne!(done.recv_timeout(Duration::from_secs(5)).unwrap(), caller);
    }

    #[test]
    fn an_eager_task_waits_unspawned_until_woken_and_abort_drops_it() {
        let client = Client::new(ClientConfig::new("t").base_url("http://127.0.0.1:9")).unwrap();
        // Waits on a channel: nothing wakes it until a message comes.
        let (wake_tx, wake_rx) = tokio::sync::oneshot::channel::<()>();
        let (done_tx, done) = std::sync::mpsc::channel();
        let task = client.spawn_eager(async move {
            let _ = wake_rx.await;
            done_tx.send(std::thread::current().id()).unwrap();
        });
        assert!(matches!(*task.0 .0.lock(), Stage::Waiting(_)));
        wake_tx.send(()).unwrap();
        // Woken here, spawned onto the runtime, run by a worker.
        let ran_on = done.recv_timeout(Duration::from_secs(5)).unwrap();
        assert_ne!(ran_on, std::thread::current().id());

        // Aborted while waiting: dropped at once, never run.
        let (wake_tx, wake_rx) = tokio::sync::oneshot::channel::<()>();
        let (done_tx, done) = std::sync::mpsc::channel::<()>();
        let task = client.spawn_eager(async move {
            let _ = wake_rx.await;
            done_tx.send(()).unwrap();
        });
        task.abort();
        assert!(matches!(*task.0 .0.lock(), Stage::Ended));
        assert!(wake_tx.send(()).is_err(), "the task was dropped");
        assert!(done.recv_timeout(Duration::from_millis(100)).is_err());
    }
}
