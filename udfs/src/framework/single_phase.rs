//! One aggregation phase for aggregates that keep every row.
//!
//! DataFusion aggregates a multi-stream input in two phases: each stream reduces its
//! rows to partial states, the states are hash-repartitioned by group, and a final
//! phase merges them. A collecting aggregate (a scorecard metric, a percentile)
//! reduces nothing: its partial state is every row of the group, so the two phases
//! copy the column into states, copy the states again through the repartition (as
//! list arrays, into growing buffers), and merge them once more. On a 2.5M-row
//! scorecard those copies cost more than the metrics.
//!
//! [`SinglePhaseCollecting`] rewrites `Final(Repartition(Partial(input)))` into
//! `SinglePartitioned(Repartition(input))` when every aggregate collects: the input
//! rows are repartitioned by group as they are read (small batches, whose memory is
//! reused) and each group is collected once.

use super::bundle::BundleUdf;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::Result;
use datafusion::config::ConfigOptions;
use datafusion::logical_expr::AggregateUDF;
use datafusion::physical_optimizer::PhysicalOptimizerRule;
use datafusion::physical_plan::aggregates::{AggregateExec, AggregateMode};
use datafusion::physical_plan::repartition::RepartitionExec;
use datafusion::physical_plan::{ExecutionPlan, Partitioning};
use std::sync::Arc;

/// The physical rule (see the module docs).
#[derive(Debug)]
pub struct SinglePhaseCollecting {
    /// The registered collecting aggregates, matched by identity.
    collecting: Vec<Arc<AggregateUDF>>,
}

impl SinglePhaseCollecting {
    pub fn new(collecting: Vec<Arc<AggregateUDF>>) -> Self {
        SinglePhaseCollecting { collecting }
    }

    fn collects(&self, udf: &AggregateUDF) -> bool {
        udf.inner().is::<BundleUdf>()
            || self
                .collecting
                .iter()
                .any(|known| Arc::ptr_eq(known.inner(), udf.inner()))
    }

    /// The single-phase replacement of `node`, when it is the final phase of a
    /// two-phase aggregation of collecting aggregates only.
    fn single_phase(&self, node: &Arc<dyn ExecutionPlan>) -> Result<Option<AggregateExec>> {
        let Some(last) = node.downcast_ref::<AggregateExec>() else {
            return Ok(None);
        };
        if *last.mode() != AggregateMode::FinalPartitioned || last.limit_options().is_some() {
            return Ok(None);
        }
        let Some(repartition) = last.input().downcast_ref::<RepartitionExec>() else {
            return Ok(None);
        };
        let Partitioning::Hash(_, partitions) = repartition.partitioning() else {
            return Ok(None);
        };
        let Some(first) = repartition.input().downcast_ref::<AggregateExec>() else {
            return Ok(None);
        };
        let group_by = first.group_expr();
        if *first.mode() != AggregateMode::Partial
            || group_by.has_grouping_set()
            || group_by.expr().is_empty()
            || first.aggr_expr().is_empty()
            || !first
                .aggr_expr()
                .iter()
                .all(|a| !a.is_distinct() && self.collects(a.fun()))
        {
            return Ok(None);
        }
        let by_group = Partitioning::Hash(group_by.input_exprs(), *partitions);
        let rows_by_group = RepartitionExec::try_new(Arc::clone(first.input()), by_group)?;
        let single = AggregateExec::try_new(
            AggregateMode::SinglePartitioned,
            group_by.clone(),
            first.aggr_expr().to_vec(),
            first.filter_expr().to_vec(),
            Arc::new(rows_by_group),
            first.input_schema(),
        )?;
        // The output must be the one the plan above was built against.
        Ok((single.schema() == last.schema()).then_some(single))
    }
}

impl PhysicalOptimizerRule for SinglePhaseCollecting {
    fn optimize(
        &self,
        plan: Arc<dyn ExecutionPlan>,
        _config: &ConfigOptions,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        plan.transform_up(|node| match self.single_phase(&node)? {
            Some(single) => Ok(Transformed::yes(Arc::new(single) as Arc<dyn ExecutionPlan>)),
            None => Ok(Transformed::no(node)),
        })
        .map(|t| t.data)
    }

    fn name(&self) -> &str {
        "single_phase_collecting"
    }

    fn schema_check(&self) -> bool {
        true
    }
}
