//! The CUDA kernels of `kernels/` run on the host: their C bodies compiled by the
//! system C compiler (the one Rust links with) behind a small shim for the CUDA
//! built-ins, and launched by a loop over every block and thread with the grid the
//! device backend uses. Each kernel must agree with the CPU path on segmented data
//! with uneven, short and flat partitions, so an arithmetic or indexing mistake in a
//! kernel fails here without a GPU.

use datafusion::arrow::array::Float64Array;
use quantfusion::gpu::function::{ComomentOutput, DeviceFunction, LinregOutput};
use quantfusion::gpu::segments::Segments;
use std::ffi::CString;
use std::path::Path;
use std::process::Command;

/// What the CUDA built-ins mean on the host (one thread at a time).
const SHIM: &str = r#"
#include <math.h>
#include <string.h>
#include <stdbool.h>
typedef struct { unsigned x, y, z; } qf_dim3;
static qf_dim3 blockIdx, blockDim, threadIdx;
#define __global__
#define __device__
#define __forceinline__ static inline
static inline double __longlong_as_double(long long v) { double d; memcpy(&d, &v, sizeof d); return d; }
#define QF_LAUNCH(grid, block, call) do { blockDim.x = (block); \
    for (unsigned qb = 0; qb < (grid); ++qb) { blockIdx.x = qb; \
        for (unsigned qt = 0; qt < (block); ++qt) { threadIdx.x = qt; call; } } } while (0)
"#;

/// Host entry points with the device backend's argument lists, plus the grid.
const LAUNCHERS: &str = r#"
void host_frac_diff(const double* x, long long rows, const long long* offsets, int partitions,
                    const double* w, int taps, double* out, unsigned grid) {
    QF_LAUNCH(grid, 256, frac_diff(x, rows, offsets, partitions, w, taps, out));
}
void host_rolling_mean(const double* x, long long rows, const long long* offsets, int partitions,
                       int window, double* out, unsigned grid) {
    QF_LAUNCH(grid, 256, rolling_mean(x, rows, offsets, partitions, window, out));
}
void host_ema(const double* x, const long long* offsets, int partitions, int n, double* out,
              unsigned grid) {
    QF_LAUNCH(grid, 256, ema(x, offsets, partitions, n, out));
}
void host_linreg(const double* y, long long rows, const long long* offsets, int partitions,
                 int window, int output, double* out, unsigned grid) {
    QF_LAUNCH(grid, 256, linreg(y, rows, offsets, partitions, window, output, out));
}
void host_distance_corr(const double* x, const double* y, long long rows,
                        const long long* offsets, int partitions, int window, double* out,
                        unsigned grid) {
    QF_LAUNCH(grid, 256, distance_corr(x, y, rows, offsets, partitions, window, out));
}
void host_comoments(const double* a, const double* b, long long rows, const long long* offsets,
                    int partitions, int window, int output, double* out, unsigned grid) {
    QF_LAUNCH(grid, 256, comoments(a, b, rows, offsets, partitions, window, output, out));
}
"#;

/// Every kernel as C: the shared header once, each kernel's body without its
/// `#include` and C++ linkage.
fn c_source() -> String {
    let header = quantfusion::kernels::source("#include \"segments.cuh\"");
    let mut text = format!("{SHIM}\n{}\n", header.replace("#pragma once", ""));
    for (name, kernel) in quantfusion::kernels::KERNELS {
        text.push_str(&format!("\n/* {name} */\n"));
        text.push_str(
            &kernel
                .replace("#include \"segments.cuh\"", "")
                .replace("extern \"C\" __global__", "__global__"),
        );
    }
    text.push_str(LAUNCHERS);
    text
}

/// The kernels compiled into a shared library and opened.
struct HostKernels {
    library: *mut libc::c_void,
    _dir: tempfile::TempDir,
}

