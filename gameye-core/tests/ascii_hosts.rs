//! The library is built without Unicode tables for internationalized domain
//! names (`idna_adapter` 1.0, see gameye-core/Cargo.toml): an ASCII host and
//! an IDN in its xn-- form work, a host with Unicode letters is a clear
//! configuration error naming `base_url`, never a crash.

use gameye_core::{Client, ClientConfig, ErrorKind};

#[test]
fn ascii_and_punycode_hosts_are_accepted() {
    for url in [
        "https://api.sandbox-gameye.gameye.net",
        "https://xn--bcher-kva.example",
        "http://127.0.0.1:8080",
    ] {
        let client = Client::new(ClientConfig::new("token").base_url(url));
        assert!(client.is_ok(), "{url}: {:?}", client.err());
    }
}

#[test]
fn a_unicode_host_is_an_invalid_base_url() {
    let err = Client::new(ClientConfig::new("token").base_url("https://bücher.example"))
        .expect_err("a Unicode host needs IDNA tables this build leaves out");
    assert_eq!(err.kind(), ErrorKind::InvalidConfig);
    assert!(err.to_string().contains("base_url"), "{err}");
}
