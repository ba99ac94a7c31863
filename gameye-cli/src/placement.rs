//! `gameye locations ping IMAGE` and `gameye session create --near FILE`.

use std::time::Duration;

use gameye_core::{
    ping_locations, Client, Error, ErrorKind, PingOptions, PlacementPolicy, PlayerLatencies,
    SessionRun,
};

/// Fetches the image's locations with the token, pings them, and prints a
/// table: location, IP, median, p90, loss (location rows, then their IPs).
pub(crate) fn ping_table(
    client: &Client,
    image: &str,
    probes: u32,
    timeout_s: f64,
) -> Result<String, Error> {
    if !(timeout_s.is_finite() && timeout_s > 0.0) {
        return Err(Error::invalid_request(vec![gameye_core::Violation::new(
            "ping-timeout",
            "must be a positive number of seconds",
        )]));
    }
    let locations = client.available_locations(image)?.value;
    let options = PingOptions {
        probes,
        timeout: Duration::from_secs_f64(timeout_s.min(60.0)),
        ..PingOptions::default()
    };
    let report = ping_locations(&locations, &options)?;
    let ms = |v: Option<f64>| v.map_or("-".to_owned(), |v| format!("{v:.2} ms"));
    let mut rows = vec![[
        "LOCATION".to_owned(),
        "IP".to_owned(),
        "MEDIAN".to_owned(),
        "P90".to_owned(),
        "LOSS".to_owned(),
    ]];
    for l in &report.locations {
        for ip in &l.ips {
            rows.push([
                l.id.clone(),
                ip.ip.clone(),
                ms(ip.stats.median_ms),
                ms(ip.stats.p90_ms),
                match &ip.error {
                    Some(e) => e.clone(),
                    None => format!("{:.0} %", ip.stats.loss * 100.0),
                },
            ]);
        }
    }
    let widths: Vec<usize> = (0..5)
        .map(|c| rows.iter().map(|r| r[c].len()).max().unwrap_or(0))
        .collect();
    let lines: Vec<String> = rows
        .iter()
        .map(|r| {
            r.iter()
                .zip(&widths)
                .map(|(cell, w)| format!("{cell:<w$}"))
                .collect::<Vec<_>>()
                .join("  ")
                .trim_end()
                .to_owned()
        })
        .collect();
    Ok(format!("{}\n(method: {})", lines.join("\n"), report.method))
}

/// Creates `request` near the players whose latencies are in the JSON file
/// `path`, printing the placed session, the location used and those tried.
pub(crate) fn create_near(
    client: &Client,
    request: SessionRun,
    path: &std::path::Path,
    policy: Option<&str>,
) -> Result<String, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::new(
            ErrorKind::InvalidRequest,
            format!("cannot read {}: {e}", path.display()),
        )
    })?;
    let players = PlayerLatencies::list_from_json(&text)?;
    let policy = match policy {
        Some(p) => PlacementPolicy::from_json(p)?,
        None => PlacementPolicy::default(),
    };
    let placed = client
        .create_session_near(request, &players, &policy)?
        .value;
    Ok(serde_json::to_string_pretty(&placed).expect("a placed session always encodes"))
}
