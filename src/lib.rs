//! quantfusion: financial feature engineering as SQL on Apache DataFusion.
//!
//! This crate is the engine: it builds a [`SessionContext`](datafusion::prelude::SessionContext)
//! with every quantfusion function registered ([`context`]), materialises feature
//! stages as partitioned parquet ([`materialize`]), lists the function catalogue
//! ([`catalog`]) and drives the command line ([`cli`]). The functions themselves are
//! in the `quantfusion-udfs` crate, re-exported as [`udfs`].

pub mod catalog;
pub mod cli;
pub mod context;
pub mod device;
pub mod errors;
pub mod gpu;
pub mod kernels;
pub mod materialize;
pub mod partitioned_writer;
pub mod pipeline;
pub mod publish;
pub mod storage;

pub use quantfusion_udfs as udfs;
