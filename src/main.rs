//! `hotspot`: the command-line entry point. Parses flags (clap), sets up logging, runs one
//! command through the library, prints one-line errors, exits 0 (success), 1 (runtime
//! failure) or 2 (bad usage or bad input).

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