impl HostKernels {
    fn build() -> HostKernels {
        let dir = tempfile::tempdir().unwrap();
        let c = dir.path().join("kernels.c");
        std::fs::write(&c, c_source()).unwrap();
        let so = dir.path().join("libkernels.so");
        let compiler = std::env::var("CC").unwrap_or_else(|_| "cc".into());
        let out = Command::new(&compiler)
            .args([
                "-std=c11", "-O1", "-shared", "-fPIC", "-Wall", "-Werror", "-o",
            ])
            .arg(&so)
            .arg(&c)
            .arg("-lm")
            .output()
            .unwrap_or_else(|e| panic!("the C compiler '{compiler}' cannot run: {e}"));
        assert!(
            out.status.success(),
            "kernels do not compile as C:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        HostKernels {
            library: open(&so),
            _dir: dir,
        }
    }

    fn symbol(&self, name: &str) -> *mut libc::c_void {
        let name = CString::new(name).unwrap();
        // SAFETY: the library is open for the life of `self`; a missing symbol is null.
        let f = unsafe { libc::dlsym(self.library, name.as_ptr()) };
        assert!(!f.is_null(), "no symbol {name:?}");
        f
    }

    /// `function` over `segments` by its kernel, as the device backend launches it.
    fn run(&self, function: &DeviceFunction, s: &Segments) -> Vec<f64> {
        let mut out = vec![0.0; s.len()];
        let rows = s.len() as i64;
        let parts = s.partitions() as i32;
        let per_row = (s.len() as u32).div_ceil(256).max(1);
        let (x, offsets, o) = (s.series[0].as_ptr(), s.offsets.as_ptr(), out.as_mut_ptr());
        type Fd = extern "C" fn(*const f64, i64, *const i64, i32, *const f64, i32, *mut f64, u32);
        type Rm = extern "C" fn(*const f64, i64, *const i64, i32, i32, *mut f64, u32);
        type Em = extern "C" fn(*const f64, *const i64, i32, i32, *mut f64, u32);
        type Lr = extern "C" fn(*const f64, i64, *const i64, i32, i32, i32, *mut f64, u32);
        type Cm =
            extern "C" fn(*const f64, *const f64, i64, *const i64, i32, i32, i32, *mut f64, u32);
        // SAFETY: each symbol is the launcher above with exactly this signature, and
        // every buffer has the length the kernel indexes (rows, partitions + 1, taps).
        unsafe {
            match function {
                DeviceFunction::FracDiff { weights } => {
                    let f: Fd = std::mem::transmute(self.symbol("host_frac_diff"));
                    let taps = weights.len() as i32;
                    f(x, rows, offsets, parts, weights.as_ptr(), taps, o, per_row)
                }
                DeviceFunction::RollingMean { n } => {
                    let f: Rm = std::mem::transmute(self.symbol("host_rolling_mean"));
                    f(x, rows, offsets, parts, *n as i32, o, per_row)
                }
                DeviceFunction::Ema { period } => {
                    let f: Em = std::mem::transmute(self.symbol("host_ema"));
                    let grid = (parts as u32).div_ceil(256).max(1);
                    f(x, offsets, parts, *period as i32, o, grid)
                }
                DeviceFunction::Linreg { n, output } => {
                    let f: Lr = std::mem::transmute(self.symbol("host_linreg"));
                    f(
                        x,
                        rows,
                        offsets,
                        parts,
                        *n as i32,
                        *output as i32,
                        o,
                        per_row,
                    )
                }
                DeviceFunction::DistanceCorr { n } => {
                    type Dc = extern "C" fn(
                        *const f64,
                        *const f64,
                        i64,
                        *const i64,
                        i32,
                        i32,
                        *mut f64,
                        u32,
                    );
                    let f: Dc = std::mem::transmute(self.symbol("host_distance_corr"));
                    let y = s.series[1].as_ptr();
                    f(x, y, rows, offsets, parts, *n as i32, o, per_row)
                }
                DeviceFunction::Comoment { n, output } => {
                    let f: Cm = std::mem::transmute(self.symbol("host_comoments"));
                    let y = s.series[1].as_ptr();
                    f(
                        x,
                        y,
                        rows,
                        offsets,
                        parts,
                        *n as i32,
                        *output as i32,
                        o,
                        per_row,
                    )
                }
            }
        }
        out
    }
}

