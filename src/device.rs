//! What NVIDIA GPU this process can use, found at run time: the CUDA driver library
//! is loaded dynamically (cudarc), so quantfusion builds and runs where CUDA is not
//! installed, and says why no GPU is usable instead of failing.

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
