//! quantfusion's integration tests: one binary, one module per concern.

mod cli;
mod common;
mod golden;
mod materialize;
mod sql_behaviour;
