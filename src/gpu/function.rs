//! The window functions with a device kernel, read from a planned window expression:
//! `frac_diff(x, d [, threshold])`, `rolling_mean(x, n)` / `sma(x, n)`,
//! `ema(x, period)`, the rolling regression family (`linreg_slope`,
//! `linreg_intercept`, `linreg`, `tsf`, `linreg_r2`, `linreg_rmse`, `linreg_angle`)
//! `rolling_cov` / `rolling_corr` / `rolling_beta` (without `min_periods`) and
//! `rolling_distance_corr`. Each
//! also runs on the CPU over the same segmented layout (the reference the device
//! must match, and what the emulation tests run).

use super::segments::Segments;
use datafusion::arrow::array::{Array, ArrayRef, Float64Array, RecordBatch};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result, ScalarValue};
use datafusion::physical_expr::expressions::Literal;
use datafusion::physical_expr::window::StandardWindowExpr;
use datafusion::physical_plan::windows::WindowUDFExpr;
use datafusion::physical_plan::{PhysicalExpr, WindowExpr};
use quantfusion_udfs::kernels::{
    convolution, distance, frac_diff, linreg, moving_average, rolling,
};
use std::sync::Arc;

/// A call of a function that has a device kernel, with its literal parameters.
#[derive(Debug, Clone, PartialEq)]
pub enum DeviceFunction {
    /// Fixed-width fractional differences with these weights (newest first).
    FracDiff { weights: Vec<f64> },
    /// Mean of the last `n` rows.
    RollingMean { n: usize },
    /// TA-Lib's EMA over `period` rows.
    Ema { period: usize },
    /// One statistic of the rolling line fit over `n` rows.
    Linreg { n: usize, output: LinregOutput },
    /// One co-moment statistic of two series over `n` rows.
    Comoment { n: usize, output: ComomentOutput },
    /// Distance correlation of two series over `n` rows.
    DistanceCorr { n: usize },
}

/// The statistics of the rolling line fit, in the kernel's numbering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinregOutput {
    Slope = 0,
    Intercept = 1,
    Value = 2,
    Forecast = 3,
    R2 = 4,
    Rmse = 5,
    Angle = 6,
}

/// The co-moment statistics, in the kernel's numbering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComomentOutput {
    Cov = 0,
    Corr = 1,
    /// Of the first series on the second.
    Beta = 2,
}

/// A device-capable window expression: the function and its series arguments.
#[derive(Debug, Clone)]
pub struct DeviceCall {
    pub function: DeviceFunction,
    pub name: &'static str,
    series: Vec<Arc<dyn PhysicalExpr>>,
}

/// The longest window a kernel is given (weights past it are dropped by the
/// threshold long before on real `d`).
const MAX_TAPS: usize = 1 << 20;

impl DeviceCall {
    /// The call `expr` makes, if its function has a device kernel and its arguments
    /// are ones the kernel takes (`rolling_mean` with `min_periods` does not).
    pub fn of(expr: &dyn WindowExpr) -> Option<DeviceCall> {
        let standard = expr.as_any().downcast_ref::<StandardWindowExpr>()?;
        let udf = standard
            .get_standard_func_expr()
            .as_any()
            .downcast_ref::<WindowUDFExpr>()?;
        let args = udf.args();
        let literal = |i: usize| -> Option<f64> {
            let lit = args.get(i)?.downcast_ref::<Literal>()?;
            match lit.value().cast_to(&DataType::Float64).ok()? {
                ScalarValue::Float64(Some(v)) => Some(v),
                _ => None,
            }
        };
        let count = |i: usize| literal(i).filter(|v| *v >= 1.0 && v.fract() == 0.0);
        let name = udf.fun().name();
        let linreg = |output| {
            Some(DeviceFunction::Linreg {
                n: count(1)? as usize,
                output,
            })
        };
        let comoment = |output| {
            Some(DeviceFunction::Comoment {
                n: count(2)? as usize,
                output,
            })
        };
        let (name, function, series) = match (name, args.len()) {
            ("frac_diff", 2 | 3) => {
                let threshold = if args.len() == 3 { literal(2)? } else { 1e-5 };
                let weights = frac_diff::frac_diff_weights(literal(1)?, threshold, MAX_TAPS);
                ("frac_diff", DeviceFunction::FracDiff { weights }, 1)
            }
            ("rolling_mean", 2) => (
                "rolling_mean",
                DeviceFunction::RollingMean {
                    n: count(1)? as usize,
                },
                1,
            ),
            ("sma", 2) => (
                "sma",
                DeviceFunction::RollingMean {
                    n: count(1)? as usize,
                },
                1,
            ),
            ("ema", 2) => (
                "ema",
                DeviceFunction::Ema {
                    period: count(1)? as usize,
                },
                1,
            ),
            ("linreg_slope", 2) => ("linreg_slope", linreg(LinregOutput::Slope)?, 1),
            ("linreg_intercept", 2) => ("linreg_intercept", linreg(LinregOutput::Intercept)?, 1),
            ("linreg", 2) => ("linreg", linreg(LinregOutput::Value)?, 1),
            ("tsf", 2) => ("tsf", linreg(LinregOutput::Forecast)?, 1),
            ("linreg_r2", 2) => ("linreg_r2", linreg(LinregOutput::R2)?, 1),
            ("linreg_rmse", 2) => ("linreg_rmse", linreg(LinregOutput::Rmse)?, 1),
            ("linreg_angle", 2) => ("linreg_angle", linreg(LinregOutput::Angle)?, 1),
            ("rolling_cov", 3) => ("rolling_cov", comoment(ComomentOutput::Cov)?, 2),
            ("rolling_corr", 3) => ("rolling_corr", comoment(ComomentOutput::Corr)?, 2),
            ("rolling_beta", 3) => ("rolling_beta", comoment(ComomentOutput::Beta)?, 2),
            ("rolling_distance_corr", 3) => (
                "rolling_distance_corr",
                DeviceFunction::DistanceCorr {
                    n: count(2)? as usize,
                },
                2,
            ),
            _ => return None,
        };
        Some(DeviceCall {
            function,
            name,
            series: args.get(..series)?.to_vec(),
        })
    }

