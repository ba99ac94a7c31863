//! # gameye-hostile
//!
//! A hostile server for the SDK's tests (issue 17): one listener per
//! misbehaviour ([`Behaviour::ALL`]), each over plain http and over TLS with
//! a certificate from a test CA, on 127.0.0.1 and ephemeral ports; a good
//! listener on `[::1]` (`ok_v6`); and the bad-TLS listeners, TLS only:
//! `tls_self_signed`, `tls_wrong_host`, `tls_expired` (each serving like
//! `ok` if a client were to accept it) and `tls_old_version` (a fake TLS 1.1
//! server). Each listener counts the connections it accepted and the request
//! heads it received, so a test can check that a refused TLS handshake sent
//! no request.
//!
//! Rust tests start it in-process ([`HostileServer::start`]); the C and
//! Python tests run the `gameye-hostile` binary, which prints the
//! [manifest](HostileServer::manifest_json) and serves the counts on a
//! control listener (`GET /counts/NAME/SCHEME`).
//!
//! The server's thread blocks SIGPIPE, so it never kills a test process
//! that set SIGPIPE to its default to catch the SDK raising it.

mod behaviours;
mod http;
mod tls;

use std::collections::BTreeMap;
use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

pub use behaviours::{Behaviour, NONSENSE_RETRY_AFTER};
use behaviours::{Counters, Listener};

/// Plain `http://` or TLS `https://`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scheme {
    /// Plain http.
    Http,
    /// TLS, with a certificate signed by the test CA (or a bad one).
    Https,
}

impl Scheme {
    /// `"http"` or `"https"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }
}

/// What a listener saw.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// TCP connections accepted.
    pub connections: u64,
    /// Request heads received (over TLS: after a completed handshake).
    pub requests: u64,
}

/// The TLS-only listeners: a certificate no client may accept, or TLS 1.1.
pub const BAD_TLS: [&str; 4] = [
    "tls_self_signed",
    "tls_wrong_host",
    "tls_expired",
    "tls_old_version",
];

