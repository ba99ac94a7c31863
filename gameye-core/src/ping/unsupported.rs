//! Elsewhere: no ICMP prober; pinging fails with `PingNotPermitted`.

use super::options::PingOptions;
use super::probe::{Target, TargetOutcome};
use crate::error::{Error, ErrorKind, Result};

pub(super) fn probe(
    _: &[Target],
    _: &PingOptions,
    _: &(dyn Fn() -> bool + Sync),
) -> Result<(&'static str, Vec<TargetOutcome>)> {
    Err(Error::new(
        ErrorKind::PingNotPermitted,
        "ICMP echo is not implemented on this platform",
    ))
}
