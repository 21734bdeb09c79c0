//! A GROUP BY of collecting aggregates over input sorted by its keys, without
//! hashing.
//!
//! A one-phase aggregation (each group in one stream) over input sorted by the
//! group keys — a file sorted by `(symbol, ts)` read with [`super::key_handoff`] —
//! receives every group's rows together. DataFusion's `AggregateExec` still looks
//! up each row's key in a hash table to find its group: on a 2.5M-row scorecard
//! that probe is the largest single cost. When every aggregate is a bundle of
//! quantfusion's collecting aggregates reading groups in input order (see
//! [`super::in_order`]), [`SortedGroupsExec`] finds the groups as runs of equal
//! keys instead (a few comparisons per group, [`super::sorted_runs`]) and evaluates
//! each bundle on the group's rows as slices of the input batches. Planning
//! properties are the wrapped aggregate's; only execution differs.

use super::bundle::BundleUdf;
use super::collect::{GroupEvaluator, WholeGroups};
use super::sorted_runs::{Completed, SortedRuns};
use datafusion::arrow::array::{Array, ArrayRef, RecordBatch};
use datafusion::arrow::compute::{concat, interleave};
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::common::tree_node::{Transformed, TreeNode, TreeNodeRecursion};
use datafusion::common::{internal_err, Result};
use datafusion::config::ConfigOptions;
use datafusion::execution::TaskContext;
use datafusion::physical_expr::OrderingRequirements;
use datafusion::physical_optimizer::PhysicalOptimizerRule;
use datafusion::physical_plan::aggregates::{AggregateExec, AggregateMode};
use datafusion::physical_plan::execution_plan::CardinalityEffect;
use datafusion::physical_plan::metrics::{BaselineMetrics, ExecutionPlanMetricsSet, MetricsSet};
use datafusion::physical_plan::{
    ChildStats, ChildrenPropertiesMode, DisplayAs, DisplayFormatType, ExecutionPlan,
    InputDistributionRequirements, InputOrderMode, PhysicalExpr, PlanProperties, RecordBatchStream,
    ReplaceChildrenOptions, SendableRecordBatchStream, Statistics, StatisticsArgs,
};
use futures::{ready, Stream, StreamExt};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

/// An `AggregateExec` of bundles over sorted groups, evaluated run by run (see the
/// module docs).
#[derive(Debug)]
pub struct SortedGroupsExec {
    aggregate: Arc<AggregateExec>,
    metrics: ExecutionPlanMetricsSet,
}

impl SortedGroupsExec {
    /// `None` unless `aggregate` runs in one phase over input sorted by every group
    /// key, with plain groups (no grouping sets, no limit) and only bundles of
    /// collecting aggregates that read their groups in input order, unfiltered.
    pub fn try_wrap(aggregate: Arc<AggregateExec>) -> Option<Self> {
        let one_phase = matches!(
            aggregate.mode(),
            AggregateMode::Single | AggregateMode::SinglePartitioned
        );
        let groups = aggregate.group_expr();
        let plain_groups = !groups.has_grouping_set() && !groups.expr().is_empty();
        let sorted = *aggregate.input_order_mode() == InputOrderMode::Sorted;
        let bundles_in_order = !aggregate.aggr_expr().is_empty()
            && aggregate.aggr_expr().iter().all(|e| {
                let bundle = e.fun().inner().downcast_ref::<BundleUdf>();
                !e.is_distinct() && bundle.is_some_and(|b| !b.is_ordered() || b.is_input_in_order())
            })
            && aggregate.filter_expr().iter().all(Option::is_none);
        let unlimited = aggregate.limit_options().is_none();
        (one_phase && plain_groups && sorted && bundles_in_order && unlimited).then(|| {
            SortedGroupsExec {
                aggregate,
                metrics: ExecutionPlanMetricsSet::new(),
            }
        })
    }

    /// The aggregation this operator executes.
    pub fn aggregate(&self) -> &Arc<AggregateExec> {
        &self.aggregate
    }
}

impl DisplayAs for SortedGroupsExec {
    fn fmt_as(&self, t: DisplayFormatType, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        if !matches!(t, DisplayFormatType::TreeRender) {
            write!(f, "SortedGroupsExec: ")?;
        }
        self.aggregate.fmt_as(t, f)
    }
}

impl ExecutionPlan for SortedGroupsExec {
    fn name(&self) -> &str {
        "SortedGroupsExec"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        self.aggregate.properties()
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![self.aggregate.input()]
    }

    fn apply_expressions(
        &self,
        f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> Result<TreeNodeRecursion>,
    ) -> Result<TreeNodeRecursion> {
        self.aggregate.apply_expressions(f)
    }

