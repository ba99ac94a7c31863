//! TLS settings: one rustls configuration per client, shared by every
//! connection of the client (its I/O threads' and each thread's fast path),
//! so a reconnect resumes an earlier TLS session instead of a full handshake.

use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;

use crate::config::ClientConfig;
use crate::error::{Error, Result};

/// The rustls client configuration for `config`: the built-in Mozilla roots
/// (webpki-roots) and the extra roots of `ca_bundle_path`; TLS 1.2 and 1.3
/// (rustls supports nothing older); HTTP/1.1 by ALPN; session resumption
/// (tickets and TLS 1.3 PSK) from rustls's in-memory cache. Verification is
/// always on.
pub(crate) fn client_config(config: &ClientConfig) -> Result<Arc<rustls::ClientConfig>> {
    let mut roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    if let Some(path) = &config.ca_bundle_path {
        for cert in read_ca_bundle(path)? {
            roots.add(cert).map_err(|e| {
                Error::invalid_config(
                    "ca_bundle_path",
                    format!("{} holds a certificate rustls refuses: {e}", path.display()),
                )
            })?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::invalid_config("(tls)", format!("cannot set up TLS: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    tls.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(tls))
}

/// The certificates of a PEM bundle; an error names `ca_bundle_path`.
fn read_ca_bundle(path: &std::path::Path) -> Result<Vec<CertificateDer<'static>>> {
    let pem = std::fs::read(path).map_err(|e| {
        Error::invalid_config(
            "ca_bundle_path",
            format!("cannot read {}: {e}", path.display()),
        )
    })?;
    let certs = CertificateDer::pem_slice_iter(&pem)
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| {
            Error::invalid_config(
                "ca_bundle_path",
                format!("{} is not PEM: {e}", path.display()),
            )
        })?;
    if certs.is_empty() {
        return Err(Error::invalid_config(
            "ca_bundle_path",
            format!("{} holds no certificate", path.display()),
        ));
    }
    Ok(certs)
}
