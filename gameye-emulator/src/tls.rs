//! https: the emulator's TLS server, a test CA for it, and its handshake
//! counts.
//!
//! With [`crate::EmulatorConfig::tls`] set, the emulator serves https only,
//! on the same listener. rustls (with ring, as the SDK) does the TLS; the
//! handshake runs on the connection's own task, not on the accept loop, and
//! gives up after [`TlsConfig::handshake_timeout`], so a client that
//! connects and says nothing holds up nobody else. Session resumption is on
//! (a server-side session cache and TLS 1.3 tickets), and every handshake
//! is counted ([`TlsStats`]), so a test can check that a client resumed.
//!
//! The TLS stream sits over the connection wrapper of `conn`, so the fault
//! rules that close or reset a connection work over https as over http: not
//! a byte (of the response, or of a TLS alert) leaves after the kill.

use std::future::Future;
use std::io;
use std::path::Path;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::HandshakeKind;
use serde::Serialize;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

/// Default of [`TlsConfig::handshake_timeout`].
pub const DEFAULT_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// How many TLS sessions the server remembers for resumption by session id
/// (TLS 1.3 clients resume with stateless tickets instead).
const SESSION_CACHE_SIZE: usize = 1024;

/// The certificate and key the emulator serves https with.
///
/// Not part of a JSON config file (a file would hold a private key, or
/// paths to one): the binary takes `--tls-cert` and `--tls-key` (or
/// `--tls-test-ca`), Rust code sets [`crate::EmulatorConfig::tls`].
#[derive(Clone, PartialEq, Eq)]
pub struct TlsConfig {
    /// The server's certificate chain in PEM: its own certificate first,
    /// then any intermediates.
    pub cert_chain_pem: String,
    /// The server certificate's private key in PEM (PKCS#8, PKCS#1 or SEC1).
    pub key_pem: String,
    /// How long a client may take to finish its TLS handshake before the
    /// connection is closed. Default 10 s ([`DEFAULT_HANDSHAKE_TIMEOUT`]).
    pub handshake_timeout: Duration,
}

// By hand, so a debug print of a config never shows the private key.
impl std::fmt::Debug for TlsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsConfig")
            .field("cert_chain_pem", &self.cert_chain_pem)
            .field("key_pem", &"[REDACTED]")
            .field("handshake_timeout", &self.handshake_timeout)
            .finish()
    }
}

impl TlsConfig {
    /// A certificate chain and key, both PEM text.
    pub fn new(cert_chain_pem: impl Into<String>, key_pem: impl Into<String>) -> Self {
        TlsConfig {
            cert_chain_pem: cert_chain_pem.into(),
            key_pem: key_pem.into(),
            handshake_timeout: DEFAULT_HANDSHAKE_TIMEOUT,
        }
    }

    /// Reads the chain and key from PEM files (the binary's `--tls-cert` and
    /// `--tls-key`), and checks them.
    pub fn from_pem_files(cert: &Path, key: &Path) -> Result<Self, String> {
        let read = |p: &Path, what: &str| {
            std::fs::read_to_string(p)
                .map_err(|e| format!("cannot read {what} {}: {e}", p.display()))
        };
        let config = TlsConfig::new(read(cert, "--tls-cert")?, read(key, "--tls-key")?);
        config.server_config()?;
        Ok(config)
    }

    /// The rustls server configuration: ring, TLS 1.3, HTTP/1.1 by ALPN,
    /// session resumption on. Errors name what is wrong with the PEM.
    pub(crate) fn server_config(&self) -> Result<rustls::ServerConfig, String> {
        let certs = CertificateDer::pem_slice_iter(self.cert_chain_pem.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("tls: the certificate chain is not PEM: {e}"))?;
        if certs.is_empty() {
            return Err("tls: the certificate chain holds no certificate".to_string());
        }
        let key = PrivateKeyDer::from_pem_slice(self.key_pem.as_bytes())
            .map_err(|e| format!("tls: the private key is not a PEM private key: {e}"))?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("tls: {e}"))?
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .map_err(|e| format!("tls: the certificate and key do not fit: {e}"))?;
        // The emulator speaks HTTP/1.1 only; saying so lets an h2-preferring
        // client settle on it during the handshake.
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        config.session_storage = rustls::server::ServerSessionMemoryCache::new(SESSION_CACHE_SIZE);
        config.ticketer =
            rustls::crypto::ring::Ticketer::new().map_err(|e| format!("tls: tickets: {e}"))?;
        Ok(config)
    }
}

