//! Player tracking: `PUT /session/player/join` and `DELETE /session/player/leave`.
//!
//! Both are retried like every call. After an ambiguous attempt (sent, its
//! answer lost or a 5xx), the replay's answer is read for what it says:
//! a join answered 409 ("already joined") joined them, and a leave answered
//! 404 ("no session holds these players") removed them.

use http::Method;
use serde::{Deserialize, Serialize};

use crate::call::Call;
use crate::client::Client;
use crate::diagnostics::{log_event, LogLevel};
use crate::error::{Error, ErrorKind, Result};
use crate::response::{decode_json, Response};
use crate::validate::{require_non_empty, require_players};

/// The answer of join and leave (the spec's `JoinSessionOk` / `LeaveSessionOk`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlayerCount {
    /// The total number of players now in the session; -1 when unknown (a
    /// leave whose answer was lost and whose replay met 404).
    pub count: i64,
    /// The player ids the call joined or removed.
    pub players: Vec<String>,
}

#[derive(Serialize)]
struct JoinSession<'a> {
    session: &'a str,
    players: &'a [String],
}

#[derive(Serialize)]
struct LeaveSession<'a> {
    players: &'a [String],
}

impl Client {
    /// Registers players as joined to a session (`PUT /session/player/join`).
    pub fn join_players(&self, session: &str, players: &[String]) -> Result<Response<PlayerCount>> {
        self.block_on(|c| async move {
            c.join_players_impl(session.to_owned(), players.to_vec())
                .await
        })
    }

    /// Registers players as joined, from async code.
    pub async fn join_players_async(
        &self,
        session: &str,
        players: &[String],
    ) -> Result<Response<PlayerCount>> {
        let (this, session, players) = (self.clone(), session.to_owned(), players.to_vec());
        self.spawn(async move { this.join_players_impl(session, players).await })
            .await
    }

    async fn join_players_impl(
        &self,
        session: String,
        players: Vec<String>,
    ) -> Result<Response<PlayerCount>> {
        require_non_empty("session", &session)?;
        require_players(&players)?;
        let call = Call::new(Method::PUT, &["session", "player", "join"]).json(&JoinSession {
            session: &session,
            players: &players,
        })?;
        let raw = self.send(call).await?;
        if raw.status == 409 && raw.attempts.ambiguous {
            return self
                .recover_joined(session, players, raw.attempts.count)
                .await;
        }
        raw.into_result(decode_json)
    }

    /// A replayed join met 409 ("already joined") after an attempt whose
    /// answer was lost: that attempt joined them. The count is read back
    /// from the session, which must list every one of them.
    async fn recover_joined(
        &self,
        session: String,
        players: Vec<String>,
        attempts: u32,
    ) -> Result<Response<PlayerCount>> {
        let conflict = |why: String| {
            Error::new(
                ErrorKind::Conflict,
                format!("join answered 409 after a retry, and {why}"),
            )
            .with_attempts(attempts)
        };
        let described = self
            .get_session_impl(session)
            .await
            .map_err(|e| conflict(format!("describing the session failed: {e}")))?;
        let joined = &described.value.players;
        if let Some(missing) = players.iter().find(|p| !joined.joined.contains(p)) {
            return Err(conflict(format!(
                "player {missing:?} is not in the session"
            )));
        }
        log_event!(
            LogLevel::Info,
            "join recovered after a lost response: {} player(s) in the session",
            joined.joined_count
        );
        Ok(Response {
            value: PlayerCount {
                count: joined.joined_count,
                players,
            },
            http_status: described.http_status,
            body: described.body,
            // The describe is a request of its own, not a join attempt.
            attempts,
        })
    }

    /// Removes players from their session (`DELETE /session/player/leave`,
    /// a DELETE with a JSON body). The spec's `LeaveSession` names only the
    /// players, not the session: player ids identify it.
    pub fn leave_players(&self, players: &[String]) -> Result<Response<PlayerCount>> {
        self.block_on(|c| async move { c.leave_players_impl(players.to_vec()).await })
    }

    /// Removes players, from async code.
    pub async fn leave_players_async(&self, players: &[String]) -> Result<Response<PlayerCount>> {
        let (this, players) = (self.clone(), players.to_vec());
        self.spawn(async move { this.leave_players_impl(players).await })
            .await
    }

    async fn leave_players_impl(&self, players: Vec<String>) -> Result<Response<PlayerCount>> {
        require_players(&players)?;
        let call = Call::new(Method::DELETE, &["session", "player", "leave"])
            .json(&LeaveSession { players: &players })?;
        let raw = self.send(call).await?;
        if raw.status == 404 && raw.attempts.ambiguous {
            // No session holds them after an attempt whose answer was lost:
            // that attempt removed them. The count it gave is lost with it.
            log_event!(
                LogLevel::Info,
                "leave recovered after a lost response: the players are gone"
            );
            return Ok(Response {
                value: PlayerCount { count: -1, players },
                http_status: raw.status,
                body: raw.body,
                attempts: raw.attempts.count,
            });
        }
        raw.into_result(decode_json)
    }
}
