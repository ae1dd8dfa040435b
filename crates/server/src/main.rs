//! The `aiproviders` binary: wires the library crates together and owns nothing else.

mod cli;
mod commands;
mod http;
mod in_flight;
mod oauth_callback;
mod serve;
mod session_store;
mod settings;
mod startup;
mod stdio;
mod telemetry;
mod token;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::settings::Settings;

fn main() -> ExitCode {
    let cli = Cli::parse();
    telemetry::init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), startup::AppError> {
    let settings = Settings::resolve(&cli.settings)?;
    match cli.command {
        Command::Serve => serve::run(settings).await,
        Command::Mcp => stdio::run(settings).await,
        Command::Migrate => commands::migrate(&settings).await,
        Command::Org(command) => commands::org(&settings, command).await,
        Command::Token(command) => commands::token(&settings, command).await,
    }
}
