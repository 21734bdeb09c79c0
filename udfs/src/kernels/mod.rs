//! Numeric kernels: plain functions over dense `&[f64]` slices with no Arrow or
//! DataFusion types, so the SQL glue, a GPU backend and other callers share them.
//!
//! Conventions: inputs hold no missing values (the caller removes them); outputs are
//! written into a slice of the input's length pre-filled with NaN, and NaN means
//! "no value" (warm-up rows, division by zero).

pub mod directional;
pub mod linreg;
pub mod moments;
pub mod momentum;
pub mod moving_average;
pub mod oscillators;
pub mod price;
pub mod returns;
pub mod risk;
pub mod rolling;
pub mod time;
pub mod volatility;
