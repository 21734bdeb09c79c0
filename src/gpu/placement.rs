//! Where each device-capable window call runs, run by run.
//!
//! - `cpu`: always the CPU.
//! - `gpu`: the device (planning already failed if there is none); a device error
//!   is the query's error, naming the function and the run's size.
//! - `auto`: the device when a run's arithmetic pays for copying it there and back,
//!   else the CPU; any device error (out of memory included) falls back to the CPU
//!   for that run.
//!
//! The cost rule: a run goes to the device when `rows x work_per_row` reaches
//! [`AUTO_MIN_WORK`]. Copying a row costs 16 bytes over PCIe (about 25 GB/s, 0.64 ns)
//! while the CPU path does about one operation per nanosecond per core; below 2e8
//! operations (e.g. frac_diff with 1,000 taps over 100,000 rows) the copies and the
//! launch are a large share of the time. The constant is a first estimate from those
//! figures and is to be calibrated with `benches/gpu` on a device.

use super::backend::Backend;
use super::function::{as_f64, DeviceCall};
use super::segments::Segments;
use crate::device::Device;
use datafusion::arrow::array::{Array, ArrayRef, Float64Array, RecordBatch};
use datafusion::common::{exec_err, Result};
use datafusion::physical_plan::WindowExpr;
use quantfusion_udfs::framework::BatchEvaluator;
use std::ops::Range;
use std::sync::{Arc, Mutex};

/// Operations per run from which `auto` uses the device.
pub const AUTO_MIN_WORK: f64 = 2e8;

/// Places the device-capable calls of one window stage.
#[derive(Debug)]
pub struct DevicePlacement {
    setting: Device,
    /// The device, or why there is none.
    backend: std::result::Result<Arc<dyn Backend>, String>,
    /// The last few gathers, so that the calls of one run over the same series
    /// (`sma(close, 20)`, `ema(close, 12)`, ...) gather it once, and the device keeps
    /// its upload (see [`Segments::id`]).
    gathered: Mutex<Vec<Gathered>>,
}

/// Runs evaluated at once by the streams of one stage, at most.
const GATHERS_KEPT: usize = 4;

/// A gather and what it was made from. Holding the arrays keeps their buffers alive,
/// so a buffer's address cannot be reused by another batch while it is a key here.
#[derive(Debug)]
struct Gathered {
    arrays: Vec<ArrayRef>,
    ranges: Vec<Range<usize>>,
    segments: Arc<Segments>,
}

impl Gathered {
    fn made_from(&self, arrays: &[ArrayRef], ranges: &[Range<usize>]) -> bool {
        // The series are Float64 here: the same values and validity buffers are the
        // same array.
        let same_array = |a: &ArrayRef, b: &ArrayRef| match (as_f64(a), as_f64(b)) {
            (Ok(a), Ok(b)) => {
                let validity = |x: &Float64Array| x.nulls().map(|n| n.validity().as_ptr());
                a.len() == b.len()
                    && a.values().as_ptr() == b.values().as_ptr()
                    && validity(a) == validity(b)
            }
            _ => false,
        };
        self.ranges == ranges
            && self.arrays.len() == arrays.len()
            && self
                .arrays
                .iter()
                .zip(arrays)
                .all(|(a, b)| same_array(a, b))
    }
}

impl DevicePlacement {
    pub fn new(setting: Device, backend: std::result::Result<Arc<dyn Backend>, String>) -> Self {
        DevicePlacement {
            setting,
            backend,
            gathered: Mutex::new(Vec::new()),
        }
    }

    /// The segments of `arrays` over `ranges`, gathered once per run.
    fn gather(&self, arrays: Vec<ArrayRef>, ranges: &[Range<usize>]) -> Result<Arc<Segments>> {
        let mut kept = self.gathered.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(hit) = kept.iter().find(|g| g.made_from(&arrays, ranges)) {
            return Ok(Arc::clone(&hit.segments));
        }
        let columns = arrays.iter().map(as_f64).collect::<Result<Vec<_>>>()?;
        let segments = Arc::new(Segments::gather(&columns, ranges));
        if kept.len() == GATHERS_KEPT {
            kept.remove(0);
        }
        kept.push(Gathered {
            arrays,
            ranges: ranges.to_vec(),
            segments: Arc::clone(&segments),
        });
        Ok(segments)
    }

    /// Whether a run of `rows` rows of `call` goes to the device.
    fn offloads(&self, call: &DeviceCall, rows: usize) -> bool {
        match self.setting {
            Device::Cpu => false,
            Device::Gpu => self.backend.is_ok(),
            Device::Auto => {
                self.backend.is_ok() && rows as f64 * call.function.work_per_row() >= AUTO_MIN_WORK
            }
        }
    }
}

impl BatchEvaluator for DevicePlacement {
    fn placement(&self, expr: &dyn WindowExpr) -> Option<String> {
        let call = DeviceCall::of(expr)?;
        Some(match (self.setting, &self.backend) {
            (Device::Cpu, _) => "cpu (quantfusion.device = 'cpu')".into(),
            (_, Err(why)) => format!("cpu (no usable GPU: {why})"),
            (Device::Gpu, Ok(device)) => device.describe(),
            (Device::Auto, Ok(device)) => {
                let rows = (AUTO_MIN_WORK / call.function.work_per_row()).ceil();
                format!(
                    "{} for runs of {rows} rows or more, else cpu",
                    device.describe()
                )
            }
        })
    }

    fn may_evaluate(&self, expr: &dyn WindowExpr, rows: usize) -> bool {
        DeviceCall::of(expr).is_some_and(|call| self.offloads(&call, rows))
    }

    fn evaluate(
        &self,
        expr: &dyn WindowExpr,
        batch: &RecordBatch,
        ranges: &[Range<usize>],
    ) -> Result<Option<ArrayRef>> {
        let Some(call) = DeviceCall::of(expr) else {
            return Ok(None);
        };
        let Ok(device) = &self.backend else {
            return Ok(None);
        };
        if !self.offloads(&call, batch.num_rows()) {
            return Ok(None);
        }
        let segments = self.gather(call.series(batch)?, ranges)?;
        match device.run(&call.function, &segments) {
            Ok(dense) => Ok(Some(Arc::new(segments.scatter(&dense)))),
            // `auto` keeps going on the CPU, which gives the same values.
            Err(_) if self.setting == Device::Auto => Ok(None),
            Err(e) => exec_err!(
                "quantfusion.device = 'gpu': {} over {} rows in {} partitions failed: {e} \
                 (use 'auto' to fall back to the CPU)",
                call.name,
                segments.len(),
                segments.partitions()
            ),
        }
    }
}
