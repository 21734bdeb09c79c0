//! What NVIDIA GPU this process can use, found at run time: the CUDA driver library
//! is loaded dynamically (cudarc), so quantfusion builds and runs where CUDA is not
//! installed, and says why no GPU is usable instead of failing.

use crate::gpu::DevicePlacement;
use cudarc::driver::{result, sys, CudaContext};
use serde::Serialize;

/// One device the driver reports.
#[derive(Debug, Clone, Serialize)]
pub struct Gpu {
    pub ordinal: usize,
    pub name: String,
    /// (major, minor).
    pub compute_capability: (i32, i32),
    pub memory_total_bytes: usize,
    pub memory_free_bytes: usize,
}

/// The driver and its devices, or why there is none.
#[derive(Debug, Clone, Serialize)]
pub struct DeviceReport {
    /// CUDA driver version as `major.minor`, when the driver loaded.
    pub driver: Option<String>,
    pub gpus: Vec<Gpu>,
    /// Why no GPU is usable (no driver library, initialisation failed, no device).
    pub unavailable: Option<String>,
    /// Whether NVRTC (needed to compile the kernels) can be loaded.
    pub nvrtc: bool,
}

/// Looks for the driver and its devices; never panics when CUDA is absent.
pub fn probe() -> DeviceReport {
    // SAFETY: only tries to open the library; no symbol is called.
    let nvrtc = unsafe { cudarc::nvrtc::sys::is_culib_present() };
    let mut report = DeviceReport {
        driver: None,
        gpus: vec![],
        unavailable: None,
        nvrtc,
    };
    // SAFETY: as above. Without this check cudarc panics on first use.
    if !unsafe { sys::is_culib_present() } {
        report.unavailable =
            Some("no NVIDIA driver: the CUDA driver library (libcuda.so) was not found".into());
        return report;
    }
    if let Err(e) = result::init() {
        report.unavailable = Some(format!("the CUDA driver did not initialise: {e}"));
        return report;
    }
    let mut version = 0;
    // SAFETY: the driver is loaded and initialised; `version` outlives the call.
    if unsafe { sys::cuDriverGetVersion(&mut version) } == sys::CUresult::CUDA_SUCCESS {
        report.driver = Some(format!("{}.{}", version / 1000, (version % 1000) / 10));
    }
    let count = match CudaContext::device_count() {
        Ok(n) => n.max(0) as usize,
        Err(e) => {
            report.unavailable = Some(format!("the CUDA driver lists no devices: {e}"));
            return report;
        }
    };
    for ordinal in 0..count {
        match describe(ordinal) {
            Ok(gpu) => report.gpus.push(gpu),
            Err(e) => {
                report.unavailable = Some(format!("device {ordinal} cannot be used: {e}"));
            }
        }
    }
    if report.gpus.is_empty() && report.unavailable.is_none() {
        report.unavailable = Some("the CUDA driver found no device".into());
    }
    report
}

fn describe(ordinal: usize) -> Result<Gpu, result::DriverError> {
    let ctx = CudaContext::new(ordinal)?;
    let (free, total) = ctx.mem_get_info()?;
    Ok(Gpu {
        ordinal,
        name: ctx.name()?,
        compute_capability: ctx.compute_capability()?,
        memory_total_bytes: total,
        memory_free_bytes: free,
    })
}

impl std::fmt::Display for DeviceReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.driver {
            Some(v) => writeln!(f, "CUDA driver {v}")?,
            None => writeln!(f, "CUDA driver: not loaded")?,
        }
        for g in &self.gpus {
            writeln!(
                f,
                "GPU {}: {}, compute capability {}.{}, {:.1} GiB total, {:.1} GiB free",
                g.ordinal,
                g.name,
                g.compute_capability.0,
                g.compute_capability.1,
                g.memory_total_bytes as f64 / (1u64 << 30) as f64,
                g.memory_free_bytes as f64 / (1u64 << 30) as f64
            )?;
        }
        writeln!(
            f,
            "NVRTC: {}",
            if self.nvrtc { "found" } else { "not found" }
        )?;
        if let Some(why) = &self.unavailable {
            writeln!(f, "no usable GPU: {why}; quantfusion runs on the CPU")?;
        }
        Ok(())
    }
}

/// `SET quantfusion.device = 'auto' | 'cpu' | 'gpu'` (also `QUANTFUSION_DEVICE` and
/// the CLI's `--device`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Device {
    /// The GPU where it pays (see [`crate::gpu::placement`]), else the CPU.
    #[default]
    Auto,
    Cpu,
    /// The GPU, or a clear error when there is no usable one.
    Gpu,
}

