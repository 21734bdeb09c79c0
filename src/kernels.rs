//! The CUDA kernels of `kernels/`, embedded in the binary and compiled at run time by
//! NVRTC for the device present, so building quantfusion needs no CUDA toolkit.

use cudarc::nvrtc::{compile_ptx_with_opts, CompileOptions, Ptx};

const SEGMENTS: &str = include_str!("../kernels/segments.cuh");

/// (kernel name, CUDA source) of every kernel.
pub const KERNELS: &[(&str, &str)] = &[
    ("frac_diff", include_str!("../kernels/frac_diff.cu")),
    ("rolling_mean", include_str!("../kernels/rolling_mean.cu")),
    ("ema", include_str!("../kernels/ema.cu")),
    ("linreg", include_str!("../kernels/linreg.cu")),
    ("comoments", include_str!("../kernels/comoments.cu")),
    ("distance_corr", include_str!("../kernels/distance_corr.cu")),
];

/// A kernel's source with the shared header inlined (NVRTC is given one string).
pub fn source(text: &str) -> String {
    text.replace("#include \"segments.cuh\"", SEGMENTS)
}

/// Whether NVRTC can be loaded (from the CUDA toolkit, or the `nvidia-cuda-nvrtc-cu12`
/// wheel's `lib` directory on `LD_LIBRARY_PATH`).
pub fn nvrtc_available() -> bool {
    // SAFETY: only tries to open the library; no symbol is called.
    unsafe { cudarc::nvrtc::sys::is_culib_present() }
}

/// Compiles kernel `name` to PTX for `arch` (e.g. `compute_90` for an H100).
pub fn compile(name: &str, arch: &'static str) -> Result<Ptx, String> {
    let Some((_, text)) = KERNELS.iter().find(|(n, _)| *n == name) else {
        return Err(format!("no kernel named '{name}'"));
    };
    compile_source(name, &source(text), arch)
}

/// Compiles CUDA source `text` (kernel `name`, for messages) to PTX for `arch`.
pub fn compile_source(name: &str, text: &str, arch: &'static str) -> Result<Ptx, String> {
    if !nvrtc_available() {
        return Err(
            "NVRTC not found: install the CUDA toolkit or `pip install nvidia-cuda-nvrtc-cu12` \
             and put its lib directory on LD_LIBRARY_PATH"
                .into(),
        );
    }
    let options = CompileOptions {
        arch: Some(arch),
        name: Some(format!("{name}.cu")),
        ..Default::default()
    };
    compile_ptx_with_opts(text, options)
        .map_err(|e| format!("kernel '{name}' does not compile: {e}"))
}