fn open(path: &Path) -> *mut libc::c_void {
    let path = CString::new(path.to_str().unwrap()).unwrap();
    // SAFETY: dlopen of a library this test just built; checked for null.
    let library = unsafe { libc::dlopen(path.as_ptr(), libc::RTLD_NOW | libc::RTLD_LOCAL) };
    assert!(!library.is_null(), "dlopen of the host kernels failed");
    library
}

/// 30 partitions of 0 to 700 rows: a walk near 1.1 with flat stretches, short
/// partitions and missing values (which the gather leaves out), and a second
/// series for the co-moments.
fn segments() -> Segments {
    let mut state = 7u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % 10_000) as f64 / 10_000.0
    };
    let (mut x, mut y, mut ranges) = (vec![], vec![], vec![]);
    for p in 0..30usize {
        let len = (p * p * 37) % 701;
        let start = x.len();
        let mut level = 1.1 + p as f64;
        for i in 0..len {
            if !(p % 7 == 3 && (50..120).contains(&i)) {
                level += next() * 2e-3 - 1e-3;
            }
            let missing = (i * 13 + p) % 97 == 0;
            x.push((!missing).then_some(level));
            y.push(Some(if p % 5 == 1 && i < 90 {
                0.1
            } else {
                next() * 100.0
            }));
        }
        ranges.push(start..x.len());
    }
    let (x, y) = (Float64Array::from(x), Float64Array::from(y));
    Segments::gather(&[&x, &y], &ranges)
}

#[test]
fn every_kernel_agrees_with_the_cpu_path_on_the_host() {
    let kernels = HostKernels::build();
    let s = segments();
    assert!(s.len() > 5_000 && s.partitions() == 30);
    let weights = quantfusion::udfs::kernels::frac_diff::frac_diff_weights(0.4, 1e-3, 1 << 20);
    let mut functions = vec![
        DeviceFunction::FracDiff { weights },
        DeviceFunction::RollingMean { n: 1 },
        DeviceFunction::RollingMean { n: 20 },
        DeviceFunction::Ema { period: 10 },
        DeviceFunction::Ema { period: 650 },
    ];
    for n in [2, 15, 480] {
        for output in [
            LinregOutput::Slope,
            LinregOutput::Intercept,
            LinregOutput::Value,
            LinregOutput::Forecast,
            LinregOutput::R2,
            LinregOutput::Rmse,
            LinregOutput::Angle,
        ] {
            functions.push(DeviceFunction::Linreg { n, output });
        }
        for output in [
            ComomentOutput::Cov,
            ComomentOutput::Corr,
            ComomentOutput::Beta,
        ] {
            functions.push(DeviceFunction::Comoment { n, output });
        }
        if n < 100 {
            functions.push(DeviceFunction::DistanceCorr { n });
        }
    }
    for f in &functions {
        let device = kernels.run(f, &s);
        let cpu = f.run_on_cpu(&s);
        let mut compared = 0;
        for (row, (d, c)) in device.iter().zip(&cpu).enumerate() {
            match (d.is_finite(), c.is_finite()) {
                (true, true) => {
                    assert!(
                        (d - c).abs() <= 1e-9 * c.abs().max(1.0),
                        "{f:?} row {row}: kernel {d}, cpu {c}"
                    );
                    compared += 1;
                }
                (false, false) => {}
                _ => panic!("{f:?} row {row}: kernel {d}, cpu {c}"),
            }
        }
        assert!(compared > 0, "{f:?}: nothing to compare");
    }
}
