//! The HTTP client: the one connection layer (`http`), driven by a tokio
//! runtime the client owns, or by the calling thread on the blocking fast
//! path (`fast_path`). Every endpoint goes through [`Client::send`] or
//! [`Client::open_stream`], the one HTTP path; the blocking calls drive the
//! same futures as the async ones.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::header::{HeaderValue, LOCATION, RETRY_AFTER};
use http::Method;

use crate::config::ClientConfig;
use crate::diagnostics::{log_event, LogLevel};
use crate::eager::{Eager, Spawn};
use crate::error::{Error, ErrorKind, Result};
use crate::fork::ProcessBound;
use crate::http::{Connections, HttpResponse};
use crate::response::Response;
use crate::retry::{retryable_error, retryable_status};
use crate::stream::{park_on, ByteStream};
use crate::validate::require_path_segment;

/// A Gameye API client. Cheap to clone (one `Arc`), `Send + Sync`: share one
/// per process so every call reuses its connections.
///
/// Each endpoint has a blocking method (`create_session`) and an async twin
/// (`create_session_async`); both run the same code.
pub struct Client {
    inner: Arc<Inner>,
    /// The connections JSON calls use instead of the client's own: set
    /// only on the view a blocking fast-path call runs with (see
    /// `fast_path`), to the calling thread's.
    lane_http: Option<Connections>,
}

impl Clone for Client {
    /// A clone shares the client, never a thread's fast-path pool: what is
    /// cloned during a call may outlive it or run on another thread.
    fn clone(&self) -> Self {
        Client {
            inner: Arc::clone(&self.inner),
            lane_http: None,
        }
    }
}

thread_local! {
    /// The id of the client runtime this thread is a worker of, 0 for none.
    static RUNTIME_ID: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Ids for client runtimes, so a worker knows which client's runtime it serves.
static NEXT_RUNTIME_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

struct Inner {
    /// Unique per client; equal to `RUNTIME_ID` on this client's workers.
    runtime_id: u64,
    /// The connections of calls on this runtime. Leaked, not dropped, in a
    /// forked child (see `fork`).
    http: ProcessBound<Connections>,
    /// Taken out by [`Client::close`] or the drop.
    runtime: std::sync::Mutex<Option<ProcessBound<tokio::runtime::Runtime>>>,
    handle: tokio::runtime::Handle,
    /// Becomes `true` on [`Client::close`]: calls in flight end, new ones fail.
    closed: tokio::sync::watch::Sender<bool>,
    /// Calls polled on their callers' threads with this runtime's I/O
    /// ([`Client::block_on_shared`]); `close` lets them leave before the
    /// runtime shuts down, since a timer polled after that panics.
    shared_calls: std::sync::atomic::AtomicUsize,
    /// The base URL; endpoint paths are appended to its path.
    base: url::Url,
    auth: HeaderValue,
    config: ClientConfig,
    /// Caps the requests in flight at once, so a burst of calls reuses a few
    /// warm connections instead of opening one each.
    in_flight: tokio::sync::Semaphore,
    /// The blocking fast path's pools on every thread that made a call, so
    /// that closing or dropping the client closes their connections too.
    fast_paths: crate::fast_path::Registry,
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.fast_paths.close_all();
        let runtime = self.runtime.get_mut().unwrap_or_else(|e| e.into_inner());
        crate::fast_path::shut_down(runtime.take());
    }
}

/// How long [`Client::close`] waits for calls on other threads to leave.
const CLOSE_DRAIN: Duration = Duration::from_secs(1);

/// The error of a call on (or cut short by) a closed client.
fn closed_error() -> Error {
    Error::new(ErrorKind::Cancelled, "the client was closed")
}

/// One HTTP call an endpoint wants made.
pub(crate) struct Call {
    pub method: Method,
    /// Path segments after the base URL, each percent-encoded as exactly
    /// one segment when the URL is built.
    pub segments: Vec<String>,
    pub query: Vec<(String, String)>,
    pub json: Option<Bytes>,
}

impl Call {
    /// A call without query or body.
    pub fn new(method: Method, segments: &[&str]) -> Self {
        Call {
            method,
            segments: segments.iter().map(|s| (*s).to_owned()).collect(),
            query: Vec::new(),
            json: None,
        }
    }

