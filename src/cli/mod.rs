//! The command line: flags (clap) → the same parameter bags the HTTP API uses → the library.

mod args;
mod commands;

use std::process::ExitCode;

use clap::Parser;

pub use args::Cli;

/// A failed command: bad usage or input (exit 2) or a runtime failure (exit 1).
#[derive(Debug)]
pub enum Failure {
    /// The user can fix it: a bad flag value, a malformed file, an unknown ward.
    Usage(String),
    /// Something else went wrong (I/O, the store).
    Runtime(anyhow::Error),
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Failure {
        Failure::Runtime(e)
    }
}

/// Parses the command line and runs it.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let level = if cli.quiet {
        tracing::Level::WARN
    } else {
        tracing::Level::INFO
    };
    tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .without_time()
        .init();
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(message)) => {
            eprintln!("hotspot: {}", one_line(&message));
            ExitCode::from(2)
        }
        Err(Failure::Runtime(e)) => {
            eprintln!("hotspot: {}", one_line(&format!("{e:#}")));
            ExitCode::from(1)
        }
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
