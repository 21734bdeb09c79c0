//! The window functions with a device kernel, read from a planned window expression:
//! `frac_diff(x, d [, threshold])`, `rolling_mean(x, n)` / `sma(x, n)` and
//! `ema(x, period)`. Each also runs on the CPU over the same segmented layout (the
//! reference the device must match, and the emulation tests run).

use super::segments::Segments;
use datafusion::arrow::array::{Array, ArrayRef, Float64Array, RecordBatch};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result, ScalarValue};
use datafusion::physical_expr::expressions::Literal;
use datafusion::physical_expr::window::StandardWindowExpr;
use datafusion::physical_plan::windows::WindowUDFExpr;
use datafusion::physical_plan::{PhysicalExpr, WindowExpr};
use quantfusion_udfs::kernels::{convolution, frac_diff, moving_average, rolling};
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
}

/// A device-capable window expression: the function and its series argument.
#[derive(Debug, Clone)]
pub struct DeviceCall {
    pub function: DeviceFunction,
    pub name: &'static str,
    series: Arc<dyn PhysicalExpr>,
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
        let (name, function) = match (udf.fun().name(), args.len()) {
            ("frac_diff", 2 | 3) => {
                let threshold = if args.len() == 3 { literal(2)? } else { 1e-5 };
                let weights = frac_diff::frac_diff_weights(literal(1)?, threshold, MAX_TAPS);
                ("frac_diff", DeviceFunction::FracDiff { weights })
            }
            ("rolling_mean", 2) => (
                "rolling_mean",
                DeviceFunction::RollingMean {
                    n: count(1)? as usize,
                },
            ),
            ("sma", 2) => (
                "sma",
                DeviceFunction::RollingMean {
                    n: count(1)? as usize,
                },
            ),
            ("ema", 2) => (
                "ema",
                DeviceFunction::Ema {
                    period: count(1)? as usize,
                },
            ),
            _ => return None,
        };
        Some(DeviceCall {
            function,
            name,
            series: Arc::clone(args.first()?),
        })
    }

    /// The series argument over `batch`, as doubles.
    pub fn series(&self, batch: &RecordBatch) -> Result<ArrayRef> {
        let values = self.series.evaluate(batch)?.into_array(batch.num_rows())?;
        Ok(cast(&values, &DataType::Float64)?)
    }
}

impl DeviceFunction {
    /// The kernel's name in `kernels/`.
    pub fn kernel(&self) -> &'static str {
        match self {
            DeviceFunction::FracDiff { .. } => "frac_diff",
            DeviceFunction::RollingMean { .. } => "rolling_mean",
            DeviceFunction::Ema { .. } => "ema",
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
        }
    }

    /// The CPU kernels over each partition of the segmented layout: what the device
    /// must reproduce.
    pub fn run_on_cpu(&self, segments: &Segments) -> Vec<f64> {
        let x = &segments.series[0];
        let mut out = vec![f64::NAN; x.len()];
        for p in 0..segments.partitions() {
            let range = segments.partition(p);
            let (x, out) = (&x[range.clone()], &mut out[range]);
            match self {
                // As the CPU path: a partition shorter than the window has no values.
                DeviceFunction::FracDiff { weights } if weights.len() <= x.len() => {
                    convolution::causal_filter(x, weights, out)
                }
                DeviceFunction::FracDiff { .. } => {}
                DeviceFunction::RollingMean { n } => rolling::rolling_mean(x, *n, out),
                DeviceFunction::Ema { period } => moving_average::ema(x, *period, out),
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
