//! The test CA and the server certificates: a good one (127.0.0.1, ::1 and
//! localhost, signed by the CA) and the three bad ones (self-signed, signed
//! for another host, expired), each as a rustls server config; and the fake
//! TLS 1.1 server, which no rustls client may accept.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::ServerConfig;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The names every good certificate is valid for.
const GOOD_NAMES: [&str; 3] = ["127.0.0.1", "::1", "localhost"];

/// The CA and the server configs signed (or not) by it.
pub(crate) struct Certs {
    /// The CA certificate, PEM: what a client adds as its `ca_bundle_path`.
    pub ca_pem: String,
    /// Signed by the CA for [`GOOD_NAMES`].
    pub good: Arc<ServerConfig>,
    /// Self-signed for the good names: not chained to the CA.
    pub self_signed: Arc<ServerConfig>,
    /// Signed by the CA, but for `wrong.example` only.
    pub wrong_host: Arc<ServerConfig>,
    /// Signed by the CA for the good names, valid only in 2000.
    pub expired: Arc<ServerConfig>,
}

fn tls_err(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(e.to_string())
}

impl Certs {
    /// A fresh CA and its certificates (ECDSA P-256: cheap to make and to
    /// handshake with, even in a debug build).
    pub(crate) fn generate() -> io::Result<Certs> {
        let ca_key = KeyPair::generate().map_err(tls_err)?;
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(tls_err)?;
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let mut name = DistinguishedName::new();
        name.push(DnType::CommonName, "gameye-hostile test CA");
        ca_params.distinguished_name = name;
        let ca_cert = ca_params.self_signed(&ca_key).map_err(tls_err)?;
        let ca = Issuer::new(ca_params, ca_key);

        let leaf = |names: &[&str], expired: bool| -> io::Result<Arc<ServerConfig>> {
            let key = KeyPair::generate().map_err(tls_err)?;
            let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
            let mut params = CertificateParams::new(names).map_err(tls_err)?;
            if expired {
                params.not_before = rcgen::date_time_ymd(2000, 1, 1);
                params.not_after = rcgen::date_time_ymd(2001, 1, 1);
            }
            let cert = params.signed_by(&key, &ca).map_err(tls_err)?;
            server_config(cert.der().clone(), &key)
        };
        let self_signed = {
            let key = KeyPair::generate().map_err(tls_err)?;
            let names: Vec<String> = GOOD_NAMES.iter().map(|s| s.to_string()).collect();
            let cert = CertificateParams::new(names)
                .and_then(|p| p.self_signed(&key))
                .map_err(tls_err)?;
            server_config(cert.der().clone(), &key)?
        };
        Ok(Certs {
            ca_pem: ca_cert.pem(),
            good: leaf(&GOOD_NAMES, false)?,
            self_signed,
            wrong_host: leaf(&["wrong.example"], false)?,
            expired: leaf(&GOOD_NAMES, true)?,
        })
    }
}

fn server_config(cert: CertificateDer<'static>, key: &KeyPair) -> io::Result<Arc<ServerConfig>> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(tls_err)?
        .with_no_client_auth()
        .with_single_cert(vec![cert], PrivateKeyDer::Pkcs8(key.serialize_der().into()))
        .map_err(tls_err)?;
    Ok(Arc::new(config))
}

/// Plays a TLS 1.1 server: reads the ClientHello record, answers with a
/// ServerHello whose version is 0x0302 (TLS 1.1, no `supported_versions`
/// extension) and a cipher suite of that era, then waits for the client to
/// give up. A client that accepted it would go on to send a request; it
/// never gets that far with this server, which is the point: the listener's
/// request count must stay 0 and the client must report a TLS failure.
pub(crate) async fn fake_tls11(mut tcp: TcpStream) {
    let mut head = [0u8; 5];
    let read = tokio::time::timeout(Duration::from_secs(10), async {
        tcp.read_exact(&mut head).await?;
        // 22 = handshake record: skip the ClientHello body.
        let len = u16::from_be_bytes([head[3], head[4]]) as usize;
        let mut body = vec![0u8; len];
        tcp.read_exact(&mut body).await?;
        Ok::<_, io::Error>(head[0] == 22)
    })
    .await;
    if !matches!(read, Ok(Ok(true))) {
        return;
    }
    let _ = tcp.write_all(&server_hello_tls11()).await;
    // Hold the connection until the client closes it (its alert, then EOF).
    let mut sink = [0u8; 512];
    let _ = tokio::time::timeout(Duration::from_secs(10), async {
        while matches!(tcp.read(&mut sink).await, Ok(n) if n > 0) {}
    })
    .await;
}

/// A ServerHello record as a TLS 1.1 server sends it.
fn server_hello_tls11() -> Vec<u8> {
    let mut hello = Vec::new();
    hello.extend_from_slice(&[0x03, 0x02]); // server_version: TLS 1.1
    hello.extend_from_slice(&[0x5a; 32]); // random
    hello.push(0); // session_id: empty
    hello.extend_from_slice(&[0x00, 0x2f]); // TLS_RSA_WITH_AES_128_CBC_SHA
    hello.push(0); // compression: null
    let mut handshake = vec![2]; // ServerHello
    handshake.extend_from_slice(&(hello.len() as u32).to_be_bytes()[1..]);
    handshake.extend_from_slice(&hello);
    let mut record = vec![22, 0x03, 0x02]; // handshake record, TLS 1.1
    record.extend_from_slice(&(handshake.len() as u16).to_be_bytes());
    record.extend_from_slice(&handshake);
    record
}