    /// Appends a path parameter (a session id, an image, ...) as exactly one
    /// segment, after [`require_path_segment`]: `.`, `..` and control
    /// characters are refused, naming `field`.
    pub fn param(mut self, field: &str, value: &str) -> Result<Self> {
        require_path_segment(field, value)?;
        self.segments.push(value.to_owned());
        Ok(self)
    }

    /// Adds a query parameter.
    pub fn query(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((key.into(), value.into()));
        self
    }

    /// Sets a JSON body.
    pub fn json(mut self, body: &impl serde::Serialize) -> Result<Self> {
        let bytes = serde_json::to_vec(body).map_err(|e| {
            Error::new(
                ErrorKind::InvalidRequest,
                format!("cannot encode request: {e}"),
            )
        })?;
        self.json = Some(Bytes::from(bytes));
        Ok(self)
    }
}

/// What an attempt produced: enough to decide on a retry.
trait Answer {
    fn status(&self) -> u16;
    fn retry_after(&self) -> Option<Duration>;
}

impl Answer for RawResponse {
    fn status(&self) -> u16 {
        self.status
    }
    fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }
}

impl Answer for HttpResponse {
    fn status(&self) -> u16 {
        self.status
    }
    fn retry_after(&self) -> Option<Duration> {
        retry_after(&self.headers)
    }
}

/// What a stream's attempt produced: the open 2xx response, or a whole
/// (bounded) error response, read within the attempt's time.
enum StreamAnswer {
    Open(HttpResponse),
    Refused(RawResponse),
}

impl Answer for StreamAnswer {
    fn status(&self) -> u16 {
        match self {
            StreamAnswer::Open(r) => Answer::status(r),
            StreamAnswer::Refused(r) => r.status,
        }
    }
    fn retry_after(&self) -> Option<Duration> {
        match self {
            StreamAnswer::Open(r) => Answer::retry_after(r),
            StreamAnswer::Refused(r) => r.retry_after,
        }
    }
}

/// A streamed response whose head arrived with a 2xx.
pub(crate) struct Opened {
    pub status: u16,
    pub attempts: u32,
    pub stream: ByteStream,
}

/// How a call's attempts went.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Attempts {
    /// Attempts made, the final one included.
    pub count: u32,
    /// An earlier attempt failed in a way that leaves open whether the
    /// server acted on it (no response, or a 5xx).
    pub ambiguous: bool,
}

/// A response as received: status, body (bounded), the retry hint, and the
/// attempts it took.
pub(crate) struct RawResponse {
    pub status: u16,
    pub body: Vec<u8>,
    pub retry_after: Option<Duration>,
    /// The `Location` of a 3xx, reported (never followed).
    pub location: Option<String>,
    pub attempts: Attempts,
}

impl RawResponse {
    /// A 2xx response decoded by `decode`, or the API error the status and body give.
    pub fn into_result<T>(
        self,
        decode: impl FnOnce(u16, &[u8]) -> Result<T>,
    ) -> Result<Response<T>> {
        match self.status {
            200..=299 => Ok(Response {
                value: decode(self.status, &self.body)
                    .map_err(|e| e.with_attempts(self.attempts.count))?,
                http_status: self.status,
                body: self.body,
                attempts: self.attempts.count,
            }),
            _ => Err(self.into_error()),
        }
    }

    /// The API error this (non-2xx) response is.
    pub fn into_error(self) -> Error {
        if (300..=399).contains(&self.status) {
            return Error::redirect(self.status, self.location.as_deref(), &self.body)
                .with_attempts(self.attempts.count);
        }
        Error::from_response(self.status, &self.body)
            .with_retry_after(self.retry_after)
            .with_attempts(self.attempts.count)
    }
}

