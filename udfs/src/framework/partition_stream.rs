//! Window evaluation one partition at a time.
//!
//! DataFusion runs window functions that need the whole partition (every
//! quantfusion window function: a recurrence or a full-sample fit) in
//! `WindowAggExec`, which buffers its entire input, concatenates it, evaluates every
//! partition and concatenates the results again before emitting one batch. On a
//! 10M-row stage that holds several copies of the data at once, and most of the time
//! goes to the kernel zeroing the fresh pages those copies land on.
//!
//! The input of a `WindowAggExec` is sorted by its PARTITION BY keys (that is its
//! ordering requirement), so a partition is complete as soon as a row with another
//! key arrives. [`PartitionStreamExec`] uses that: it keeps only the rows of the
//! unfinished partition, and evaluates and emits each run of complete partitions as
//! it closes, with exactly `WindowAggExec`'s per-partition evaluation
//! (`WindowExpr::evaluate` on the partition's rows). Memory is bounded by the
//! largest partition plus a batch, and the working set stays in cache. Only the
//! columns the expressions read are put together for evaluation; the output is the
//! input's own slices with the results appended.
//! [`StreamWindowPartitions`] is the physical optimizer rule that swaps it in.

use super::missing;
use super::sorted_runs::SortedRuns;
use datafusion::arrow::array::{new_null_array, Array, ArrayRef, RecordBatch, RecordBatchOptions};
use datafusion::arrow::compute::concat;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::common::tree_node::{Transformed, TreeNode, TreeNodeRecursion};
use datafusion::common::{internal_err, Result};
use datafusion::config::ConfigOptions;
use datafusion::execution::TaskContext;
use datafusion::physical_expr::utils::collect_columns;
use datafusion::physical_expr::window::StandardWindowExpr;
use datafusion::physical_expr::OrderingRequirements;
use datafusion::physical_optimizer::PhysicalOptimizerRule;
use datafusion::physical_plan::execution_plan::{CardinalityEffect, EmissionType};
use datafusion::physical_plan::metrics::{BaselineMetrics, ExecutionPlanMetricsSet, MetricsSet};
use datafusion::physical_plan::projection::ProjectionExec;
use datafusion::physical_plan::windows::WindowAggExec;
use datafusion::physical_plan::{
    ChildStats, ChildrenPropertiesMode, DisplayAs, DisplayFormatType, ExecutionPlan,
    InputDistributionRequirements, PhysicalExpr, PlanProperties, RecordBatchStream,
    ReplaceChildrenOptions, SendableRecordBatchStream, Statistics, StatisticsArgs, WindowExpr,
};
use futures::{ready, Stream, StreamExt};
use std::collections::VecDeque;
use std::ops::Range;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

/// Evaluates some window expressions over a whole run of complete partitions at
/// once (one device launch for all of them, say); the others, and the runs it
/// declines, are evaluated partition by partition.
pub trait BatchEvaluator: std::fmt::Debug + Send + Sync {
    /// Where `expr` runs, for EXPLAIN (`gpu`, `cpu (no usable GPU)`); `None` for
    /// expressions it knows nothing of.
    fn placement(&self, expr: &dyn WindowExpr) -> Option<String>;

    /// Whether [`Self::evaluate`] may take `expr` over a run of `rows` rows. A run
    /// is put together into one batch only when some expression may be taken, so a
    /// stage whose device is absent or not worth it costs no copy of its runs.
    fn may_evaluate(&self, expr: &dyn WindowExpr, rows: usize) -> bool;

    /// `expr` over every partition of `batch` (its rows split by `ranges`), or `None`
    /// to leave this run to the partition-by-partition path.
    fn evaluate(
        &self,
        expr: &dyn WindowExpr,
        batch: &RecordBatch,
        ranges: &[Range<usize>],
    ) -> Result<Option<ArrayRef>>;
}

/// A `WindowAggExec` evaluated partition by partition as its sorted input streams
/// in. Planning properties (schema, orderings, distribution) are the wrapped
/// operator's; only execution differs.
#[derive(Debug)]
pub struct PartitionStreamExec {
    window: Arc<WindowAggExec>,
    properties: Arc<PlanProperties>,
    metrics: ExecutionPlanMetricsSet,
    batch_evaluator: Option<Arc<dyn BatchEvaluator>>,
    /// See [`PartitionStreamExec::with_null_free_tails`].
    null_free_tails: bool,
}

