//! How listing commands print: JSON (the default, for scripts) or an aligned
//! table (for people), chosen with `--output`.

use clap::{Args, ValueEnum};
use gameye_core::{Location, SessionSummary};

/// The format of a listing command's output.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Pretty-printed JSON, as the API returns it.
    Json,
    /// One row per item, columns aligned.
    Table,
}

/// The `--output` option of every listing command.
#[derive(Args)]
pub struct OutputArgs {
    /// Output format.
    #[arg(long, value_enum, default_value = "json")]
    pub output: OutputFormat,
}

/// Pretty JSON of an API value.
pub fn json(value: &impl serde::Serialize) -> String {
    serde_json::to_string_pretty(value).expect("API types always serialize")
}

/// Something a listing command prints, as JSON or as table rows.
pub trait Listing: serde::Serialize {
    /// The column headers.
    const HEADER: &'static [&'static str];
    /// One row per item, a cell per header.
    fn rows(&self) -> Vec<Vec<String>>;
}

/// Prints `items` in `format`.
pub fn render<L: Listing>(items: &L, format: OutputFormat) -> String {
    match format {
        OutputFormat::Json => json(items),
        OutputFormat::Table => table(L::HEADER, &items.rows()),
    }
}

impl Listing for Vec<SessionSummary> {
    const HEADER: &'static [&'static str] = &[
        "ID", "IMAGE", "LOCATION", "HOST", "PORTS", "STATUS", "PLAYERS",
    ];

    fn rows(&self) -> Vec<Vec<String>> {
        self.iter()
            .map(|s| {
                let ports = s
                    .ports()
                    .iter()
                    .map(|p| format!("{}/{}->{}", p.container, p.protocol, p.host))
                    .collect::<Vec<_>>()
                    .join(",");
                vec![
                    s.id.clone(),
                    match &s.tag {
                        Some(tag) => format!("{}:{tag}", s.image),
                        None => s.image.clone(),
                    },
                    s.location.clone(),
                    s.host.clone(),
                    ports,
                    s.status.as_ref().map_or("-".into(), |st| st.to_string()),
                    s.player_count.map_or("-".into(), |n| n.to_string()),
                ]
            })
            .collect()
    }
}

impl Listing for Vec<Location> {
    const HEADER: &'static [&'static str] = &["ID", "IPS"];

    fn rows(&self) -> Vec<Vec<String>> {
        self.iter()
            .map(|l| vec![l.id.clone(), l.ips.join(",")])
            .collect()
    }
}

/// A readable table, one row per line, columns aligned; an empty cell is
/// shown as `-` so every row has as many columns as the header.
fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let header: Vec<String> = header.iter().map(|h| (*h).to_owned()).collect();
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            r.iter()
                .map(|c| {
                    if c.is_empty() {
                        "-".to_owned()
                    } else {
                        c.clone()
                    }
                })
                .collect()
        })
        .collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    std::iter::once(&header)
        .chain(&rows)
        .map(|row| {
            row.iter()
                .zip(&widths)
                .map(|(cell, w)| format!("{cell:<w$}"))
                .collect::<Vec<_>>()
                .join("  ")
                .trim_end()
                .to_owned()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_aligns_columns_and_fills_empty_cells() {
        let t = table(
            &["ID", "IPS"],
            &[
                vec!["europe".into(), "1.2.3.4".into()],
                vec!["x".into(), String::new()],
            ],
        );
        assert_eq!(t, "ID      IPS\neurope  1.2.3.4\nx       -");
    }
}