impl Client {
    /// Creates a client after checking the configuration.
    pub fn new(config: ClientConfig) -> Result<Client> {
        config.validate()?;
        let base = config.parsed_base_url()?;
        let mut auth = HeaderValue::from_str(&format!("Bearer {}", config.token.expose()))
            .map_err(|_| {
                Error::invalid_config("token", "must be printable ASCII without spaces")
            })?;
        // Marks the header as secret for hyper (kept out of its logs).
        auth.set_sensitive(true);
        let runtime_id = NEXT_RUNTIME_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("gameye-io")
            .on_thread_start(move || {
                RUNTIME_ID.with(|id| id.set(runtime_id));
                crate::http::block_sigpipe_on_own_thread();
            })
            .enable_all()
            .build()
            .map_err(|e| {
                Error::new(
                    ErrorKind::Transport,
                    format!("cannot start I/O threads: {e}"),
                )
            })?;
        // Not below a second: a short timeout must not become a busy timer.
        let period = config.request_timeout.max(Duration::from_secs(1));
        runtime.spawn(keep_next_timer_within(period));
        let http = Connections::new(&base, &config, config.max_concurrent_requests)?;
        Ok(Client {
            inner: Arc::new(Inner {
                runtime_id,
                http: ProcessBound::new(http),
                handle: runtime.handle().clone(),
                runtime: std::sync::Mutex::new(Some(ProcessBound::new(runtime))),
                closed: tokio::sync::watch::Sender::new(false),
                shared_calls: std::sync::atomic::AtomicUsize::new(0),
                base,
                auth,
                in_flight: tokio::sync::Semaphore::new(config.max_concurrent_requests),
                fast_paths: crate::fast_path::Registry::default(),
                config,
            }),
            lane_http: None,
        })
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        self.inner.base.as_str().trim_end_matches('/')
    }

    /// Closes the client: calls in flight end with [`ErrorKind::Cancelled`]
    /// (a blocking JSON call on the fast path runs on its caller's thread
    /// and may finish first), later calls fail with it at once, and the I/O
    /// threads stop, closing their connections. The blocking fast path's
    /// per-thread runtimes and pools close too: at once for threads between
    /// calls, as its call ends for a thread inside one. Waits up to a
    /// second for the I/O threads (not inside an async context, where they
    /// stop in the background).
    /// Idempotent; clones share it.
    pub fn close(&self) {
        use std::sync::atomic::Ordering;
        self.inner.closed.send_replace(true);
        let start = Instant::now();
        while self.inner.shared_calls.load(Ordering::SeqCst) > 0 && start.elapsed() < CLOSE_DRAIN {
            std::thread::sleep(Duration::from_millis(1));
        }
        self.inner.fast_paths.close_all();
        let runtime = self
            .inner
            .runtime
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        crate::fast_path::shut_down(runtime);
        // Calls in flight ended with the runtime; the kept connections
        // close here (a forked child's copies are left alone, see `fork`).
        if !self.inner.http.is_inherited() {
            self.inner.http.close();
        }
    }

    /// Whether [`Client::close`] was called.
    pub fn is_closed(&self) -> bool {
        *self.inner.closed.borrow()
    }

    /// Resolves once [`Client::close`] is called.
    async fn until_closed(&self) {
        let mut closed = self.inner.closed.subscribe();
        let _ = closed.wait_for(|c| *c).await;
    }

    /// The configuration this client was built with.
    pub fn config(&self) -> &ClientConfig {
        &self.inner.config
    }

    /// The URL of `call`: each segment percent-encoded as one segment (path
    /// parameters were checked by [`Call::param`]: no dot segment, no
    /// control character), then the query.
    fn url(&self, call: &Call) -> url::Url {
        let mut url = self.inner.base.clone();
        {
            let mut path = url
                .path_segments_mut()
                .expect("base URLs are checked to be http(s) with a host");
            path.pop_if_empty();
            for segment in &call.segments {
                path.push(segment);
            }
        }
        if !call.query.is_empty() {
            url.query_pairs_mut().extend_pairs(&call.query);
        }
        url
    }