impl PartitionStreamExec {
    /// `None` when `window` has no PARTITION BY (one partition: nothing to stream).
    pub fn try_wrap(window: Arc<WindowAggExec>) -> Option<Self> {
        if window.window_expr().first()?.partition_by().is_empty() {
            return None;
        }
        Some(Self::wrap(window))
    }

    /// Wraps any `WindowAggExec`; without PARTITION BY the whole input is one
    /// partition, evaluated when it ends (as `WindowAggExec` does), which lets a
    /// batch evaluator take a window over a whole table.
    pub fn wrap(window: Arc<WindowAggExec>) -> Self {
        let properties = window
            .properties()
            .as_ref()
            .clone()
            .with_emission_type(EmissionType::Incremental);
        PartitionStreamExec {
            window,
            properties: Arc::new(properties),
            metrics: ExecutionPlanMetricsSet::new(),
            batch_evaluator: None,
            null_free_tails: true,
        }
    }

    /// The same operator with `evaluator` taking the expressions it handles.
    pub fn with_batch_evaluator(&self, evaluator: Arc<dyn BatchEvaluator>) -> Self {
        PartitionStreamExec {
            window: Arc::clone(&self.window),
            properties: Arc::clone(&self.properties),
            metrics: ExecutionPlanMetricsSet::new(),
            batch_evaluator: Some(evaluator),
            null_free_tails: self.null_free_tails,
        }
    }

    /// Whether a long partition's warm-up rows (the NULLs its results begin with)
    /// leave in a batch of their own, so that the rest of it arrives with no NULLs and
    /// its consumers (aggregates, the parquet writer) take their NULL-free paths: on
    /// the 13-indicator benchmark Arrow's `sum` over the outputs took 8 % of the time
    /// on the NULL-aware path. On by default; [`StreamWindowPartitions`] turns it off
    /// for a stage feeding another window stage, which would have to concatenate the
    /// two pieces again.
    pub fn with_null_free_tails(&self, on: bool) -> Self {
        PartitionStreamExec {
            window: Arc::clone(&self.window),
            properties: Arc::clone(&self.properties),
            metrics: ExecutionPlanMetricsSet::new(),
            batch_evaluator: self.batch_evaluator.clone(),
            null_free_tails: on,
        }
    }

    /// See [`Self::with_null_free_tails`].
    pub fn null_free_tails(&self) -> bool {
        self.null_free_tails
    }

    pub fn window_expr(&self) -> &[Arc<dyn WindowExpr>] {
        self.window.window_expr()
    }
}

impl DisplayAs for PartitionStreamExec {
    fn fmt_as(&self, t: DisplayFormatType, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        // The tree format names the operator itself and wants `key=value` lines.
        let tree = matches!(t, DisplayFormatType::TreeRender);
        if !tree {
            write!(f, "PartitionStreamExec: ")?;
        }
        self.window.fmt_as(t, f)?;
        let Some(evaluator) = &self.batch_evaluator else {
            return Ok(());
        };
        let placements: Vec<String> = self
            .window
            .window_expr()
            .iter()
            .filter_map(|e| {
                let call = e.name().split(" PARTITION BY").next().unwrap_or_default();
                Some(format!("{call} on {}", evaluator.placement(e.as_ref())?))
            })
            .collect();
        match (placements.is_empty(), tree) {
            (true, _) => {}
            (false, true) => write!(f, "\ndevices={}", placements.join(", "))?,
            (false, false) => write!(f, ", devices=[{}]", placements.join(", "))?,
        }
        Ok(())
    }
}

impl ExecutionPlan for PartitionStreamExec {
    fn name(&self) -> &str {
        "PartitionStreamExec"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        &self.properties
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![self.window.input()]
    }

    fn apply_expressions(
        &self,
        f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> Result<TreeNodeRecursion>,
    ) -> Result<TreeNodeRecursion> {
        self.window.apply_expressions(f)
    }