    fn maintains_input_order(&self) -> Vec<bool> {
        self.aggregate.maintains_input_order()
    }

    fn required_input_ordering(&self) -> Vec<Option<OrderingRequirements>> {
        self.aggregate.required_input_ordering()
    }

    fn input_distribution_requirements(&self) -> InputDistributionRequirements {
        self.aggregate.input_distribution_requirements()
    }

    fn replace_children(
        self: Arc<Self>,
        children: Vec<Arc<dyn ExecutionPlan>>,
        options: ReplaceChildrenOptions,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let aggregate = Arc::clone(&self.aggregate).replace_children(children, options)?;
        let Some(aggregate) = aggregate.downcast_ref::<AggregateExec>() else {
            return internal_err!("SortedGroupsExec: the wrapped aggregate changed type");
        };
        let aggregate = Arc::new(aggregate.clone());
        // New children may no longer deliver sorted groups: then the aggregate runs
        // as DataFusion's.
        match SortedGroupsExec::try_wrap(Arc::clone(&aggregate)) {
            Some(exec) => Ok(Arc::new(exec)),
            None => Ok(aggregate),
        }
    }

    #[allow(deprecated)]
    fn with_new_children(
        self: Arc<Self>,
        children: Vec<Arc<dyn ExecutionPlan>>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        self.replace_children(
            children,
            ReplaceChildrenOptions::new(ChildrenPropertiesMode::Recompute),
        )
    }

    fn execute(
        &self,
        partition: usize,
        context: Arc<TaskContext>,
    ) -> Result<SendableRecordBatchStream> {
        let aggregate = &self.aggregate;
        let keys: Vec<Arc<dyn PhysicalExpr>> = aggregate
            .group_expr()
            .expr()
            .iter()
            .map(|(e, _)| Arc::clone(e))
            .collect();
        let mut bundles = Vec::with_capacity(aggregate.aggr_expr().len());
        for expr in aggregate.aggr_expr() {
            let Some(bundle) = expr.fun().inner().downcast_ref::<BundleUdf>() else {
                return internal_err!("SortedGroupsExec: {} is not a bundle", expr.name());
            };
            bundles.push(BundleCall {
                args: expr.expressions(),
                series: bundle.series(),
                evaluator: bundle.evaluator(),
            });
        }
        let input = aggregate.input().execute(partition, Arc::clone(&context))?;
        Ok(Box::pin(SortedGroupsStream {
            schema: self.schema(),
            input,
            runs: SortedRuns::new(keys.clone()),
            keys,
            bundles,
            done: Vec::new(),
            done_groups: 0,
            batch_size: context.session_config().batch_size(),
            finished: false,
            metrics: BaselineMetrics::new(&self.metrics, partition),
        }))
    }

    fn metrics(&self) -> Option<MetricsSet> {
        Some(self.metrics.clone_inner())
    }

    fn child_stats_requests(&self, partition: Option<usize>) -> Vec<ChildStats> {
        self.aggregate.child_stats_requests(partition)
    }

    fn statistics_from_inputs(
        &self,
        input_stats: &[Arc<Statistics>],
        args: &StatisticsArgs,
    ) -> Result<Arc<Statistics>> {
        self.aggregate.statistics_from_inputs(input_stats, args)
    }

    fn cardinality_effect(&self) -> CardinalityEffect {
        self.aggregate.cardinality_effect()
    }
}

/// One bundle of the aggregation.
#[derive(Debug)]
struct BundleCall {
    /// The series it reads.
    args: Vec<Arc<dyn PhysicalExpr>>,
    series: usize,
    evaluator: Box<dyn GroupEvaluator>,
}

/// The stream of one output partition.
struct SortedGroupsStream {
    schema: SchemaRef,
    input: SendableRecordBatchStream,
    runs: SortedRuns,
    keys: Vec<Arc<dyn PhysicalExpr>>,
    bundles: Vec<BundleCall>,
    /// Evaluated groups not yet emitted: per output column, one array per run.
    done: Vec<Vec<ArrayRef>>,
    done_groups: usize,
    batch_size: usize,
    finished: bool,
    metrics: BaselineMetrics,
}