    /// Sends `call` under the retry policy and the call's deadline: the one
    /// place requests are sent. Each attempt sends the request and runs
    /// `finish` on the response (reading the body, or just taking the head
    /// for streams). An attempt is retried when the status is retryable or it
    /// failed in transport (before the head, or while reading the body: the
    /// server may have acted on it, which the callers resolve). A `stream`
    /// goes out on the client's own connections, never a fast-path lane's:
    /// its body is read after the call returns.
    async fn send_with<T, F, Fut>(
        &self,
        call: &Call,
        stream: bool,
        finish: F,
    ) -> Result<(T, Attempts)>
    where
        T: Answer,
        F: Fn(HttpResponse) -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        if self.is_closed() {
            return Err(closed_error());
        }
        let policy = self.inner.config.retry;
        let request_timeout = self.inner.config.request_timeout;
        let deadline = Instant::now() + policy.deadline;
        let mut attempts = Attempts::default();
        let url = self.url(call);
        // For logs: the encoded path (no raw control character), no query
        // (ids are fine, secrets never travel in URLs).
        let path = url.path().to_owned();
        loop {
            attempts.count += 1;
            let left = deadline.saturating_duration_since(Instant::now());
            let per_attempt = request_timeout.min(left);
            let started = Instant::now();
            log_event!(
                LogLevel::Debug,
                "request start: {} {path} (attempt {})",
                call.method,
                attempts.count
            );
            let resent = std::sync::atomic::AtomicBool::new(false);
            let attempt = async {
                // Waiting for a slot counts against the attempt's time too.
                let _slot = self.inner.in_flight.acquire().await;
                let resp = self.send_once(call, &url, stream).await?;
                resent.store(resp.resent, std::sync::atomic::Ordering::Relaxed);
                finish(resp).await
            };
            let outcome = match tokio::time::timeout(per_attempt, attempt).await {
                Ok(outcome) => outcome,
                Err(_) => Err(Error::new(
                    ErrorKind::Timeout,
                    format!("no response within {per_attempt:?}"),
                )),
            };
            let secret = self.inner.config.token.expose();
            log_outcome(
                call,
                &path,
                started,
                outcome.as_ref().map(Answer::status),
                secret,
            );
            // Sent twice (after a stale kept connection): the server may
            // have acted on the first, as after a retry.
            if resent.load(std::sync::atomic::Ordering::Relaxed) {
                attempts.ambiguous = true;
            }
            let (reason, hint) = match &outcome {
                Ok(answer) if retryable_status(answer.status()) => {
                    (format!("HTTP {}", answer.status()), answer.retry_after())
                }
                Err(e) if retryable_error(e) => (e.kind().description().to_owned(), None),
                _ => break outcome,
            };
            let wait = policy.backoff(attempts.count, hint);
            let left = deadline.saturating_duration_since(Instant::now());
            if attempts.count >= policy.max_attempts || wait >= left {
                break outcome;
            }
            // A 420 answers "not started"; anything else may have acted.
            if !matches!(&outcome, Ok(a) if a.status() == 420) {
                attempts.ambiguous = true;
            }
            log_event!(
                LogLevel::Warn,
                "retrying {} {path} after {reason} (attempt {} of {}) in {:.0} ms",
                call.method,
                attempts.count + 1,
                policy.max_attempts,
                wait.as_secs_f64() * 1000.0
            );
            // Drop the failed response (and its connection) before waiting.
            drop(outcome);
            tokio::time::sleep(wait).await;
        }
        .map(|answer| (answer, attempts))
        .map_err(|e| e.with_attempts(attempts.count))
    }

    /// Sends one attempt of `call` and returns the response head: on this
    /// thread's fast-path connections when the view has them (JSON calls),
    /// else on the client's.
    async fn send_once(&self, call: &Call, url: &url::Url, stream: bool) -> Result<HttpResponse> {
        let connections = match &self.lane_http {
            Some(lane) if !stream => lane,
            _ => &*self.inner.http,
        };
        let json = call.json.as_ref();
        connections
            .send(&call.method, url, &self.inner.auth, json)
            .await
    }

    /// The one HTTP path for JSON endpoints: sends `call` (retrying per the
    /// policy) and reads the final response body up to the configured cap.
    pub(crate) async fn send(&self, call: Call) -> Result<RawResponse> {
        let limit = self.inner.config.max_response_bytes;
        self.send_limited(call, limit, "").await
    }

    /// As [`Client::send`] with another body cap; `hint` ends the message of
    /// a too-large error. The whole body is read within each attempt's time.
    pub(crate) async fn send_limited(
        &self,
        call: Call,
        limit: usize,
        hint: &'static str,
    ) -> Result<RawResponse> {
        let (mut raw, attempts) = self
            .send_with(&call, false, |resp| read_bounded(resp, limit, hint))
            .await?;
        raw.attempts = attempts;
        Ok(raw)
    }

    /// Sends `call` (retrying per the policy) and, on a 2xx, hands back the
    /// body as a stream read as it arrives (followed logs, artifacts). The
    /// request timeout covers each attempt up to the response head, and for
    /// a non-2xx answer its whole (bounded) body too, which becomes the API
    /// error. After a 2xx head no timeout applies: a followed log may stay
    /// quiet for hours; dropping the stream ends it.
    pub(crate) async fn open_stream(&self, call: Call) -> Result<Opened> {
        let limit = self.inner.config.max_response_bytes;
        let (answer, attempts) = self
            .send_with(&call, true, |resp| async move {
                if (200..300).contains(&resp.status) {
                    Ok(StreamAnswer::Open(resp))
                } else {
                    read_bounded(resp, limit, "")
                        .await
                        .map(StreamAnswer::Refused)
                }
            })
            .await?;
        match answer {
            StreamAnswer::Open(resp) => Ok(Opened {
                status: resp.status,
                attempts: attempts.count,
                stream: ByteStream::spawn(&self.inner.handle, resp),
            }),
            StreamAnswer::Refused(mut raw) => {
                raw.attempts = attempts;
                Err(raw.into_error())
            }
        }
    }

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
        RUNTIME_ID.with(|id| id.get()) == self.inner.runtime_id
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

