//! quantfusion's integration tests: one binary, one module per concern.

mod cli;
mod common;
mod crash;
mod device_path;
mod emd;
mod golden;
mod incremental;
mod kernel_host;
mod kernels;
mod key_handoff;
mod materialize;
mod min_periods;
mod partition_stream;
mod pipeline;
mod price_features;
mod risk;
mod rolling_parity;
mod s3_server;
mod single_phase;
mod sql_behaviour;
mod stationarity_edges;
mod storage;
