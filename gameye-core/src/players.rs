//! Player tracking: `PUT /session/player/join` and `DELETE /session/player/leave`.

use reqwest::Method;
use serde::{Deserialize, Serialize};

use crate::client::{Call, Client};
use crate::error::Result;
use crate::response::{decode_json, Response};
use crate::validate::{require_non_empty, require_players};

/// The answer of join and leave (the spec's `JoinSessionOk` / `LeaveSessionOk`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlayerCount {
    /// The total number of players now in the session.
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
        self.block_on(self.join_players_impl(session.to_owned(), players.to_vec()))
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
        self.send(call).await?.into_result(decode_json)
    }

    /// Removes players from their session (`DELETE /session/player/leave`,
    /// a DELETE with a JSON body). The spec's `LeaveSession` names only the
    /// players, not the session: player ids identify it.
    pub fn leave_players(&self, players: &[String]) -> Result<Response<PlayerCount>> {
        self.block_on(self.leave_players_impl(players.to_vec()))
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
        self.send(call).await?.into_result(decode_json)
    }
}