    fn maintains_input_order(&self) -> Vec<bool> {
        vec![true]
    }

    fn required_input_ordering(&self) -> Vec<Option<OrderingRequirements>> {
        self.window.required_input_ordering()
    }

    fn input_distribution_requirements(&self) -> InputDistributionRequirements {
        self.window.input_distribution_requirements()
    }

    fn replace_children(
        self: Arc<Self>,
        children: Vec<Arc<dyn ExecutionPlan>>,
        options: ReplaceChildrenOptions,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let keep = matches!(options.children_properties, ChildrenPropertiesMode::Keep);
        let window = Arc::clone(&self.window).replace_children(children, options)?;
        let Some(window) = window.downcast_ref::<WindowAggExec>() else {
            return internal_err!("PartitionStreamExec: the wrapped window changed type");
        };
        let window = Arc::new(window.clone());
        if keep {
            return Ok(Arc::new(PartitionStreamExec {
                window,
                properties: Arc::clone(&self.properties),
                metrics: ExecutionPlanMetricsSet::new(),
                batch_evaluator: self.batch_evaluator.clone(),
                null_free_tails: self.null_free_tails,
            }));
        }
        let tails = self.null_free_tails;
        match (
            &self.batch_evaluator,
            PartitionStreamExec::try_wrap(Arc::clone(&window)),
        ) {
            (Some(evaluator), _) => Ok(Arc::new(
                PartitionStreamExec::wrap(window)
                    .with_batch_evaluator(Arc::clone(evaluator))
                    .with_null_free_tails(tails),
            )),
            (None, Some(exec)) => Ok(Arc::new(exec.with_null_free_tails(tails))),
            (None, None) => Ok(window),
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
        let input = self.window.input().execute(partition, context)?;
        let window_expr = self.window.window_expr().to_vec();
        let evaluation_schema = evaluation_schema(&self.window.input().schema(), &window_expr);
        Ok(Box::pin(PartitionStream {
            schema: self.schema(),
            window_expr,
            evaluation_schema,
            runs: SortedRuns::new(
                self.window
                    .partition_by_sort_keys()?
                    .into_iter()
                    .map(|k| k.expr)
                    .collect(),
            ),
            input,
            ready: VecDeque::new(),
            finished: false,
            metrics: BaselineMetrics::new(&self.metrics, partition),
            batch_evaluator: self.batch_evaluator.clone(),
            null_free_tails: self.null_free_tails,
        }))
    }

    fn metrics(&self) -> Option<MetricsSet> {
        Some(self.metrics.clone_inner())
    }

    fn child_stats_requests(&self, partition: Option<usize>) -> Vec<ChildStats> {
        self.window.child_stats_requests(partition)
    }

    fn statistics_from_inputs(
        &self,
        input_stats: &[Arc<Statistics>],
        args: &StatisticsArgs,
    ) -> Result<Arc<Statistics>> {
        self.window.statistics_from_inputs(input_stats, args)
    }

    fn cardinality_effect(&self) -> CardinalityEffect {
        CardinalityEffect::Equal
    }
}

/// The input schema as the window expressions see it: the columns their arguments
/// read (and ORDER BY, where evaluation reads it), and every other column typed
/// `Null`, so that a run of partitions is put together (concatenated) only for the
/// columns evaluation reads. The output is made of the input's own slices, never
/// of concatenated copies.
fn evaluation_schema(input: &SchemaRef, window_expr: &[Arc<dyn WindowExpr>]) -> SchemaRef {
    let mut read = vec![false; input.fields().len()];
    for expr in window_expr {
        // Partitions are found from the input's own slices (see `push`), so the
        // PARTITION BY columns are not read here.
        let all = expr.all_expressions();
        let order_by = reads_order_by(expr.as_ref()).then_some(&all.order_by_exprs);
        let exprs = all.args.iter().chain(order_by.into_iter().flatten());
        for column in exprs.flat_map(collect_columns) {
            if let Some(r) = read.get_mut(column.index()) {
                *r = true;
            }
        }
    }
    let fields: Vec<Field> = input
        .fields()
        .iter()
        .zip(read)
        .map(|(f, read)| match read {
            true => f.as_ref().clone(),
            false => Field::new(f.name(), DataType::Null, true),
        })
        .collect();
    Arc::new(Schema::new(fields))
}

/// Whether evaluating `expr` reads its ORDER BY values: window frames and ranks do;
/// a function evaluated over its whole partition at once (`evaluate_all`, as every
/// series function of this crate) does not, since the partition arrives sorted.
fn reads_order_by(expr: &dyn WindowExpr) -> bool {
    let Some(standard) = expr.as_any().downcast_ref::<StandardWindowExpr>() else {
        return true;
    };
    match standard.get_standard_func_expr().create_evaluator() {
        Ok(evaluator) => evaluator.uses_window_frame() || evaluator.include_rank(),
        Err(_) => true,
    }
}

/// Partitions at least this long (on average over a run) are emitted as slices of
/// their own results rather than copied into one array per run (on the
/// 13-indicator benchmark that copy was 2.7 % of the time).
const SLICED_PARTITION_ROWS: usize = 1024;

/// How many rows `results` begin with before every one of them is non-NULL to the
/// end, when their NULLs are all in such a leading run (the warm-up of a window);
/// `None` when some NULL comes later.
fn warm_up_rows(results: &[ArrayRef]) -> Option<usize> {
    let mut rows = 0;
    for array in results {
        let Some(nulls) = array.nulls().filter(|n| n.null_count() > 0) else {
            continue;
        };
        let leading = nulls.null_count();
        if leading == array.len() || nulls.slice(0, leading).null_count() != leading {
            return None;
        }
        rows = rows.max(leading);
    }
    Some(rows)
}

/// The stream of one output partition.
struct PartitionStream {
    schema: SchemaRef,
    window_expr: Vec<Arc<dyn WindowExpr>>,
    /// The partitions, found as runs of equal PARTITION BY keys.
    runs: SortedRuns,
    /// See [`evaluation_schema`].
    evaluation_schema: SchemaRef,
    input: SendableRecordBatchStream,
    /// Output batches evaluated but not yet returned.
    ready: VecDeque<RecordBatch>,
    finished: bool,
    metrics: BaselineMetrics,
    batch_evaluator: Option<Arc<dyn BatchEvaluator>>,
    null_free_tails: bool,
}

impl PartitionStream {
    /// Evaluates every window expression on each partition of `rows` (slices of
    /// input batches, together split by `ranges`), and returns the slices with the
    /// results appended.
    fn evaluate(&self, rows: &[RecordBatch], ranges: &[Range<usize>]) -> Result<Vec<RecordBatch>> {
        let _timer = self.metrics.elapsed_compute().timer();
        let num_rows: usize = rows.iter().map(RecordBatch::num_rows).sum();
        if num_rows == 0 {
            return Ok(Vec::new());
        }
        // Whole runs first, for the expressions a batch evaluator takes.
        let mut parts: Vec<Vec<ArrayRef>> =
            vec![Vec::with_capacity(ranges.len()); self.window_expr.len()];
        let mut whole = vec![false; self.window_expr.len()];
        let exprs = &self.window_expr;
        let run = match &self.batch_evaluator {
            Some(evaluator)
                if exprs
                    .iter()
                    .any(|e| evaluator.may_evaluate(e.as_ref(), num_rows)) =>
            {
                let batch = self.evaluation_batch(rows, 0..num_rows)?;
                let exprs = self.window_expr.iter().zip(&mut parts).zip(&mut whole);
                for ((expr, out), whole) in exprs {
                    if let Some(column) = evaluator.evaluate(expr.as_ref(), &batch, ranges)? {
                        out.push(column);
                        *whole = true;
                    }
                }
                Some(batch)
            }
            _ => None,
        };
        // Then partition by partition, every other expression in turn: functions that
        // share a computation over the same partition then find it still cached, and
        // functions reading the same column test it for NaN once.
        // The memory of tested columns lasts one partition: a run of thousands of
        // short partitions would otherwise make every lookup scan thousands of them.
        let per_partition = match whole.iter().all(|w| *w) {
            true => &[][..],
            false => ranges,
        };
        for r in per_partition {
            let partition = match &run {
                Some(batch) => batch.slice(r.start, r.len()),
                None => self.evaluation_batch(rows, r.clone())?,
            };
            missing::remembering_clean_columns(|| -> Result<()> {
                for ((expr, out), whole) in self.window_expr.iter().zip(&mut parts).zip(&whole) {
                    if !whole {
                        out.push(expr.evaluate(&partition)?);
                    }
                }
                Ok(())
            })?;
        }
        // Each expression's results with the row each begins at.
        let results: Vec<Vec<(usize, ArrayRef)>> = parts
            .into_iter()
            .zip(&whole)
            .map(|(p, whole)| match whole {
                true => p.into_iter().map(|a| (0, a)).collect(),
                false => ranges.iter().map(|r| r.start).zip(p).collect(),
            })
            .collect();
        self.output_batches(rows, ranges, results)
    }

