//! Player tracking: join and leave.

use std::ffi::c_char;

use crate::args::{arg_ref, arg_str_array, try_arg};
use crate::client::{client_and_str, GameyeClient};
use crate::operation::GameyeOperation;
use crate::panic::ffi_panic_boundary;
use crate::result::{self, from_core, GameyeResult};
use crate::spawn::{start_call, try_arg_op};

type JoinArgs<'a> = (&'a GameyeClient, String, Vec<String>);

/// The checked arguments of `gameye_players_join`.
fn join_args<'a>(
    client: *const GameyeClient,
    session: *const c_char,
    players: *const *const c_char,
    players_len: usize,
) -> Result<JoinArgs<'a>, *mut GameyeResult> {
    let (client, session) = client_and_str(client, session, "session")?;
    let players = arg_str_array(players, players_len, "players")?;
    Ok((client, session, players))
}

/// The checked arguments of `gameye_players_leave`.
fn leave_args<'a>(
    client: *const GameyeClient,
    players: *const *const c_char,
    players_len: usize,
) -> Result<(&'a GameyeClient, Vec<String>), *mut GameyeResult> {
    let client = arg_ref(client, "client")?;
    let players = arg_str_array(players, players_len, "players")?;
    Ok((client, players))
}

/// Registers players as joined to a session: `PUT /session/player/join`, blocking.
///
/// `players` points to `players_len` player ids (at least one, none empty).
/// Returns a result (never NULL), freed with `gameye_result_free`; on success
/// `player_count` is the session's total and `players` the ids joined.
/// A replay answered 409 ("already joined") after an ambiguous attempt is
/// success: the count is read back from the session, which must list them.
/// Thread safety: any thread.
///
/// # Safety
/// `client` is NULL or a live client; `session` is NULL or NUL-terminated;
/// `players` is NULL or points to `players_len` NUL-terminated strings.
#[no_mangle]
pub unsafe extern "C" fn gameye_players_join(
    client: *const GameyeClient,
    session: *const c_char,
    players: *const *const c_char,
    players_len: usize,
) -> *mut GameyeResult {
    ffi_panic_boundary!({
        let (client, session, players) = try_arg!(join_args(client, session, players, players_len));
        from_core(
            client.client.join_players(&session, &players),
            result::fill_players,
        )
    })
}

/// Removes players from their session: `DELETE /session/player/leave`, blocking.
/// (The spec's request names only the players.)
///
/// Returns a result (never NULL), freed with `gameye_result_free`; on success
/// `player_count` is the session's total and `players` the ids removed.
/// A replay answered 404 (no session holds them) after an ambiguous attempt
/// is success: that attempt removed them; `player_count` is then -1
/// (unknown) and `players` the ids asked for.
/// Thread safety: any thread.
///
/// # Safety
/// `client` is NULL or a live client; `players` is NULL or points to
/// `players_len` NUL-terminated strings.
#[no_mangle]
pub unsafe extern "C" fn gameye_players_leave(
    client: *const GameyeClient,
    players: *const *const c_char,
    players_len: usize,
) -> *mut GameyeResult {
    ffi_panic_boundary!({
        let (client, players) = try_arg!(leave_args(client, players, players_len));
        from_core(client.client.leave_players(&players), result::fill_players)
    })
}

/// Non-blocking `gameye_players_join`: returns at once with an operation
/// (never NULL); see `gameye_session_create_async`.
///
/// # Safety
/// As `gameye_players_join`; the arguments are copied before it returns.
#[no_mangle]
pub unsafe extern "C" fn gameye_players_join_async(
    client: *const GameyeClient,
    session: *const c_char,
    players: *const *const c_char,
    players_len: usize,
) -> *mut GameyeOperation {
    ffi_panic_boundary!({
        let (client, session, players) =
            try_arg_op!(join_args(client, session, players, players_len));
        start_call(
            client,
            |c| async move { c.join_players_async(&session, &players).await },
            result::fill_players,
        )
    })
}

/// Non-blocking `gameye_players_leave`; see `gameye_session_create_async`.
///
/// # Safety
/// As `gameye_players_leave`; the arguments are copied before it returns.
#[no_mangle]
pub unsafe extern "C" fn gameye_players_leave_async(
    client: *const GameyeClient,
    players: *const *const c_char,
    players_len: usize,
) -> *mut GameyeOperation {
    ffi_panic_boundary!({
        let (client, players) = try_arg_op!(leave_args(client, players, players_len));
        start_call(
            client,
            |c| async move { c.leave_players_async(&players).await },
            result::fill_players,
        )
    })
}