/// What the TLS server has seen since the emulator started
/// ([`crate::Emulator::tls_stats`], `GET /_emulator/tls`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct TlsStats {
    /// Handshakes completed, full and resumed.
    pub handshakes: u64,
    /// Of those, how many resumed an earlier TLS session (rustls'
    /// `HandshakeKind::Resumed`) instead of a full handshake.
    pub resumed: u64,
    /// Handshakes that failed or timed out (a client that does not trust
    /// the certificate, or says nothing, or speaks plain http).
    pub failed: u64,
}

#[derive(Default)]
struct Counters {
    handshakes: AtomicU64,
    resumed: AtomicU64,
    failed: AtomicU64,
}

/// The emulator's TLS side: the acceptor every connection shares, and the
/// counts.
pub(crate) struct TlsServer {
    acceptor: TlsAcceptor,
    handshake_timeout: Duration,
    counters: Arc<Counters>,
}

impl TlsServer {
    pub(crate) fn new(config: &TlsConfig) -> io::Result<Self> {
        let server = config
            .server_config()
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        Ok(TlsServer {
            acceptor: TlsAcceptor::from(Arc::new(server)),
            handshake_timeout: config.handshake_timeout,
            counters: Arc::default(),
        })
    }

    pub(crate) fn stats(&self) -> TlsStats {
        let c = &self.counters;
        TlsStats {
            handshakes: c.handshakes.load(Ordering::Relaxed),
            resumed: c.resumed.load(Ordering::Relaxed),
            failed: c.failed.load(Ordering::Relaxed),
        }
    }

    /// Wraps an accepted connection; the handshake happens on its first
    /// read or write, on the task that serves the connection.
    pub(crate) fn wrap<IO>(&self, io: IO) -> TlsIo<IO>
    where
        IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let accept = self.acceptor.accept(io);
        let timeout = self.handshake_timeout;
        let counters = Arc::clone(&self.counters);
        TlsIo::Handshaking(Box::pin(async move {
            // Held until the count is made: a timed-out handshake's socket
            // closes when this drops, and whoever sees it closed may read
            // the counts at once.
            let mut accept = std::pin::pin!(tokio::time::timeout(timeout, accept));
            let result = match accept.as_mut().await {
                Ok(r) => r,
                Err(_) => Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "the TLS handshake timed out",
                )),
            };
            match &result {
                Ok(stream) => {
                    counters.handshakes.fetch_add(1, Ordering::Relaxed);
                    if stream.get_ref().1.handshake_kind() == Some(HandshakeKind::Resumed) {
                        counters.resumed.fetch_add(1, Ordering::Relaxed);
                    }
                }
                Err(_) => {
                    counters.failed.fetch_add(1, Ordering::Relaxed);
                }
            }
            result
        }))
    }
}

type Handshake<IO> = Pin<Box<dyn Future<Output = io::Result<TlsStream<IO>>> + Send>>;

/// A server-side TLS connection over `IO` (the emulator's connection
/// wrapper) that finishes its handshake when first used.
pub(crate) enum TlsIo<IO> {
    Handshaking(Handshake<IO>),
    Ready(Box<TlsStream<IO>>),
    /// The handshake failed (its connection is closed already).
    Failed,
}

fn handshake_failed() -> io::Error {
    io::Error::new(io::ErrorKind::NotConnected, "the TLS handshake failed")
}

impl<IO: AsyncRead + AsyncWrite + Unpin> TlsIo<IO> {
    pub(crate) fn is_handshaking(&self) -> bool {
        matches!(self, TlsIo::Handshaking(_))
    }

    /// Drives the handshake; ready once the stream can carry data.
    fn poll_stream(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<&mut TlsStream<IO>>> {
        if let TlsIo::Handshaking(handshake) = self {
            *self = match ready!(handshake.as_mut().poll(cx)) {
                Ok(stream) => TlsIo::Ready(Box::new(stream)),
                Err(e) => {
                    *self = TlsIo::Failed;
                    return Poll::Ready(Err(e));
                }
            };
        }
        match self {
            TlsIo::Ready(stream) => Poll::Ready(Ok(stream)),
            _ => Poll::Ready(Err(handshake_failed())),
        }
    }
}

impl<IO: AsyncRead + AsyncWrite + Unpin> AsyncRead for TlsIo<IO> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let stream = ready!(self.get_mut().poll_stream(cx))?;
        Pin::new(stream).poll_read(cx, buf)
    }
}