    /// The input's slices with the results appended. Results of long partitions are
    /// sliced, not copied: an output batch then ends where a partition or an input
    /// slice ends. Results of short partitions are concatenated first, so that a run
    /// of thousands of tiny partitions does not become thousands of tiny batches.
    fn output_batches(
        &self,
        rows: &[RecordBatch],
        ranges: &[Range<usize>],
        mut results: Vec<Vec<(usize, ArrayRef)>>,
    ) -> Result<Vec<RecordBatch>> {
        let num_rows: usize = rows.iter().map(RecordBatch::num_rows).sum();
        let slice_partitions = num_rows >= SLICED_PARTITION_ROWS * ranges.len();
        if !slice_partitions {
            for parts in results.iter_mut().filter(|p| p.len() > 1) {
                let arrays: Vec<&dyn Array> = parts.iter().map(|(_, a)| a.as_ref()).collect();
                *parts = vec![(0, concat(&arrays)?)];
            }
        }
        // Output batches end where an input slice ends, and where a partition ends
        // when partitions are sliced.
        let mut slice_starts = Vec::with_capacity(rows.len());
        let mut cuts = Vec::with_capacity(rows.len() + ranges.len() + 1);
        let mut offset = 0;
        for slice in rows {
            slice_starts.push(offset);
            cuts.push(offset);
            offset += slice.num_rows();
        }
        if slice_partitions {
            cuts.extend(ranges.iter().map(|r| r.start));
        }
        cuts.push(num_rows);
        cuts.sort_unstable();
        cuts.dedup();
        let mut out = Vec::with_capacity(cuts.len());
        let (mut slice, mut part) = (0, vec![0; results.len()]);
        for piece in cuts.windows(2) {
            let (start, len) = (piece[0], piece[1] - piece[0]);
            if len == 0 {
                continue;
            }
            while slice_starts[slice] + rows[slice].num_rows() <= start {
                slice += 1;
            }
            let within = start - slice_starts[slice];
            let mut columns: Vec<ArrayRef> = rows[slice]
                .columns()
                .iter()
                .map(|c| c.slice(within, len))
                .collect();
            for (parts, next) in results.iter().zip(&mut part) {
                while *next + 1 < parts.len() && parts[*next + 1].0 <= start {
                    *next += 1;
                }
                let (begins, array) = &parts[*next];
                columns.push(array.slice(start - begins, len));
            }
            let batch = RecordBatch::try_new(Arc::clone(&self.schema), columns)?;
            let warm_up = match slice_partitions && self.null_free_tails {
                true => warm_up_rows(&batch.columns()[rows[slice].num_columns()..]),
                false => None,
            };
            match warm_up {
                Some(w) if w > 0 && len - w >= SLICED_PARTITION_ROWS => {
                    out.push(batch.slice(0, w));
                    out.push(batch.slice(w, len - w));
                }
                _ => out.push(batch),
            }
        }
        Ok(out)
    }

