//! The CUDA kernels compile to PTX with NVRTC (no GPU needed). CI installs NVRTC
//! from PyPI and sets QUANTFUSION_REQUIRE_NVRTC=1, so a kernel that does not compile
//! fails CI; where NVRTC is absent the clear error is what is checked.

use quantfusion::kernels::{compile, compile_source, nvrtc_available, KERNELS};

#[test]
fn kernels_compile_to_ptx_or_say_why_not() {
    let required = std::env::var_os("QUANTFUSION_REQUIRE_NVRTC").is_some();
    assert!(
        nvrtc_available() || !required,
        "QUANTFUSION_REQUIRE_NVRTC is set but NVRTC cannot be loaded"
    );
    for (name, _) in KERNELS {
        match compile(name, "compute_80") {
            Ok(ptx) => {
                let text = ptx.to_src();
                assert!(text.contains(&format!(".entry {name}")), "{name}: {text}");
            }
            Err(e) => {
                assert!(!nvrtc_available(), "{e}");
                assert!(e.starts_with("NVRTC not found"), "{e}");
            }
        }
    }
    assert!(compile("no_such_kernel", "compute_80")
        .unwrap_err()
        .contains("no kernel named"));
}

#[test]
fn a_kernel_that_does_not_compile_is_named() {
    let broken = "extern \"C\" __global__ void broken(double* x) { x[0] = undeclared; }";
    let err = compile_source("broken", broken, "compute_80").unwrap_err();
    if nvrtc_available() {
        assert!(err.starts_with("kernel 'broken' does not compile"), "{err}");
        assert!(err.contains("undeclared"), "{err}");
    } else {
        assert!(err.starts_with("NVRTC not found"), "{err}");
    }
}
