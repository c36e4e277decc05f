//! The `secbot` command: the server (the default), the terminal front end, and the tools that
//! read what secbot stored: feedback reports and exports, usage, transcripts. Each subcommand
//! is a file of `cli/`.

mod cli;

use std::io;

use secbot::config::ConfigError;

fn main() -> std::process::ExitCode {
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("secbot: cannot start the async runtime: {err}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(cli::run()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        // A configuration mistake: one line naming the setting and the fix.
        Err(err) if err.downcast_ref::<ConfigError>().is_some() => {
            eprintln!("secbot: {err}");
            std::process::ExitCode::from(2)
        }
        // A closed pipe (`secbot ask ... | head`) is not an error worth reporting.
        Err(err)
            if err.downcast_ref::<io::Error>().is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe) =>
        {
            std::process::ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("secbot: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