    /// Rows `range` of the slices `rows` (placed end to end) as one batch of
    /// [`evaluation_schema`]: the columns the window expressions read, and `Null`
    /// placeholders for the others. Rows within one slice are that slice's own
    /// arrays; only rows spanning slices are concatenated, so a partition that
    /// arrived in one input batch is never copied.
    fn evaluation_batch(&self, rows: &[RecordBatch], range: Range<usize>) -> Result<RecordBatch> {
        let mut pieces = Vec::with_capacity(2);
        let mut start = 0;
        for slice in rows {
            let end = start + slice.num_rows();
            let (from, to) = (range.start.max(start), range.end.min(end));
            if from < to {
                pieces.push(slice.slice(from - start, to - from));
            }
            start = end;
        }
        let num_rows = range.len();
        let columns = self
            .evaluation_schema
            .fields()
            .iter()
            .enumerate()
            .map(|(i, field)| match (field.data_type(), &pieces[..]) {
                (DataType::Null, _) => Ok(new_null_array(&DataType::Null, num_rows)),
                (_, [one]) => Ok(Arc::clone(one.column(i))),
                (_, many) => {
                    let parts: Vec<&dyn Array> =
                        many.iter().map(|b| b.column(i).as_ref()).collect();
                    Ok(concat(&parts)?)
                }
            })
            .collect::<Result<Vec<ArrayRef>>>()?;
        let options = RecordBatchOptions::new().with_row_count(Some(num_rows));
        Ok(RecordBatch::try_new_with_options(
            Arc::clone(&self.evaluation_schema),
            columns,
            &options,
        )?)
    }

