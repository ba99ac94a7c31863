//! Fleet queries: available locations and tags.

use std::ffi::c_char;

use crate::args::{arg_str, try_arg};
use crate::client::{client_and_str, GameyeClient};
use crate::operation::GameyeOperation;
use crate::panic::ffi_panic_boundary;
use crate::result::{self, from_core, GameyeResult};
use crate::spawn::{start_call, try_arg_op};

type TagArgs<'a> = (&'a GameyeClient, [String; 3]);

/// The checked arguments of `gameye_tag_exists`.
fn tag_args<'a>(
    client: *const GameyeClient,
    region: *const c_char,
    image: *const c_char,
    version: *const c_char,
) -> Result<TagArgs<'a>, *mut GameyeResult> {
    let (client, region) = client_and_str(client, region, "region")?;
    let image = arg_str(image, "image")?.to_owned();
    let version = arg_str(version, "version")?.to_owned();
    Ok((client, [region, image, version]))
}

/// The locations that can currently host `image`:
/// `GET /available-location/{image}`, blocking. Do not cache the answer.
///
/// Returns a result (never NULL), freed with `gameye_result_free`; on success
/// `locations`/`locations_len` hold each location's id and ping IPs.
/// Path parameters are sent literally, each as exactly one percent-encoded
/// path segment (`a/b` is `a%2Fb`); `.`, `..` and values with control
/// characters (tab, CR, LF, NUL, ...) are refused before sending with
/// `GAMEYE_STATUS_INVALID_REQUEST` naming the field.
/// Thread safety: any thread.
///
/// # Safety
/// `client` is NULL or a live client; `image` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn gameye_locations_available(
    client: *const GameyeClient,
    image: *const c_char,
) -> *mut GameyeResult {
    ffi_panic_boundary!({
        let (client, image) = try_arg!(client_and_str(client, image, "image"));
        from_core(client.client.available_locations(&image), |r, locations| {
            result::fill_locations(r, locations)
        })
    })
}

/// Whether an image tag exists in a region: `GET /tag/{region}/{image}/{version}`, blocking.
///
/// Returns a result (never NULL), freed with `gameye_result_free`; on success
/// `tag_exists` is 1 or 0.
/// Path parameters are sent literally, each as exactly one percent-encoded
/// path segment (`a/b` is `a%2Fb`); `.`, `..` and values with control
/// characters (tab, CR, LF, NUL, ...) are refused before sending with
/// `GAMEYE_STATUS_INVALID_REQUEST` naming the field.
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
    ffi_panic_boundary!({
        let (client, [region, image, version]) = try_arg!(tag_args(client, region, image, version));
        from_core(
            client.client.tag_exists(&region, &image, &version),
            result::fill_tag,
        )
    })
}

/// Non-blocking `gameye_locations_available`; see `gameye_session_create_async`.
///
/// # Safety
/// As `gameye_locations_available`; the arguments are copied before it returns.
#[no_mangle]
pub unsafe extern "C" fn gameye_locations_available_async(
    client: *const GameyeClient,
    image: *const c_char,
) -> *mut GameyeOperation {
    ffi_panic_boundary!({
        let (client, image) = try_arg_op!(client_and_str(client, image, "image"));
        start_call(
            client,
            |c| async move { c.available_locations_async(&image).await },
            |r, locations| result::fill_locations(r, locations),
        )
    })
}

/// Non-blocking `gameye_tag_exists`; see `gameye_session_create_async`.
///
/// # Safety
/// As `gameye_tag_exists`; the arguments are copied before it returns.
#[no_mangle]
pub unsafe extern "C" fn gameye_tag_exists_async(
    client: *const GameyeClient,
    region: *const c_char,
    image: *const c_char,
    version: *const c_char,
) -> *mut GameyeOperation {
    ffi_panic_boundary!({
        let (client, [region, image, version]) =
            try_arg_op!(tag_args(client, region, image, version));
        start_call(
            client,
            |c| async move { c.tag_exists_async(&region, &image, &version).await },
            result::fill_tag,
        )
    })
}