/// The running server. Dropping it stops every listener and removes the
/// CA directory it made.
pub struct HostileServer {
    urls: BTreeMap<(String, Scheme), String>,
    counters: BTreeMap<(String, Scheme), Arc<Counters>>,
    ca_pem: String,
    ca_path: PathBuf,
    /// The directory to remove on drop (one the server made itself).
    own_dir: Option<PathBuf>,
    control_url: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl HostileServer {
    /// Starts every listener, writing the CA to a fresh directory under the
    /// system's temporary directory.
    pub fn start() -> io::Result<HostileServer> {
        Self::start_with_ca_dir(None)
    }

    /// Starts every listener, writing the CA (`ca.pem`) into `ca_dir` (made
    /// if missing), or into a fresh temporary directory for `None`.
    pub fn start_with_ca_dir(ca_dir: Option<&Path>) -> io::Result<HostileServer> {
        let certs = tls::Certs::generate()?;
        let (dir, own_dir) = match ca_dir {
            Some(d) => (d.to_path_buf(), None),
            None => {
                let d = std::env::temp_dir().join(format!(
                    "gameye-hostile-{}-{}",
                    std::process::id(),
                    unique()
                ));
                (d.clone(), Some(d))
            }
        };
        std::fs::create_dir_all(&dir)?;
        let ca_path = dir.join("ca.pem");
        std::fs::write(&ca_path, &certs.ca_pem)?;

        let mut plan: Vec<(String, Scheme, SocketAddr, Listener)> = Vec::new();
        let v4 = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        for (name, behaviour) in Behaviour::ALL {
            plan.push((
                name.into(),
                Scheme::Http,
                v4,
                Listener::new(behaviour, None),
            ));
            let tls = Some(Arc::clone(&certs.good));
            plan.push((
                name.into(),
                Scheme::Https,
                v4,
                Listener::new(behaviour, tls),
            ));
        }
        let bad = [
            (BAD_TLS[0], Behaviour::Ok, Some(&certs.self_signed)),
            (BAD_TLS[1], Behaviour::Ok, Some(&certs.wrong_host)),
            (BAD_TLS[2], Behaviour::Ok, Some(&certs.expired)),
            (BAD_TLS[3], Behaviour::OldTls, None),
        ];
        for (name, behaviour, config) in bad {
            let listener = Listener::new(behaviour, config.map(Arc::clone));
            plan.push((name.into(), Scheme::Https, v4, listener));
        }
        Self::bind_all(plan, certs.ca_pem, ca_path, own_dir, &certs.good)
    }

    /// Binds every planned listener here (so errors reach the caller and
    /// each port accepts connections once this returns), then serves them
    /// on a thread of its own.
    fn bind_all(
        plan: Vec<(String, Scheme, SocketAddr, Listener)>,
        ca_pem: String,
        ca_path: PathBuf,
        own_dir: Option<PathBuf>,
        good: &Arc<rustls::ServerConfig>,
    ) -> io::Result<HostileServer> {
        let mut urls = BTreeMap::new();
        let mut counters = BTreeMap::new();
        let mut bound = Vec::new();
        let mut bind =
            |name: &str, scheme: Scheme, listener: std::net::TcpListener, l: Listener| {
                let addr = listener.local_addr()?;
                urls.insert(
                    (name.to_owned(), scheme),
                    format!("{}://{addr}", scheme.as_str()),
                );
                counters.insert((name.to_owned(), scheme), Arc::clone(&l.counters));
                listener.set_nonblocking(true)?;
                bound.push((listener, Arc::new(l)));
                Ok::<_, io::Error>(())
            };
        for (name, scheme, addr, l) in plan {
            bind(&name, scheme, std::net::TcpListener::bind(addr)?, l)?;
        }
        // IPv6 loopback: absent (and left out of the manifest) where the
        // machine has none; the tests say so, or fail under CI.
        let v6 = SocketAddr::from((Ipv6Addr::LOCALHOST, 0));
        if let Ok(l6) = std::net::TcpListener::bind(v6) {
            bind(
                "ok_v6",
                Scheme::Http,
                l6,
                Listener::new(Behaviour::Ok, None),
            )?;
            let l6 = std::net::TcpListener::bind(v6)?;
            let tls = Some(Arc::clone(good));
            bind(
                "ok_v6",
                Scheme::Https,
                l6,
                Listener::new(Behaviour::Ok, tls),
            )?;
        }
        let control = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        control.set_nonblocking(true)?;
        let control_url = format!("http://{}", control.local_addr()?);

        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let control_counters = counters.clone();
        let thread = std::thread::Builder::new()
            .name("gameye-hostile".into())
            .spawn(move || {
                block_sigpipe();
                runtime.block_on(async move {
                    for (std_listener, l) in bound {
                        if let Ok(listener) = tokio::net::TcpListener::from_std(std_listener) {
                            tokio::spawn(accept_loop(listener, l));
                        }
                    }
                    if let Ok(control) = tokio::net::TcpListener::from_std(control) {
                        tokio::spawn(control_loop(control, control_counters));
                    }
                    let _ = stopped.await;
                });
            })?;
        Ok(HostileServer {
            urls,
            counters,
            ca_pem,
            ca_path,
            own_dir,
            control_url,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// The URL of listener `name` over `scheme`, such as
    /// `http://127.0.0.1:41234`. Panics when there is no such listener.
    pub fn url(&self, name: &str, scheme: Scheme) -> String {
        self.try_url(name, scheme)
            .unwrap_or_else(|| panic!("no listener {name} over {scheme:?}"))
            .to_owned()
    }

    /// The URL of listener `name` over `scheme`, if it exists (`ok_v6` does
    /// not where the machine has no IPv6 loopback).
    pub fn try_url(&self, name: &str, scheme: Scheme) -> Option<&str> {
        self.urls
            .get(&(name.to_owned(), scheme))
            .map(String::as_str)
    }

    /// The test CA's certificate (PEM).
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// The file holding [`HostileServer::ca_pem`]: a client's `ca_bundle_path`.
    pub fn ca_path(&self) -> &Path {
        &self.ca_path
    }

    /// What listener `name` over `scheme` has seen so far.
    pub fn counts(&self, name: &str, scheme: Scheme) -> Counts {
        let c = &self.counters[&(name.to_owned(), scheme)];
        Counts {
            connections: c.connections.load(Ordering::SeqCst),
            requests: c.requests.load(Ordering::SeqCst),
        }
    }

    /// The control listener's URL: `GET /counts/NAME/SCHEME` answers
    /// `{"connections":N,"requests":M}`, `GET /counts` every listener's.
    pub fn control_url(&self) -> &str {
        &self.control_url
    }

    /// One JSON line: `{"ca": PATH, "control": URL, "listeners": {NAME:
    /// {"http": URL, "https": URL}, ...}}` (a TLS-only listener has no `http`).
    pub fn manifest_json(&self) -> String {
        let mut listeners = serde_json::Map::new();
        for ((name, scheme), url) in &self.urls {
            let entry = listeners
                .entry(name.clone())
                .or_insert_with(|| serde_json::json!({}));
            entry[scheme.as_str()] = url.clone().into();
        }
        serde_json::json!({
            "ca": self.ca_path,
            "control": self.control_url,
            "listeners": listeners,
        })
        .to_string()
    }
}

impl Drop for HostileServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        if let Some(dir) = self.own_dir.take() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// A number unique within the process, for directory names.
fn unique() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// Blocks SIGPIPE on the calling thread: a write to a peer that is gone then
/// fails with EPIPE here instead of raising the signal (which would kill a
/// test process that set SIGPIPE to its default).
fn block_sigpipe() {
    #[cfg(unix)]
    // SAFETY: plain libc calls on a local, initialised signal set.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGPIPE);
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
    }
}

async fn accept_loop(listener: tokio::net::TcpListener, l: Arc<Listener>) {
    loop {
        let Ok((tcp, _)) = listener.accept().await else {
            // Out of descriptors or the like: let some close, then go on.
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        l.counters.connections.fetch_add(1, Ordering::SeqCst);
        let _ = tcp.set_nodelay(true);
        let l = Arc::clone(&l);
        tokio::spawn(async move {
            if l.behaviour == Behaviour::OldTls {
                return tls::fake_tls11(tcp).await;
            }
            let conn = match &l.tls {
                None => http::Conn::Plain(tcp),
                Some(config) => {
                    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::clone(config));
                    match tokio::time::timeout(Duration::from_secs(10), acceptor.accept(tcp)).await
                    {
                        Ok(Ok(tls)) => http::Conn::Tls(Box::new(tls)),
                        // A refused certificate ends here: no request counted.
                        _ => return,
                    }
                }
            };
            behaviours::serve(conn, l).await;
        });
    }
}

/// Serves the counts: `GET /counts` and `GET /counts/NAME/SCHEME`.
async fn control_loop(
    listener: tokio::net::TcpListener,
    counters: BTreeMap<(String, Scheme), Arc<Counters>>,
) {
    let counters = Arc::new(counters);
    loop {
        let Ok((tcp, _)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        let counters = Arc::clone(&counters);
        tokio::spawn(async move {
            let mut conn = http::Conn::Plain(tcp);
            let mut buf = Vec::new();
            while let Ok(Some(req)) =
                http::read_head(&mut conn, &mut buf, Duration::from_secs(30)).await
            {
                let answer = control_answer(&req.path, &counters);
                if conn.send(&answer).await.is_err() {
                    return;
                }
            }
        });
    }
}

fn control_answer(path: &str, counters: &BTreeMap<(String, Scheme), Arc<Counters>>) -> Vec<u8> {
    let counts = |c: &Counters| {
        serde_json::json!({
            "connections": c.connections.load(Ordering::SeqCst),
            "requests": c.requests.load(Ordering::SeqCst),
        })
    };
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    match parts.as_slice() {
        ["counts"] => {
            let mut all = serde_json::Map::new();
            for ((name, scheme), c) in counters {
                let entry = all
                    .entry(name.clone())
                    .or_insert_with(|| serde_json::json!({}));
                entry[scheme.as_str()] = counts(c);
            }
            http::json(200, &serde_json::Value::Object(all))
        }
        ["counts", name, scheme] => {
            let scheme = match *scheme {
                "http" => Scheme::Http,
                _ => Scheme::Https,
            };
            match counters.get(&((*name).to_owned(), scheme)) {
                Some(c) => http::json(200, &counts(c)),
                None => http::json(404, &serde_json::json!({"message": "no such listener"})),
            }
        }
        _ => http::json(
            404,
            &serde_json::json!({"message": "GET /counts[/NAME/SCHEME]"}),
        ),
    }
}

#[cfg(test)]
mod tests;