impl<IO: AsyncRead + AsyncWrite + Unpin> AsyncWrite for TlsIo<IO> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let stream = ready!(self.get_mut().poll_stream(cx))?;
        Pin::new(stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let stream = ready!(self.get_mut().poll_stream(cx))?;
        Pin::new(stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        match self {
            TlsIo::Ready(stream) => stream.is_write_vectored(),
            _ => false,
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let stream = ready!(self.get_mut().poll_stream(cx))?;
        Pin::new(stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        match this {
            TlsIo::Ready(stream) => Pin::new(stream).poll_shutdown(cx),
            // Closing before the handshake finished: drop it (and the socket).
            TlsIo::Handshaking(_) | TlsIo::Failed => {
                *this = TlsIo::Failed;
                Poll::Ready(Ok(()))
            }
        }
    }
}

/// A throwaway certificate authority and a server certificate it signed,
/// for https on loopback: `127.0.0.1`, `::1` and `localhost`.
///
/// For tests and offline development only. Its CA key is dropped as soon as
/// the server certificate is signed, so nothing else can ever be signed by
/// it, and the CA is name-constrained to those three names besides: even a
/// CA someone added to a system trust store vouches for loopback and
/// nothing else. Every call makes a new CA.
///
/// ```
/// use gameye_emulator::{tls::TestCa, Emulator, EmulatorConfig};
///
/// let ca = TestCa::generate().unwrap();
/// let emu = Emulator::start(EmulatorConfig {
///     tls: Some(ca.tls_config()),
///     ..EmulatorConfig::default()
/// })
/// .unwrap();
/// assert!(emu.base_url().starts_with("https://127.0.0.1:"));
/// // A client trusting `ca.ca_pem` (e.g. a file given as `ca_bundle_path`)
/// // now talks https to `emu.base_url()`.
/// ```
#[derive(Clone)]
pub struct TestCa {
    /// The CA's certificate (PEM): what a client should trust.
    pub ca_pem: String,
    /// The server certificate (PEM), signed by the CA.
    pub cert_pem: String,
    /// The server certificate's private key (PKCS#8 PEM).
    pub key_pem: String,
}

impl std::fmt::Debug for TestCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestCa")
            .field("ca_pem", &self.ca_pem)
            .field("cert_pem", &self.cert_pem)
            .field("key_pem", &"[REDACTED]")
            .finish()
    }
}

/// The names the test server certificate holds.
const LOOPBACK_NAMES: [&str; 3] = ["127.0.0.1", "::1", "localhost"];

impl TestCa {
    /// Makes a new CA (ECDSA P-256) and a server certificate for
    /// `127.0.0.1`, `::1` and `localhost` signed by it.
    pub fn generate() -> Result<TestCa, String> {
        use rcgen::{
            BasicConstraints, CertificateParams, CidrSubnet, DnType, ExtendedKeyUsagePurpose,
            GeneralSubtree, IsCa, Issuer, KeyPair, KeyUsagePurpose, NameConstraints,
        };
        let err = |e: rcgen::Error| format!("cannot make the test CA: {e}");

        let ca_key = KeyPair::generate().map_err(err)?;
        let mut ca = CertificateParams::default();
        ca.distinguished_name = rcgen::DistinguishedName::new();
        ca.distinguished_name
            .push(DnType::CommonName, "gameye-emulator test CA");
        ca.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        ca.name_constraints = Some(NameConstraints {
            permitted_subtrees: vec![
                GeneralSubtree::DnsName("localhost".to_string()),
                GeneralSubtree::IpAddress(CidrSubnet::from_v4_prefix([127, 0, 0, 1], 32)),
                GeneralSubtree::IpAddress(CidrSubnet::from_v6_prefix(
                    std::net::Ipv6Addr::LOCALHOST.octets(),
                    128,
                )),
            ],
            excluded_subtrees: Vec::new(),
        });
        let ca_cert = ca.self_signed(&ca_key).map_err(err)?;
        let issuer = Issuer::new(ca, ca_key);

        let server_key = KeyPair::generate().map_err(err)?;
        let mut server = CertificateParams::new(LOOPBACK_NAMES.map(str::to_string)).map_err(err)?;
        server.distinguished_name = rcgen::DistinguishedName::new();
        server
            .distinguished_name
            .push(DnType::CommonName, "gameye-emulator");
        server.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        server.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        server.use_authority_key_identifier_extension = true;
        let server_cert = server.signed_by(&server_key, &issuer).map_err(err)?;
        Ok(TestCa {
            ca_pem: ca_cert.pem(),
            cert_pem: server_cert.pem(),
            key_pem: server_key.serialize_pem(),
        })
    }

