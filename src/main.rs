//! The `quantfusion` binary. Failures print one line on stderr and exit non-zero.

use clap::Parser;
use quantfusion::cli::{run, Args};
use quantfusion::errors::one_line;
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    // A bug must still read as one line, not a backtrace.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("quantfusion: internal error: {info}");
    }));
    match run(Args::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("quantfusion: {}", one_line(&e));
            ExitCode::FAILURE
        }
    }
}