impl SortedGroupsStream {
    /// Evaluates the completed groups: their keys (from each group's first row) and
    /// every bundle on their rows.
    fn evaluate(&mut self, completed: Completed) -> Result<()> {
        let Completed { rows, ranges } = completed;
        if ranges.is_empty() {
            return Ok(());
        }
        let _timer = self.metrics.elapsed_compute().timer();
        // Where each slice starts among the completed rows.
        let starts: Vec<usize> = rows
            .iter()
            .scan(0, |offset, b| {
                let start = *offset;
                *offset += b.num_rows();
                Some(start)
            })
            .collect();
        let evaluate_all = |exprs: &[Arc<dyn PhysicalExpr>], batch: &RecordBatch| {
            exprs
                .iter()
                .map(|e| e.evaluate(batch)?.into_array(batch.num_rows()))
                .collect::<Result<Vec<ArrayRef>>>()
        };
        let mut columns = Vec::with_capacity(self.keys.len() + self.bundles.len());
        let slice_keys = rows
            .iter()
            .map(|b| evaluate_all(&self.keys, b))
            .collect::<Result<Vec<_>>>()?;
        let first_rows: Vec<(usize, usize)> = ranges
            .iter()
            .map(|r| {
                let slice = starts.partition_point(|&s| s <= r.start) - 1;
                (slice, r.start - starts[slice])
            })
            .collect();
        for k in 0..self.keys.len() {
            let arrays: Vec<&dyn Array> = slice_keys.iter().map(|keys| keys[k].as_ref()).collect();
            columns.push(interleave(&arrays, &first_rows)?);
        }
        for bundle in &self.bundles {
            let slice_args = rows
                .iter()
                .map(|b| evaluate_all(&bundle.args, b))
                .collect::<Result<Vec<_>>>()?;
            let mut groups = WholeGroups::new(bundle.series);
            for range in &ranges {
                groups.start_group();
                for (args, (&start, slice)) in slice_args.iter().zip(starts.iter().zip(&rows)) {
                    let from = range.start.max(start);
                    let to = range.end.min(start + slice.num_rows());
                    if from < to {
                        let piece: Vec<ArrayRef> = args
                            .iter()
                            .map(|a| a.slice(from - start, to - from))
                            .collect();
                        groups.add_rows(&piece)?;
                    }
                }
            }
            columns.push(groups.evaluate(bundle.evaluator.as_ref())?);
        }
        if self.done.is_empty() {
            self.done = vec![Vec::new(); columns.len()];
        }
        for (done, column) in self.done.iter_mut().zip(columns) {
            done.push(column);
        }
        self.done_groups += ranges.len();
        Ok(())
    }

    /// The evaluated groups as one output batch.
    fn emit(&mut self) -> Result<RecordBatch> {
        let columns = std::mem::take(&mut self.done)
            .into_iter()
            .map(|parts| {
                let parts: Vec<&dyn Array> = parts.iter().map(|p| p.as_ref()).collect();
                Ok(concat(&parts)?)
            })
            .collect::<Result<Vec<ArrayRef>>>()?;
        self.done_groups = 0;
        Ok(RecordBatch::try_new(Arc::clone(&self.schema), columns)?)
    }

    fn poll_inner(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<RecordBatch>>> {
        loop {
            if self.finished {
                return Poll::Ready(None);
            }
            let step = match ready!(self.input.poll_next_unpin(cx)) {
                Some(Ok(batch)) => self.runs.push(batch).and_then(|c| self.evaluate(c)),
                Some(Err(e)) => Err(e),
                None => {
                    self.finished = true;
                    let last = self.runs.finish();
                    self.evaluate(last)
                }
            };
            if let Err(e) = step {
                self.finished = true;
                return Poll::Ready(Some(Err(e)));
            }
            if self.done_groups > 0 && (self.finished || self.done_groups >= self.batch_size) {
                return Poll::Ready(Some(self.emit()));
            }
        }
    }
}

impl Stream for SortedGroupsStream {
    type Item = Result<RecordBatch>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let poll = self.poll_inner(cx);
        self.metrics.record_poll(poll)
    }
}

impl RecordBatchStream for SortedGroupsStream {
    fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }
}

/// Physical optimizer rule: an aggregation [`SortedGroupsExec::try_wrap`] accepts
/// runs as a [`SortedGroupsExec`]. Runs after [`super::in_order::CollectInInputOrder`],
/// which decides whether bundles may read their groups in input order.
#[derive(Debug, Default)]
pub struct AggregateSortedGroups;

impl PhysicalOptimizerRule for AggregateSortedGroups {
    fn optimize(
        &self,
        plan: Arc<dyn ExecutionPlan>,
        _config: &ConfigOptions,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        plan.transform_up(|node| {
            let Some(aggregate) = node.downcast_ref::<AggregateExec>() else {
                return Ok(Transformed::no(node));
            };
            match SortedGroupsExec::try_wrap(Arc::new(aggregate.clone())) {
                Some(exec) => Ok(Transformed::yes(Arc::new(exec) as Arc<dyn ExecutionPlan>)),
                None => Ok(Transformed::no(node)),
            }
        })
        .map(|t| t.data)
    }

    fn name(&self) -> &str {
        "aggregate_sorted_groups"
    }

    fn schema_check(&self) -> bool {
        true
    }
}
