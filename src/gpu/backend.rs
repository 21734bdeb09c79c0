//! Where segmented kernels run: the CUDA device (cudarc, kernels compiled once per
//! process by NVRTC for the device's architecture), or the CPU emulation that runs
//! the same layout through the CPU kernels.

use super::function::DeviceFunction;
use super::segments::Segments;
use cudarc::driver::{
    CudaContext, CudaModule, CudaSlice, DriverError, LaunchConfig, PushKernelArg,
};
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

/// Why a device run failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceError {
    /// The inputs and outputs do not fit in device memory now.
    OutOfMemory(String),
    /// Anything else (a launch or copy failure, a kernel that does not compile).
    Failed(String),
}

impl fmt::Display for DeviceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeviceError::OutOfMemory(e) => write!(f, "device out of memory: {e}"),
            DeviceError::Failed(e) => write!(f, "device error: {e}"),
        }
    }
}

impl From<DriverError> for DeviceError {
    fn from(e: DriverError) -> Self {
        let text = e.to_string();
        if text.contains("OUT_OF_MEMORY") {
            DeviceError::OutOfMemory(text)
        } else {
            DeviceError::Failed(text)
        }
    }
}

/// Runs a function's kernel over segmented inputs; one value per dense row, NaN for
/// "no value".
pub trait Backend: fmt::Debug + Send + Sync {
    /// What runs the kernels, for EXPLAIN (`gpu 0: NVIDIA H100`, `cpu emulation`).
    fn describe(&self) -> String;
    fn run(&self, function: &DeviceFunction, segments: &Segments) -> Result<Vec<f64>, DeviceError>;
}

/// The segmented layout through the CPU kernels: the reference a device must match,
/// and how the device path is exercised on machines without one.
#[derive(Debug, Default)]
pub struct CpuEmulation;

impl Backend for CpuEmulation {
    fn describe(&self) -> String {
        "cpu emulation".into()
    }

    fn run(&self, function: &DeviceFunction, segments: &Segments) -> Result<Vec<f64>, DeviceError> {
        Ok(function.run_on_cpu(segments))
    }
}

/// A CUDA device with every kernel of `kernels/` loaded.
pub struct Cuda {
    context: Arc<CudaContext>,
    modules: HashMap<&'static str, Arc<CudaModule>>,
    name: String,
    /// The last few runs' inputs on the device, by [`Segments::id`]: the other calls
    /// of a run over the same series launch without copying it again.
    uploads: std::sync::Mutex<Vec<Upload>>,
}

/// One run's series and offsets on the device.
struct Upload {
    id: u64,
    series: Arc<Vec<CudaSlice<f64>>>,
    offsets: Arc<CudaSlice<i64>>,
}

/// Runs whose inputs stay on the device.
const UPLOADS_KEPT: usize = 4;

impl fmt::Debug for Cuda {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Cuda({})", self.name)
    }
}

/// Threads per block of the row kernels.
const BLOCK: u32 = 256;

impl Cuda {
    /// Opens device `ordinal` and compiles the kernels for its architecture.
    pub fn open(ordinal: usize) -> Result<Cuda, DeviceError> {
        let context = CudaContext::new(ordinal)?;
        let (major, minor) = context.compute_capability()?;
        let arch = architecture(major, minor);
        let mut modules = HashMap::new();
        for (name, _) in crate::kernels::KERNELS {
            let ptx = crate::kernels::compile(name, arch).map_err(DeviceError::Failed)?;
            modules.insert(*name, context.load_module(ptx)?);
        }
        let name = format!("gpu {ordinal}: {}", context.name()?);
        Ok(Cuda {
            context,
            modules,
            name,
            uploads: std::sync::Mutex::new(Vec::new()),
        })
    }

    /// Copies a run's inputs to the device and a result's worth back, without a
    /// launch: the transfer share of [`Backend::run`], for the benchmarks.
    pub fn round_trip(&self, segments: &Segments) -> Result<(), DeviceError> {
        let stream = self.context.default_stream();
        let mut inputs = Vec::with_capacity(segments.series.len());
        for series in &segments.series {
            inputs.push(stream.clone_htod(series)?);
        }
        let offsets = stream.clone_htod(&segments.offsets)?;
        let out = stream.alloc_zeros::<f64>(segments.len().max(1))?;
        let back = stream.clone_dtoh(&out)?;
        drop((inputs, offsets));
        std::hint::black_box(back);
        Ok(())
    }

    /// The device memory's peak bandwidth in bytes per second (double data rate x
    /// clock x bus width), the floor of a memory-bound kernel.
    pub fn memory_bandwidth(&self) -> Result<f64, DeviceError> {
        use cudarc::driver::sys::CUdevice_attribute::{
            CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH, CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE,
        };
        let clock_khz = self
            .context
            .attribute(CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE)?;
        let bus_bits = self
            .context
            .attribute(CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH)?;
        Ok(2.0 * f64::from(clock_khz) * 1e3 * f64::from(bus_bits) / 8.0)
    }

