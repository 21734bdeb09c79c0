//! Order-dependent aggregates over input already in their order.
//!
//! An order-dependent bundle (`max_drawdown(ret ORDER BY ts)` beside other metrics)
//! keeps each row's ORDER BY key, encoded, to put its group in order before
//! evaluating, and to merge partial groups. When the aggregation runs in one phase
//! (each group whole in one stream) over input sorted by the group keys it is
//! ordered by and then the ORDER BY (a file sorted by `(symbol, ts)` read with
//! [`super::key_handoff`]), every group's rows already arrive in order: encoding,
//! storing (9 bytes a row) and checking the keys is wasted work, about a tenth of a
//! 2.5M-row scorecard.
//!
//! [`CollectInInputOrder`] marks such bundles after the other rules have settled the
//! plan's streams. DataFusion's own signal (`with_beneficial_ordering`) is not used:
//! it is given before the aggregation becomes one phase, and for two-phase plans,
//! whose partial groups still need their keys to be merged.

use super::bundle::BundleUdf;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::Result;
use datafusion::config::ConfigOptions;
use datafusion::logical_expr::AggregateUDF;
use datafusion::physical_expr::aggregate::{AggregateExprBuilder, AggregateFunctionExpr};
use datafusion::physical_expr::PhysicalSortRequirement;
use datafusion::physical_optimizer::PhysicalOptimizerRule;
use datafusion::physical_plan::aggregates::{AggregateExec, AggregateMode};
use datafusion::physical_plan::windows::get_ordered_partition_by_indices;
use datafusion::physical_plan::{ExecutionPlan, ExecutionPlanProperties};
use std::sync::Arc;

/// The physical rule (see the module docs).
#[derive(Debug, Default)]
pub struct CollectInInputOrder;

impl CollectInInputOrder {
    /// `node` with its ordered bundles marked, when it is a one-phase aggregation
    /// whose input delivers their order.
    fn marked(&self, node: &Arc<dyn ExecutionPlan>) -> Result<Option<AggregateExec>> {
        let Some(aggregate) = node.downcast_ref::<AggregateExec>() else {
            return Ok(None);
        };
        if !matches!(
            aggregate.mode(),
            AggregateMode::Single | AggregateMode::SinglePartitioned
        ) || aggregate.group_expr().has_grouping_set()
        {
            return Ok(None);
        }
        let input = aggregate.input();
        let group_exprs = aggregate.group_expr().input_exprs();
        let sorted_groups = get_ordered_partition_by_indices(&group_exprs, input)?;
        let prefix: Vec<PhysicalSortRequirement> = sorted_groups
            .iter()
            .map(|&i| PhysicalSortRequirement::new(Arc::clone(&group_exprs[i]), None))
            .collect();
        let equivalences = input.equivalence_properties();
        let mut changed = false;
        let mut exprs = Vec::with_capacity(aggregate.aggr_expr().len());
        for expr in aggregate.aggr_expr() {
            let bundle = expr.fun().inner().downcast_ref::<BundleUdf>();
            let candidate = bundle
                .filter(|b| b.is_ordered() && !expr.order_bys().is_empty() && !expr.is_reversed());
            let in_order = match candidate {
                Some(_) => {
                    let requirement = prefix.iter().cloned().chain(
                        expr.order_bys()
                            .iter()
                            .map(|e| PhysicalSortRequirement::from(e.clone())),
                    );
                    equivalences.ordering_satisfy_requirement(requirement)?
                }
                None => false,
            };
            match candidate {
                Some(bundle) if in_order => {
                    let udf = AggregateUDF::new_from_impl(bundle.with_input_in_order());
                    exprs.push(Arc::new(rebuilt(expr, udf, aggregate)?));
                    changed = true;
                }
                _ => exprs.push(Arc::clone(expr)),
            }
        }
        Ok(changed.then(|| aggregate.with_new_aggr_exprs(exprs)))
    }
}

/// `expr` calling `udf` instead, with everything else as it was.
fn rebuilt(
    expr: &AggregateFunctionExpr,
    udf: AggregateUDF,
    aggregate: &AggregateExec,
) -> Result<AggregateFunctionExpr> {
    let mut builder = AggregateExprBuilder::new(Arc::new(udf), expr.expressions())
        .order_by(expr.order_bys().to_vec())
        .schema(aggregate.input_schema())
        .alias(expr.name().to_string())
        .with_ignore_nulls(expr.ignore_nulls())
        .with_distinct(expr.is_distinct())
        .with_reversed(expr.is_reversed());
    if let Some(display) = expr.human_display() {
        builder = builder.human_display(display.to_string());
    }
    builder.build()
}

impl PhysicalOptimizerRule for CollectInInputOrder {
    fn optimize(
        &self,
        plan: Arc<dyn ExecutionPlan>,
        _config: &ConfigOptions,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        plan.transform_up(|node| match self.marked(&node)? {
            Some(marked) => Ok(Transformed::yes(Arc::new(marked) as Arc<dyn ExecutionPlan>)),
            None => Ok(Transformed::no(node)),
        })
        .map(|t| t.data)
    }

    fn name(&self) -> &str {
        "collect_in_input_order"
    }

    fn schema_check(&self) -> bool {
        true
    }
}
