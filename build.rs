//! Links the `quantfusion` binary as a position-dependent executable.
//!
//! A position-independent build of this 190 MB binary carries 287,000 relative
//! relocations that the loader applies at every start, writing (and so copying)
//! 4.8 MB of pages: 15 ms of a 16 ms `SELECT 1`, paid by every scheduled job and
//! every shell start. Linked at a fixed address the start takes 8 ms. Only the
//! binaries are affected (`rustc-link-arg-bins`): the library, tests and
//! procedural macros stay position independent.

fn main() {
    println!("cargo:rustc-link-arg-bins=-no-pie");
}
