//! Fleet queries: available locations and tags.

use std::ffi::c_char;

use crate::client::GameyeClient;
use crate::ffi::{arg_ref, arg_str, try_arg};
use crate::panic::ffi_boundary;
use crate::result::{self, from_core, GameyeResult};

/// The locations that can currently host `image`:
/// `GET /available-location/{image}`, blocking. Do not cache the answer.
///
/// Returns a result (never NULL), freed with `gameye_result_free`; on success
/// `locations`/`locations_len` hold each location's id and ping IPs.
/// Thread safety: any thread.
///
/// # Safety
/// `client` is NULL or a live client; `image` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn gameye_locations_available(
    client: *const GameyeClient,
    image: *const c_char,
) -> *mut GameyeResult {
    ffi_boundary!(result::panicked, {
        // SAFETY: as documented.
        let client = try_arg!(unsafe { arg_ref(client, "client") });
        let image = try_arg!(unsafe { arg_str(image, "image") });
        from_core(client.client.available_locations(image), |r, locations| {
            result::fill_locations(r, locations)
        })
    })
}

/// Whether an image tag exists in a region: `GET /tag/{region}/{image}/{version}`, blocking.
///
/// Returns a result (never NULL), freed with `gameye_result_free`; on success
/// `tag_exists` is 1 or 0.
/// Thread safety: any thread.
///
/// # Safety
/// `client` is NULL or a live client; the strings are NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn gameye_tag_exists(
    client: *const GameyeClient,
    region: *const c_char,
    image: *const c_char,
    version: *const c_char,
) -> *mut GameyeResult {
    ffi_boundary!(result::panicked, {
        // SAFETY: as documented.
        let client = try_arg!(unsafe { arg_ref(client, "client") });
        let region = try_arg!(unsafe { arg_str(region, "region") });
        let image = try_arg!(unsafe { arg_str(image, "image") });
        let version = try_arg!(unsafe { arg_str(version, "version") });
        from_core(
            client.client.tag_exists(region, image, version),
            result::fill_tag,
        )
    })
}
