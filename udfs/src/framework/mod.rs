//! The machinery every quantfusion function shares: argument declaration and literal
//! parameters, the missing-value rule, documentation, and the adapters that turn a
//! kernel over dense `&[f64]` slices into a DataFusion window, aggregate or scalar UDF.

pub mod adapter;
pub mod aggregate;
pub mod bits;
pub mod bundle;
pub mod collect;
pub mod docs;
pub mod in_order;
pub mod key_handoff;
pub mod memory;
pub mod missing;
pub mod order;
pub mod output;
pub mod params;
pub mod partition_stream;
pub mod recycle;
pub mod row_store;
pub mod scalar;
pub mod shared;
pub mod single_phase;
pub mod sorted_groups;
pub mod sorted_runs;
pub mod window;

pub use aggregate::{aggregate_udf, collecting_spec, SeriesAggregate};
pub use bundle::{BundleAggregates, CollectingSpec};
pub use docs::{Causality, Doc, Family};
pub use in_order::CollectInInputOrder;
pub use key_handoff::{KeyHandoffExec, SplitSortedScans};
pub use memory::Memory;
pub use missing::Prefill;
pub use output::Output;
pub use params::{Arguments, Param, ParamKind, ParamValue, Params};
pub use partition_stream::{BatchEvaluator, PartitionStreamExec, StreamWindowPartitions};
pub use scalar::{scalar_udf, SeriesScalar};
pub use shared::Shared;
pub use single_phase::SinglePhaseCollecting;
pub use sorted_groups::{AggregateSortedGroups, SortedGroupsExec};
pub use window::{memory_of, window_udf, SeriesWindow};