    fn poll_inner(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<RecordBatch>>> {
        loop {
            if let Some(batch) = self.ready.pop_front() {
                return Poll::Ready(Some(Ok(batch)));
            }
            if self.finished {
                return Poll::Ready(None);
            }
            let completed = match ready!(self.input.poll_next_unpin(cx)) {
                Some(Ok(batch)) => self.runs.push(batch),
                Some(Err(e)) => Err(e),
                None => {
                    self.finished = true;
                    Ok(self.runs.finish())
                }
            };
            let out = completed.and_then(|c| self.evaluate(&c.rows, &c.ranges));
            match out {
                Ok(batches) => self.ready.extend(batches),
                Err(e) => {
                    self.finished = true;
                    return Poll::Ready(Some(Err(e)));
                }
            }
        }
    }
}

impl Stream for PartitionStream {
    type Item = Result<RecordBatch>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let poll = self.poll_inner(cx);
        self.metrics.record_poll(poll)
    }
}

impl RecordBatchStream for PartitionStream {
    fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }
}

/// Physical optimizer rule: every `WindowAggExec` with a PARTITION BY becomes a
/// [`PartitionStreamExec`]. Runs after DataFusion's own rules, so the sorts and
/// repartitioning that make partitions contiguous are already in place.
#[derive(Debug, Default)]
pub struct StreamWindowPartitions;

impl PhysicalOptimizerRule for StreamWindowPartitions {
    fn optimize(
        &self,
        plan: Arc<dyn ExecutionPlan>,
        _config: &ConfigOptions,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let plan = plan
            .transform_up(|node| {
                let Some(window) = node.downcast_ref::<WindowAggExec>() else {
                    return Ok(Transformed::no(node));
                };
                match PartitionStreamExec::try_wrap(Arc::new(window.clone())) {
                    Some(exec) => Ok(Transformed::yes(Arc::new(exec) as Arc<dyn ExecutionPlan>)),
                    None => Ok(Transformed::no(node)),
                }
            })?
            .data;
        Ok(set_null_free_tails(plan, false)?.data)
    }

    fn name(&self) -> &str {
        "stream_window_partitions"
    }

    fn schema_check(&self) -> bool {
        true
    }
}

/// Turns off [`PartitionStreamExec::with_null_free_tails`] for the stages whose
/// output goes (through projections only) into another window stage, and on for
/// the others. `feeds_window` says whether `plan`'s output does.
fn set_null_free_tails(
    plan: Arc<dyn ExecutionPlan>,
    feeds_window: bool,
) -> Result<Transformed<Arc<dyn ExecutionPlan>>> {
    let stage = plan.downcast_ref::<PartitionStreamExec>();
    let children_feed = match stage {
        Some(_) => true,
        None => feeds_window && plan.downcast_ref::<ProjectionExec>().is_some(),
    };
    let mut changed = false;
    let mut children = Vec::with_capacity(plan.children().len());
    for child in plan.children() {
        let child = set_null_free_tails(Arc::clone(child), children_feed)?;
        changed |= child.transformed;
        children.push(child.data);
    }
    let plan = match changed {
        true => plan.replace_children(
            children,
            ReplaceChildrenOptions::new(ChildrenPropertiesMode::Keep),
        )?,
        false => plan,
    };
    match plan.downcast_ref::<PartitionStreamExec>() {
        Some(stage) if stage.null_free_tails() == feeds_window => Ok(Transformed::yes(Arc::new(
            stage.with_null_free_tails(!feeds_window),
        ))),
        _ => Ok(Transformed::new_transformed(plan, changed)),
    }
}