/// Marks the current thread as a worker of one client runtime while it
/// lives (see [`Client::spawn_eager`]), then restores the mark it had.
struct ActAsWorker(u64);

impl ActAsWorker {
    fn of(runtime_id: u64) -> ActAsWorker {
        ActAsWorker(RUNTIME_ID.with(|id| id.replace(runtime_id)))
    }
}

impl Drop for ActAsWorker {
    fn drop(&mut self) {
        RUNTIME_ID.with(|id| id.set(self.0));
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

/// Whether this thread runs tasks of a multi-thread runtime (one of a
/// client's I/O threads), where a blocking wait must go through
/// [`tokio::task::block_in_place`]. Bindings use it for their own waits.
pub fn on_runtime_worker() -> bool {
    matches!(
        tokio::runtime::Handle::try_current(),
        Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread
    )
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base_url())
            .field("token", &"<redacted>")
            .finish()
    }
}

/// Keeps a timer armed at most `period` ahead, for as long as the runtime
/// runs. Tokio wakes the I/O thread parked in its driver whenever a new
/// timer is due before the driver's next wake-up; each call arms one (its
/// attempt's timeout, at most `period` ahead), so with no other timer every
/// call would wake that thread just to re-arm it, a thread switch per call
/// (BENCHMARKS.md, awaited-call latency). The cost: an idle client's I/O
/// thread wakes once per `period` (the request timeout, 30 s by default).
async fn keep_next_timer_within(period: Duration) {
    loop {
        tokio::time::sleep(period).await;
    }
}

/// Logs how a request ended: info for any response, error for no response.
/// `secret` (the token) is redacted from the error's text.
fn log_outcome(
    call: &Call,
    path: &str,
    started: Instant,
    outcome: std::result::Result<u16, &Error>,
    secret: &str,
) {
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    match outcome {
        Ok(status) => log_event!(
            LogLevel::Info,
            "request end: {} {path} -> {status} in {ms:.1} ms",
            call.method
        ),
        Err(e) => log_event!(
            LogLevel::Error,
            "request failed: {} {path} after {ms:.1} ms: {}",
            call.method,
            crate::error::redact_text(&e.to_string(), secret)
        ),
    }
}

/// Reads a whole response body, failing once it passes `limit` bytes. The
/// declared `Content-Length` only refuses early; nothing is allocated from
/// it (a server may declare an exabyte), the cap applies as the body streams.
async fn read_bounded(
    mut resp: HttpResponse,
    limit: usize,
    hint: &'static str,
) -> Result<RawResponse> {
    let status = resp.status;
    let retry_after = retry_after(&resp.headers);
    let location = resp.headers.get(LOCATION).map(|v| {
        String::from_utf8_lossy(v.as_bytes())
            .escape_debug()
            .to_string()
    });
    if resp.content_length().is_some_and(|n| n > limit as u64) {
        return Err(too_large(status, limit, hint));
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await? {
        if body.len().saturating_add(chunk.len()) > limit {
            return Err(too_large(status, limit, hint));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(RawResponse {
        status,
        body,
        retry_after,
        location,
        attempts: Attempts::default(),
    })
}

/// A `Retry-After` in seconds (the HTTP-date form is not used by the API).
fn retry_after(headers: &http::HeaderMap) -> Option<Duration> {
    headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

fn too_large(status: u16, limit: usize, hint: &str) -> Error {
    Error::decode(
        status,
        format!("response body exceeds the {limit}-byte limit{hint}"),
        b"",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eager::Stage;

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

    #[test]
    fn client_is_send_sync_and_hides_token() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Client>();
        let c = Client::new(ClientConfig::new("s3cr3t")).unwrap();
        assert!(!format!("{c:?}").contains("s3cr3t"));
        assert_eq!(c.base_url(), crate::config::SANDBOX_URL);
    }
}
