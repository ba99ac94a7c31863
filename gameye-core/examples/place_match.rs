//! Places a match near its players, then runs the session's life cycle:
//! create near the players (falling back past a full location), list, read
//! the logs, stop.
//!
//! ```sh
//! cargo run -p gameye-core --example place_match
//! ```
//!
//! With no `GAMEYE_BASE_URL` it starts the emulator inside the process
//! (`gameye-emulator`, a dev-dependency: no token, no network), where
//! `europe` is made full so the placement moves on to the next location.
//! With `GAMEYE_BASE_URL` (and `GAMEYE_TOKEN`) it talks to that server.

use gameye_core::{
    Client, ClientConfig, ListFilter, LocationLatency, PlacementPolicy, PlayerLatencies,
    SessionRun, StopOptions,
};
use gameye_emulator::{Emulator, EmulatorConfig};

/// One player's measured median round trips, in ms, per location.
fn player(name: &str, rtts: &[(&str, f64)]) -> PlayerLatencies {
    PlayerLatencies {
        player: name.to_string(),
        locations: rtts
            .iter()
            .map(|&(id, ms)| LocationLatency {
                id: id.to_string(),
                median_ms: Some(ms),
                loss: 0.0,
            })
            .collect(),
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Kept alive until the end of main: dropping it stops the emulator.
    let mut _emulator = None;
    let (base_url, token) = match std::env::var("GAMEYE_BASE_URL") {
        Ok(url) => (url, std::env::var("GAMEYE_TOKEN")?),
        Err(_) => {
            let mut config = EmulatorConfig::default();
            // A full location, to show the fallback on 420.
            for loc in &mut config.locations {
                if loc.id == "europe" {
                    loc.capacity = 0;
                }
            }
            let emulator = Emulator::start(config)?;
            let url = emulator.base_url();
            _emulator = Some(emulator);
            (url, "gameye-emulator-token".to_string())
        }
    };
    println!("API at {base_url}");
    let client = Client::new(ClientConfig::new(token).base_url(base_url))?;

    // What the players' clients measured (gameye_core::ping_locations).
    let players = [
        player("ana", &[("europe", 18.0), ("north-america", 95.0)]),
        player("chen", &[("europe", 85.0), ("north-america", 30.0)]),
    ];
    // The location is chosen by the placement; the one given here is ignored.
    let mut run = SessionRun::new("", "my-game");
    run.ttl = Some("10m".to_string());
    let placed = client
        .create_session_near(run, &players, &PlacementPolicy::default())?
        .value;
    for attempt in &placed.tried {
        println!("tried {}: {}", attempt.location, attempt.outcome);
    }
    let session = &placed.session;
    println!("session {} in {}", session.id, placed.location);
    for port in &session.ports {
        println!(
            "  players connect to {}:{} ({}, container port {})",
            session.host, port.host, port.protocol, port.container
        );
    }

    let running = client.list_sessions(&ListFilter::default())?.value;
    println!("{} session(s) running", running.len());
    println!("logs: {:?}", client.logs(&session.id)?.value);

    let outcome = client
        .stop_session(&session.id, StopOptions::default())?
        .value;
    println!("stop: {outcome:?}");
    Ok(())
}
