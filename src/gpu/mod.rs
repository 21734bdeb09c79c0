//! Device execution of the window functions that have CUDA kernels.
//!
//! A window stage streams runs of complete partitions
//! ([`quantfusion_udfs::framework::PartitionStreamExec`]); for a device-capable call
//! ([`function::DeviceCall`]) the whole run is gathered into one buffer with
//! partition offsets ([`segments::Segments`]), so one launch covers every symbol of
//! the run, and the results are scattered back with NULL where an argument was
//! missing. [`placement::DevicePlacement`] decides per run where it executes
//! (`quantfusion.device`, the cost rule, falling back to the CPU under `auto` when
//! the device fails) and tells EXPLAIN.

pub mod backend;
pub mod function;
pub mod placement;
pub mod segments;

pub use backend::{Backend, CpuEmulation, DeviceError};
pub use placement::DevicePlacement;
