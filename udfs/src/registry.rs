//! The catalogue of every quantfusion function and its registration on a session.

use crate::framework::{
    aggregate_udf, collecting_spec, memory_of, scalar_udf, window_udf, AggregateSortedGroups,
    BundleAggregates, Causality, CollectInInputOrder, CollectingSpec, Family, Memory,
    SeriesAggregate, SeriesScalar, SeriesWindow, SinglePhaseCollecting, SplitSortedScans,
    StreamWindowPartitions,
};
use datafusion::common::Result;
use datafusion::execution::FunctionRegistry;
use datafusion::execution::SessionStateBuilder;
use datafusion::logical_expr::{AggregateUDF, Documentation, Expr, ScalarUDF, WindowUDF};
use datafusion::physical_optimizer::PhysicalOptimizerRule;
use datafusion::prelude::SessionContext;
use std::sync::Arc;

/// A DataFusion UDF of any kind.
#[derive(Debug, Clone)]
pub enum Udf {
    Window(Arc<WindowUDF>),
    Aggregate(Arc<AggregateUDF>),
    Scalar(Arc<ScalarUDF>),
}

/// The memory of a window function's call, from the call's arguments.
pub type MemoryOf = fn(&[Expr]) -> Result<Memory>;

/// One quantfusion function: its UDF and what the catalogue tells about it.
#[derive(Debug, Clone)]
pub struct QfFunction {
    pub name: &'static str,
    pub family: Family,
    pub causality: Causality,
    pub udf: Udf,
    /// For an aggregate: what lets it share one collection with others.
    pub collecting: Option<CollectingSpec>,
    /// For a window function: how far back a call with these arguments reaches.
    pub memory: Option<MemoryOf>,
}

impl QfFunction {
    /// `window`, `aggregate` or `scalar`.
    pub fn kind(&self) -> &'static str {
        match self.udf {
            Udf::Window(_) => "window",
            Udf::Aggregate(_) => "aggregate",
            Udf::Scalar(_) => "scalar",
        }
    }

    pub fn documentation(&self) -> Option<&Documentation> {
        match &self.udf {
            Udf::Window(f) => f.documentation(),
            Udf::Aggregate(f) => f.documentation(),
            Udf::Scalar(f) => f.documentation(),
        }
    }
}

pub(crate) fn window<K: SeriesWindow>() -> QfFunction {
    QfFunction {
        name: K::NAME,
        family: K::FAMILY,
        causality: K::CAUSALITY,
        udf: Udf::Window(Arc::new(window_udf::<K>())),
        collecting: None,
        memory: Some(memory_of::<K>),
    }
}

pub(crate) fn aggregate<K: SeriesAggregate>() -> QfFunction {
    QfFunction {
        name: K::NAME,
        family: K::FAMILY,
        causality: K::CAUSALITY,
        udf: Udf::Aggregate(Arc::new(aggregate_udf::<K>())),
        collecting: Some(collecting_spec::<K>()),
        memory: None,
    }
}

pub(crate) fn scalar<K: SeriesScalar>() -> QfFunction {
    QfFunction {
        name: K::NAME,
        family: K::FAMILY,
        causality: Causality::Causal,
        udf: Udf::Scalar(Arc::new(scalar_udf::<K>())),
        collecting: None,
        memory: None,
    }
}

/// Every quantfusion function, sorted by name.
pub fn all_functions() -> Vec<QfFunction> {
    let mut all = [
        crate::technical::functions(),
        crate::price_features::functions(),
        crate::returns::functions(),
        crate::rolling::functions(),
        crate::regression::functions(),
        crate::risk::functions(),
        crate::stationarity::functions(),
        crate::time::functions(),
    ]
    .concat();
    all.sort_by_key(|f| f.name);
    all
}

/// How far back a call of the quantfusion window function `name` reaches; `None`
/// when no quantfusion window function has that name.
pub fn window_memory(name: &str, args: &[Expr]) -> Option<Result<Memory>> {
    all_functions()
        .into_iter()
        .find(|f| f.name == name)
        .and_then(|f| f.memory)
        .map(|memory| memory(args))
}

/// Registers every quantfusion function on a session, the optimizer rule that lets
/// aggregates of the same series share one collection, and the physical rules that
/// aggregate collecting aggregates in one phase ([`SinglePhaseCollecting`]), evaluate
/// window functions one partition at a time ([`StreamWindowPartitions`]), split
/// sorted scans ([`SplitSortedScans`]), skip the ORDER BY keys of groups that
/// arrive in order ([`CollectInInputOrder`]) and find such groups as runs of equal
/// keys instead of hashing them ([`AggregateSortedGroups`]).
pub fn register_all(ctx: &SessionContext) {
    let mut collecting = Vec::new();
    for f in all_functions() {
        match f.udf {
            Udf::Window(u) => ctx.register_udwf(Arc::unwrap_or_clone(u)),
            Udf::Aggregate(u) => {
                if let Some(spec) = f.collecting {
                    collecting.push((u.clone(), spec));
                }
                ctx.register_udaf(Arc::unwrap_or_clone(u))
            }
            Udf::Scalar(u) => ctx.register_udf(Arc::unwrap_or_clone(u)),
        }
    }
    let collecting_udfs = collecting.iter().map(|(u, _)| Arc::clone(u)).collect();
    ctx.add_optimizer_rule(Arc::new(BundleAggregates::new(collecting)));
    add_physical_rule(ctx, Arc::new(SinglePhaseCollecting::new(collecting_udfs)));
    add_physical_rule(ctx, Arc::new(StreamWindowPartitions));
    add_physical_rule(ctx, Arc::new(SplitSortedScans));
    add_physical_rule(ctx, Arc::new(CollectInInputOrder));
    add_physical_rule(ctx, Arc::new(AggregateSortedGroups));
}

/// Appends a physical optimizer rule to a live session, once. `SessionContext` has
/// no method for it, so the session state is rebuilt with the rule added.
pub fn add_physical_rule(ctx: &SessionContext, rule: Arc<dyn PhysicalOptimizerRule + Send + Sync>) {
    let shared = ctx.state_ref();
    let mut state = shared.write();
    let rules = state.physical_optimizers();
    if rules.iter().any(|r| r.name() == rule.name()) {
        return;
    }
    let mut rules = rules.to_vec();
    rules.push(rule);
    *state = SessionStateBuilder::new_from_existing(state.clone())
        .with_physical_optimizer_rules(rules)
        .build();
}

/// Registers every quantfusion function on any registry (a `SessionState`, a
/// distributed executor's registry).
pub fn register_all_in(registry: &mut dyn FunctionRegistry) -> Result<()> {
    for f in all_functions() {
        match f.udf {
            Udf::Window(u) => {
                registry.register_udwf(u)?;
            }
            Udf::Aggregate(u) => {
                registry.register_udaf(u)?;
            }
            Udf::Scalar(u) => {
                registry.register_udf(u)?;
            }
        }
    }
    Ok(())
}