#[cfg(test)]
mod tests {
    use super::super::sorted_runs::sorted_key_ranges;
    use super::*;
    use datafusion::arrow::array::{Float64Array, Int64Array, StringViewArray};
    use datafusion::arrow::compute::SortColumn;
    use datafusion::common::utils::evaluate_partition_ranges;

    /// Sorted keys with runs of 1 to 300 rows, NULLs and NaNs among them, against
    /// DataFusion's row-by-row scan.
    #[test]
    fn searched_ranges_equal_the_row_by_row_scan() {
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = |bound: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % bound
        };
        for case in 0..40 {
            let mut names: Vec<Option<String>> = Vec::new();
            let mut levels: Vec<Option<f64>> = Vec::new();
            let mut codes: Vec<i64> = Vec::new();
            for k in 0..(1 + next(30)) {
                let name = (k % 7 != 3).then(|| format!("k{k:04}"));
                for level in 0..(1 + next(3)) {
                    let value = match level {
                        0 => None,
                        1 => Some(level as f64),
                        _ => Some(f64::NAN),
                    };
                    let run = 1 + next(if case % 2 == 0 { 300 } else { 3 }) as usize;
                    names.extend(std::iter::repeat_n(name.clone(), run));
                    levels.extend(std::iter::repeat_n(value, run));
                    codes.extend(std::iter::repeat_n(k as i64 / 2, run));
                }
            }
            let columns: Vec<ArrayRef> = vec![
                Arc::new(Int64Array::from(codes)),
                Arc::new(StringViewArray::from(names)),
                Arc::new(Float64Array::from(levels)),
            ];
            let rows = columns[0].len();
            for width in 1..=3 {
                let keys = &columns[..width];
                let sort_columns: Vec<SortColumn> = keys
                    .iter()
                    .map(|c| SortColumn {
                        values: Arc::clone(c),
                        options: None,
                    })
                    .collect();
                let expected = evaluate_partition_ranges(rows, &sort_columns).unwrap();
                assert_eq!(
                    sorted_key_ranges(keys, rows).unwrap(),
                    expected,
                    "case {case}"
                );
            }
        }
        assert_eq!(sorted_key_ranges(&[], 5).unwrap(), vec![0..5]);
        assert!(sorted_key_ranges(&[], 0).unwrap().is_empty());
    }

    #[test]
    fn warm_up_rows_are_the_longest_leading_run_of_nulls() {
        let column = |v: &[Option<f64>]| Arc::new(Float64Array::from(v.to_vec())) as ArrayRef;
        let long = column(&[None, None, None, Some(1.0), Some(2.0)]);
        let short = column(&[None, Some(1.0), Some(2.0), Some(3.0), Some(4.0)]);
        let dense = column(&[Some(0.0), Some(1.0), Some(2.0), Some(3.0), Some(4.0)]);
        let gap = column(&[None, Some(1.0), None, Some(3.0), Some(4.0)]);
        let empty = column(&[None, None, None, None, None]);
        let both = [Arc::clone(&short), Arc::clone(&long), Arc::clone(&dense)];
        assert_eq!(warm_up_rows(&both), Some(3));
        assert_eq!(warm_up_rows(&[Arc::clone(&dense)]), Some(0));
        assert_eq!(warm_up_rows(&[Arc::clone(&long), gap]), None);
        assert_eq!(warm_up_rows(&[short, empty]), None);
        // A slice past the warm-up has none left.
        assert_eq!(warm_up_rows(&[long.slice(3, 2)]), Some(0));
    }
}
