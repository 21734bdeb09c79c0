//! quantfusion's SQL functions for Apache DataFusion: technical indicators, returns,
//! rolling statistics, risk metrics and time features, as window, aggregate and
//! scalar UDFs.
//!
//! ```no_run
//! # async fn demo() -> datafusion::error::Result<()> {
//! use datafusion::prelude::SessionContext;
//! let ctx = SessionContext::new();
//! quantfusion_udfs::register_all(&ctx);
//! ctx.sql("SELECT ema(x, 3) OVER (ORDER BY t) FROM (VALUES (1, 1.0), (2, 2.0), (3, 3.0)) v(t, x)")
//!     .await?
//!     .show()
//!     .await?;
//! # Ok(()) }
//! ```
//!
//! Layout: a family is a folder (`technical/`, `rolling/`, ...) with one file per
//! function holding its declaration, documentation and glue; the numeric work is in
//! [`kernels`] (plain functions over `&[f64]`); [`framework`] holds what every
//! function shares.

pub mod framework;
pub mod kernels;
pub mod price_features;
pub mod registry;
pub mod regression;
pub mod returns;
pub mod risk;
pub mod rolling;
pub mod stationarity;
pub mod technical;
pub mod time;

pub use framework::Memory;
pub use registry::{
    add_physical_rule, all_functions, register_all, register_all_in, window_memory, QfFunction, Udf,
};