    /// The series arguments over `batch`, as doubles.
    pub fn series(&self, batch: &RecordBatch) -> Result<Vec<ArrayRef>> {
        self.series
            .iter()
            .map(|expr| {
                let values = expr.evaluate(batch)?.into_array(batch.num_rows())?;
                Ok(cast(&values, &DataType::Float64)?)
            })
            .collect()
    }
}

impl DeviceFunction {
    /// The kernel's name in `kernels/`.
    pub fn kernel(&self) -> &'static str {
        match self {
            DeviceFunction::FracDiff { .. } => "frac_diff",
            DeviceFunction::RollingMean { .. } => "rolling_mean",
            DeviceFunction::Ema { .. } => "ema",
            DeviceFunction::Linreg { .. } => "linreg",
            DeviceFunction::Comoment { .. } => "comoments",
            DeviceFunction::DistanceCorr { .. } => "distance_corr",
        }
    }

    /// Arithmetic per row on the device, for the cost rule: a window's length for
    /// the convolution and the per-row window sums, a few operations for the EMA
    /// (whose recursion runs one partition per thread).
    pub fn work_per_row(&self) -> f64 {
        match self {
            DeviceFunction::FracDiff { weights } => 2.0 * weights.len() as f64,
            DeviceFunction::RollingMean { n } => 4.0 * *n as f64,
            DeviceFunction::Ema { .. } => 3.0,
            DeviceFunction::Linreg { n, .. } => 6.0 * *n as f64,
            DeviceFunction::Comoment { n, .. } => 10.0 * *n as f64,
            DeviceFunction::DistanceCorr { n } => 12.0 * (*n * *n) as f64,
        }
    }

    /// The CPU kernels over each partition of the segmented layout: what the device
    /// must reproduce.
    pub fn run_on_cpu(&self, segments: &Segments) -> Vec<f64> {
        let mut out = vec![f64::NAN; segments.len()];
        for p in 0..segments.partitions() {
            let range = segments.partition(p);
            let series: Vec<&[f64]> = segments.series.iter().map(|s| &s[range.clone()]).collect();
            let out = &mut out[range];
            let x = series[0];
            match self {
                // As the CPU path: a partition shorter than the window has no values.
                DeviceFunction::FracDiff { weights } if weights.len() <= x.len() => {
                    convolution::causal_filter(x, weights, out)
                }
                DeviceFunction::FracDiff { .. } => {}
                DeviceFunction::RollingMean { n } => rolling::rolling_mean(x, *n, out),
                DeviceFunction::Ema { period } => moving_average::ema(x, *period, out),
                DeviceFunction::Linreg {
                    n,
                    output: LinregOutput::Angle,
                } => linreg::linreg_angle(x, *n, out),
                DeviceFunction::Linreg { n, output } => {
                    // [slope, intercept, r2, rmse]
                    let mut fit = vec![vec![f64::NAN; x.len()]; 4];
                    linreg::linreg_all(x, *n, &mut fit);
                    let (slope, intercept) = (&fit[0], &fit[1]);
                    match output {
                        LinregOutput::Slope => out.copy_from_slice(slope),
                        LinregOutput::Intercept => out.copy_from_slice(intercept),
                        LinregOutput::Value => {
                            linreg::line_at(slope, intercept, *n as f64 - 1.0, out)
                        }
                        LinregOutput::Forecast => linreg::line_at(slope, intercept, *n as f64, out),
                        LinregOutput::R2 => out.copy_from_slice(&fit[2]),
                        LinregOutput::Rmse => out.copy_from_slice(&fit[3]),
                        LinregOutput::Angle => linreg::linreg_angle(x, *n, out),
                    }
                }
                DeviceFunction::Comoment { n, output } => match output {
                    ComomentOutput::Cov => rolling::rolling_cov(x, series[1], *n, out),
                    ComomentOutput::Corr => rolling::rolling_corr(x, series[1], *n, out),
                    ComomentOutput::Beta => rolling::rolling_beta(x, series[1], *n, out),
                },
                DeviceFunction::DistanceCorr { n } => {
                    distance::rolling_distance_correlation(x, series[1], *n, out)
                }
            }
        }
        out
    }
}

/// The series column as a `Float64Array`.
pub fn as_f64(array: &ArrayRef) -> Result<&Float64Array> {
    datafusion::common::cast::as_float64_array(array.as_ref())
}

/// Whether every value of `array` is missing (nothing for a device to do).
pub fn all_missing(array: &Float64Array) -> bool {
    array.null_count() == array.len()
}
