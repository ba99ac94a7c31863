//! Player tracking: join and leave.

use std::ffi::c_char;

use crate::client::GameyeClient;
use crate::ffi::{arg_ref, arg_str, arg_str_array, try_arg};
use crate::panic::ffi_boundary;
use crate::result::{self, from_core, GameyeResult};

/// Registers players as joined to a session: `PUT /session/player/join`, blocking.
///
/// `players` points to `players_len` player ids (at least one, none empty).
/// Returns a result (never NULL), freed with `gameye_result_free`; on success
/// `player_count` is the session's total and `players` the ids joined.
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
    ffi_boundary!(result::panicked, {
        // SAFETY: as documented.
        let client = try_arg!(unsafe { arg_ref(client, "client") });
        let session = try_arg!(unsafe { arg_str(session, "session") });
        let players = try_arg!(unsafe { arg_str_array(players, players_len, "players") });
        from_core(
            client.client.join_players(session, &players),
            result::fill_players,
        )
    })
}

/// Removes players from their session: `DELETE /session/player/leave`, blocking.
/// (The spec's request names only the players.)
///
/// Returns a result (never NULL), freed with `gameye_result_free`; on success
/// `player_count` is the session's total and `players` the ids removed.
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
    ffi_boundary!(result::panicked, {
        // SAFETY: as documented.
        let client = try_arg!(unsafe { arg_ref(client, "client") });
        let players = try_arg!(unsafe { arg_str_array(players, players_len, "players") });
        from_core(client.client.leave_players(&players), result::fill_players)
    })
}