impl std::str::FromStr for Device {
    type Err = datafusion::error::DataFusionError;
    fn from_str(s: &str) -> datafusion::common::Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(Device::Auto),
            "cpu" => Ok(Device::Cpu),
            "gpu" => Ok(Device::Gpu),
            other => Err(datafusion::error::DataFusionError::Configuration(format!(
                "quantfusion.device must be 'auto', 'cpu' or 'gpu', got '{other}'"
            ))),
        }
    }
}

impl std::fmt::Display for Device {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Device::Auto => "auto",
            Device::Cpu => "cpu",
            Device::Gpu => "gpu",
        })
    }
}

use datafusion::common::config_field;
config_field!(Device);

datafusion::common::extensions_options! {
    /// quantfusion's session settings (`SET quantfusion.…`).
    pub struct QuantfusionOptions {
        /// Where quantfusion functions run: 'auto', 'cpu' or 'gpu'.
        pub device: Device, default = Device::Auto
    }
}

impl datafusion::config::ConfigExtension for QuantfusionOptions {
    const PREFIX: &'static str = "quantfusion";
}

/// The probe, once per process (the driver does not appear while it runs).
pub fn cached_probe() -> &'static DeviceReport {
    static REPORT: std::sync::OnceLock<DeviceReport> = std::sync::OnceLock::new();
    REPORT.get_or_init(probe)
}

/// Applies `quantfusion.device` when a query is planned: `gpu` without a usable GPU
/// is an error naming the reason; otherwise every window stage with a call that has a
/// device kernel gets a [`DevicePlacement`], which runs it where the setting and the
/// cost rule say and tells EXPLAIN (`devices=[...]`).
#[derive(Debug, Default)]
pub struct DeviceCheck {
    /// The device to use instead of the first CUDA device (the CPU emulation in
    /// tests).
    backend: Option<std::sync::Arc<dyn crate::gpu::Backend>>,
}

impl DeviceCheck {
    pub fn with_backend(backend: std::sync::Arc<dyn crate::gpu::Backend>) -> Self {
        DeviceCheck {
            backend: Some(backend),
        }
    }
}

impl datafusion::physical_optimizer::PhysicalOptimizerRule for DeviceCheck {
    fn optimize(
        &self,
        plan: std::sync::Arc<dyn datafusion::physical_plan::ExecutionPlan>,
        config: &datafusion::config::ConfigOptions,
    ) -> datafusion::common::Result<std::sync::Arc<dyn datafusion::physical_plan::ExecutionPlan>>
    {
        use datafusion::common::tree_node::{Transformed, TreeNode};
        use quantfusion_udfs::framework::PartitionStreamExec;
        let device = config
            .extensions
            .get::<QuantfusionOptions>()
            .map(|o| o.device)
            .unwrap_or_default();
        let uses_device = |stage: &PartitionStreamExec| {
            stage
                .window_expr()
                .iter()
                .any(|e| crate::gpu::function::DeviceCall::of(e.as_ref()).is_some())
        };
        let backend = || match (&self.backend, device) {
            (Some(forced), _) => Ok(std::sync::Arc::clone(forced)),
            (None, Device::Cpu) => Err("not asked for".to_string()),
            (None, _) => crate::gpu::backend::cuda(),
        };
        // 'gpu' never silently runs on the CPU: without a usable GPU every query
        // fails, naming the reason.
        if device == Device::Gpu {
            if let Err(why) = backend() {
                return datafusion::common::plan_err!(
                    "quantfusion.device = 'gpu' but there is no usable GPU ({why}); \
                     use 'auto' or 'cpu'"
                );
            }
        }
        plan.transform_up(|node| {
            // A window over a whole table (no PARTITION BY) is one run of one partition.
            let whole_table = node
                .downcast_ref::<datafusion::physical_plan::windows::WindowAggExec>()
                .map(|w| PartitionStreamExec::wrap(std::sync::Arc::new(w.clone())));
            let Some(stage) = whole_table
                .as_ref()
                .or_else(|| node.downcast_ref::<PartitionStreamExec>())
            else {
                return Ok(Transformed::no(node));
            };
            if !uses_device(stage) {
                return Ok(Transformed::no(node));
            }
            let placement = DevicePlacement::new(device, backend());
            Ok(Transformed::yes(std::sync::Arc::new(
                stage.with_batch_evaluator(std::sync::Arc::new(placement)),
            )
                as std::sync::Arc<
                    dyn datafusion::physical_plan::ExecutionPlan,
                >))
        })
        .map(|t| t.data)
    }

    fn name(&self) -> &str {
        "quantfusion_device_check"
    }

    fn schema_check(&self) -> bool {
        true
    }
}
