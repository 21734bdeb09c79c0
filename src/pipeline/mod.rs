//! Pipelines: stages (SQL files) over named sources, run in dependency order from one
//! command, with their state in an embedded SQLite file so that a rerun skips what
//! has not changed and a failure is reported, not lost.

pub mod config;
pub mod incremental;
pub mod runner;
pub mod state;

pub use config::Pipeline;