    /// The run's series and offsets on the device, copied there once per run.
    #[allow(clippy::type_complexity)]
    fn upload(
        &self,
        segments: &Segments,
    ) -> Result<(Arc<Vec<CudaSlice<f64>>>, Arc<CudaSlice<i64>>), DeviceError> {
        let mut uploads = self.uploads.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(hit) = uploads.iter().find(|u| u.id == segments.id()) {
            return Ok((Arc::clone(&hit.series), Arc::clone(&hit.offsets)));
        }
        let stream = self.context.default_stream();
        let mut series = Vec::with_capacity(segments.series.len());
        for values in &segments.series {
            series.push(stream.clone_htod(values)?);
        }
        let upload = Upload {
            id: segments.id(),
            series: Arc::new(series),
            offsets: Arc::new(stream.clone_htod(&segments.offsets)?),
        };
        if uploads.len() == UPLOADS_KEPT {
            uploads.remove(0);
        }
        let kept = (Arc::clone(&upload.series), Arc::clone(&upload.offsets));
        uploads.push(upload);
        Ok(kept)
    }

    /// One launch of `function`'s kernel over every partition of `segments`. The
    /// kernels take `(series..., [rows,] offsets, partitions, parameters..., out)`.
    fn launch(
        &self,
        function: &DeviceFunction,
        segments: &Segments,
    ) -> Result<Vec<f64>, DeviceError> {
        let stream = self.context.default_stream();
        let kernel = function.kernel();
        let module = self
            .modules
            .get(kernel)
            .ok_or_else(|| DeviceError::Failed(format!("kernel '{kernel}' is not loaded")))?;
        let entry = module.load_function(kernel)?;
        let rows = segments.len() as i64;
        let partitions = segments.partitions() as i32;
        let (series, offsets) = self.upload(segments)?;
        let weights = match function {
            DeviceFunction::FracDiff { weights } => Some(stream.clone_htod(weights)?),
            _ => None,
        };
        let mut out = stream.alloc_zeros::<f64>(segments.len())?;
        // (window or taps, output selector); the EMA runs a thread per partition.
        let (window, output, threads) = match function {
            DeviceFunction::FracDiff { weights } => (weights.len() as i32, None, segments.len()),
            DeviceFunction::RollingMean { n } => (*n as i32, None, segments.len()),
            DeviceFunction::Ema { period } => (*period as i32, None, segments.partitions()),
            DeviceFunction::Linreg { n, output } => {
                (*n as i32, Some(*output as i32), segments.len())
            }
            DeviceFunction::Comoment { n, output } => {
                (*n as i32, Some(*output as i32), segments.len())
            }
            DeviceFunction::DistanceCorr { n } => (*n as i32, None, segments.len()),
        };
        let config = LaunchConfig {
            grid_dim: ((threads as u32).div_ceil(BLOCK).max(1), 1, 1),
            block_dim: (BLOCK, 1, 1),
            shared_mem_bytes: 0,
        };
        let mut launch = stream.launch_builder(&entry);
        for values in series.iter() {
            launch.arg(values);
        }
        if !matches!(function, DeviceFunction::Ema { .. }) {
            launch.arg(&rows);
        }
        launch.arg(offsets.as_ref()).arg(&partitions);
        if let Some(weights) = &weights {
            launch.arg(weights);
        }
        launch.arg(&window);
        if let Some(output) = &output {
            launch.arg(output);
        }
        launch.arg(&mut out);
        // SAFETY: the arguments follow each kernel's signature in kernels/ in order
        // and type (checked on the host by tests/it/kernel_host.rs with the same
        // lists), and every buffer has the length the kernel indexes.
        unsafe { launch.launch(config) }?;
        Ok(stream.clone_dtoh(&out)?)
    }
}

impl Backend for Cuda {
    fn describe(&self) -> String {
        self.name.clone()
    }

    fn run(&self, function: &DeviceFunction, segments: &Segments) -> Result<Vec<f64>, DeviceError> {
        if segments.is_empty() {
            return Ok(vec![]);
        }
        match self.launch(function, segments) {
            // Inputs kept for other runs may be what fills the device: drop them, retry.
            Err(DeviceError::OutOfMemory(_)) => {
                self.uploads
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .clear();
                self.launch(function, segments)
            }
            other => other,
        }
    }
}

/// NVRTC's name for a compute capability.
fn architecture(major: i32, minor: i32) -> &'static str {
    match (major, minor) {
        (7, 0) => "compute_70",
        (7, 5) => "compute_75",
        (8, 0) => "compute_80",
        (8, 6) => "compute_86",
        (8, 9) => "compute_89",
        (9, 0) => "compute_90",
        (10, 0) => "compute_100",
        (12, 0) => "compute_120",
        // Newer devices run PTX of an older architecture.
        (m, _) if m > 12 => "compute_120",
        _ => "compute_70",
    }
}

/// The first CUDA device, opened once per process; `Err` says why there is none.
pub fn cuda() -> Result<Arc<dyn Backend>, String> {
    static CUDA: std::sync::OnceLock<Result<Arc<Cuda>, String>> = std::sync::OnceLock::new();
    CUDA.get_or_init(|| {
        let report = crate::device::cached_probe();
        if report.gpus.is_empty() {
            return Err(report
                .unavailable
                .clone()
                .unwrap_or_else(|| "no GPU found".into()));
        }
        Cuda::open(0).map(Arc::new).map_err(|e| e.to_string())
    })
    .clone()
    .map(|cuda| cuda as Arc<dyn Backend>)
}