    /// The emulator's TLS config: the server certificate and its key.
    pub fn tls_config(&self) -> TlsConfig {
        TlsConfig::new(self.cert_pem.clone(), self.key_pem.clone())
    }

    /// Writes `ca.pem`, `cert.pem` and `key.pem` (readable by the owner
    /// only, on Unix) into `dir`, creating it if needed. Each file is
    /// written under a temporary name and renamed, so a reader never sees
    /// half of one.
    pub fn write_to(&self, dir: &Path) -> io::Result<()> {
        std::fs::create_dir_all(dir)?;
        write_file(&dir.join("key.pem"), &self.key_pem, true)?;
        write_file(&dir.join("cert.pem"), &self.cert_pem, false)?;
        write_file(&dir.join("ca.pem"), &self.ca_pem, false)
    }
}

fn write_file(path: &Path, text: &str, private: bool) -> io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".tmp{}", std::process::id()));
    let tmp = std::path::PathBuf::from(tmp);
    let _ = std::fs::remove_file(&tmp);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    let result = (|| {
        use std::io::Write;
        let mut f = options.open(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_ca_builds_a_server_config_and_bad_pem_is_named() {
        let ca = TestCa::generate().unwrap();
        assert!(ca.ca_pem.starts_with("-----BEGIN CERTIFICATE-----"));
        ca.tls_config().server_config().unwrap();
        assert!(!format!("{ca:?}").contains("PRIVATE KEY"));
        assert!(!format!("{:?}", ca.tls_config()).contains("PRIVATE KEY"));

        let other = TestCa::generate().unwrap();
        assert_ne!(other.ca_pem, ca.ca_pem, "a new CA every time");
        let mismatched = TlsConfig::new(ca.cert_pem.clone(), other.key_pem.clone());
        let e = mismatched.server_config().unwrap_err();
        assert!(e.contains("do not fit"), "{e}");
        let e = TlsConfig::new("", ca.key_pem.clone())
            .server_config()
            .unwrap_err();
        assert!(e.contains("no certificate"), "{e}");
        let e = TlsConfig::new(ca.cert_pem.clone(), "nope")
            .server_config()
            .unwrap_err();
        assert!(e.contains("private key"), "{e}");
    }

    #[test]
    fn write_to_writes_three_files_and_keeps_the_key_private() {
        let dir = tempfile::tempdir().unwrap();
        let ca = TestCa::generate().unwrap();
        ca.write_to(&dir.path().join("sub")).unwrap();
        let read = |n: &str| std::fs::read_to_string(dir.path().join("sub").join(n)).unwrap();
        assert_eq!(read("ca.pem"), ca.ca_pem);
        assert_eq!(read("cert.pem"), ca.cert_pem);
        assert_eq!(read("key.pem"), ca.key_pem);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("sub/key.pem"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "key.pem is the owner's only: {mode:o}");
        }
        let files = std::fs::read_dir(dir.path().join("sub")).unwrap().count();
        assert_eq!(files, 3, "no temporary file left");
        // Files as the binary's --tls-cert/--tls-key read them.
        let sub = dir.path().join("sub");
        TlsConfig::from_pem_files(&sub.join("cert.pem"), &sub.join("key.pem")).unwrap();
        let e =
            TlsConfig::from_pem_files(&sub.join("missing.pem"), &sub.join("key.pem")).unwrap_err();
        assert!(e.contains("--tls-cert"), "{e}");
    }
}
