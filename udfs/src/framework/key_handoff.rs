//! A sorted file read on every core, without re-sorting it.
//!
//! A window over `PARTITION BY key` needs each key's rows in one stream, in order;
//! a `GROUP BY key` needs each key's rows in one stream. DataFusion reads a large
//! file as N consecutive byte ranges (one stream each) and then hash-repartitions
//! those N streams (and, for a window, merges them back into order per output):
//! every row is hashed and copied, and for a window compared in row encoding. On a
//! 10M-row window stage that merge costs more than the window functions.
//!
//! When the file is sorted by the key, the N streams are consecutive pieces of one
//! sorted sequence, so at most one key per boundary has rows on both sides.
//! [`KeyHandoffExec`] keeps each stream as it is and moves only those rows: stream
//! i gives the rows of its leading key to stream i-1, which appends them after its
//! own last rows. Every key then lives in exactly one stream, still in order.
//!
//! [`SplitSortedScans`] is the physical rule that swaps it in for such a
//! repartition. The output is declared hash-partitioned on the key, which is what
//! every single-input consumer relies on (all rows of a key in one stream); it is not
//! DataFusion's hash function, so the rule leaves any plan with a join or a union
//! (operators that pair up the partitions of two inputs) as it was.

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::row::{OwnedRow, RowConverter, Rows, SortField};
use datafusion::common::tree_node::{Transformed, TreeNode, TreeNodeRecursion};
use datafusion::common::{exec_datafusion_err, internal_err, Result};
use datafusion::config::ConfigOptions;
use datafusion::datasource::physical_plan::FileScanConfig;
use datafusion::datasource::source::DataSourceExec;
use datafusion::execution::TaskContext;
use datafusion::physical_optimizer::PhysicalOptimizerRule;
use datafusion::physical_plan::filter::FilterExec;
use datafusion::physical_plan::projection::ProjectionExec;
use datafusion::physical_plan::repartition::RepartitionExec;
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::{
    DisplayAs, DisplayFormatType, ExecutionPlan, ExecutionPlanProperties, Partitioning,
    PhysicalExpr, PlanProperties, SendableRecordBatchStream,
};
use futures::lock::{Mutex as AsyncMutex, MutexGuard};
use futures::{stream, StreamExt, TryStreamExt};
use std::sync::{Arc, Mutex};

/// N sorted input streams that together form one sequence sorted by `keys`, made
/// key-complete by moving each stream's leading key to the stream before it.
#[derive(Debug)]
pub struct KeyHandoffExec {
    input: Arc<dyn ExecutionPlan>,
    keys: Vec<Arc<dyn PhysicalExpr>>,
    properties: Arc<PlanProperties>,
    /// The execution in progress: its streams share the handed-off rows.
    run: Mutex<Option<Arc<Run>>>,
}

impl KeyHandoffExec {
    pub fn new(input: Arc<dyn ExecutionPlan>, keys: Vec<Arc<dyn PhysicalExpr>>) -> Self {
        let partitions = input.output_partitioning().partition_count();
        let properties = input
            .properties()
            .as_ref()
            .clone()
            .with_partitioning(Partitioning::Hash(keys.clone(), partitions));
        KeyHandoffExec {
            input,
            keys,
            properties: Arc::new(properties),
            run: Mutex::new(None),
        }
    }

    /// The run that partition `partition` belongs to: the current one, or a new one
    /// when this partition was already executed (the plan is being run again).
    fn run_for(&self, partition: usize, context: Arc<TaskContext>) -> Result<Arc<Run>> {
        let mut current = self
            .run
            .lock()
            .map_err(|_| exec_datafusion_err!("KeyHandoffExec: a stream panicked"))?;
        if let Some(run) = current.as_ref() {
            let mut started = run.started.lock().expect("never held across a panic");
            if !started[partition] {
                started[partition] = true;
                return Ok(Arc::clone(run));
            }
        }
        let run = Arc::new(Run::new(
            Arc::clone(&self.input),
            KeyRows::new(&self.keys, &self.input.schema())?,
            context,
        ));
        run.started.lock().expect("new")[partition] = true;
        *current = Some(Arc::clone(&run));
        Ok(run)
    }
}

impl DisplayAs for KeyHandoffExec {
    fn fmt_as(&self, t: DisplayFormatType, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        let keys: Vec<String> = self.keys.iter().map(|k| k.to_string()).collect();
        match t {
            DisplayFormatType::TreeRender => write!(f, "keys={}", keys.join(", ")),
            _ => write!(
                f,
                "KeyHandoffExec: keys=[{}], partitions={}",
                keys.join(", "),
                self.properties.partitioning.partition_count()
            ),
        }
    }
}

impl ExecutionPlan for KeyHandoffExec {
    fn name(&self) -> &str {
        "KeyHandoffExec"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        &self.properties
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![&self.input]
    }

    fn apply_expressions(
        &self,
        f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> Result<TreeNodeRecursion>,
    ) -> Result<TreeNodeRecursion> {
        for key in &self.keys {
            if f(key)? == TreeNodeRecursion::Stop {
                return Ok(TreeNodeRecursion::Stop);
            }
        }
        Ok(TreeNodeRecursion::Continue)
    }

    fn maintains_input_order(&self) -> Vec<bool> {
        vec![true]
    }

    fn with_new_children(
        self: Arc<Self>,
        children: Vec<Arc<dyn ExecutionPlan>>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        match <[_; 1]>::try_from(children) {
            Ok([input]) => Ok(Arc::new(KeyHandoffExec::new(input, self.keys.clone()))),
            Err(_) => internal_err!("KeyHandoffExec takes one input"),
        }
    }

    fn execute(
        &self,
        partition: usize,
        context: Arc<TaskContext>,
    ) -> Result<SendableRecordBatchStream> {
        let run = self.run_for(partition, context)?;
        let schema = self.schema();
        let batches = stream::once(run.stream(partition)).try_flatten();
        Ok(Box::pin(RecordBatchStreamAdapter::new(schema, batches)))
    }
}

/// Compares the keys of rows, in any batch.
#[derive(Debug)]
struct KeyRows {
    exprs: Vec<Arc<dyn PhysicalExpr>>,
    converter: RowConverter,
}

impl KeyRows {
    fn new(exprs: &[Arc<dyn PhysicalExpr>], schema: &SchemaRef) -> Result<Self> {
        let fields = exprs
            .iter()
            .map(|e| Ok(SortField::new(e.data_type(schema)?)))
            .collect::<Result<Vec<_>>>()?;
        Ok(KeyRows {
            exprs: exprs.to_vec(),
            converter: RowConverter::new(fields)?,
        })
    }

    fn rows(&self, batch: &RecordBatch) -> Result<Rows> {
        let columns = self
            .exprs
            .iter()
            .map(|e| e.evaluate(batch)?.into_array(batch.num_rows()))
            .collect::<Result<Vec<_>>>()?;
        Ok(self.converter.convert_columns(&columns)?)
    }
}

/// One execution: the input streams and what each hands to the stream before it.
struct Run {
    input: Arc<dyn ExecutionPlan>,
    keys: KeyRows,
    context: Arc<TaskContext>,
    started: Mutex<Vec<bool>>,
    /// Per input stream, once its leading key has been read (by its own output
    /// stream or by the one before it, whichever needs it first).
    slots: Vec<AsyncMutex<Option<Slot>>>,
}

/// An input stream whose leading key has been read off.
struct Slot {
    /// The rows of the leading key, for the stream before (taken once).
    lead: Option<Vec<RecordBatch>>,
    /// What follows them, for this stream.
    rest: Option<(Option<RecordBatch>, SendableRecordBatchStream)>,
    /// The whole input was the leading key, so the next stream's leading rows
    /// were appended to `lead` (and this stream has nothing to append).
    absorbed_next: bool,
}

impl Run {
    fn new(input: Arc<dyn ExecutionPlan>, keys: KeyRows, context: Arc<TaskContext>) -> Self {
        let partitions = input.output_partitioning().partition_count();
        Run {
            input,
            keys,
            context,
            started: Mutex::new(vec![false; partitions]),
            slots: (0..partitions).map(|_| AsyncMutex::new(None)).collect(),
        }
    }

    /// Output stream `i`: its input without the leading key (stream 0 keeps it),
    /// then the leading rows of stream i+1.
    async fn stream(
        self: Arc<Self>,
        i: usize,
    ) -> Result<impl futures::Stream<Item = Result<RecordBatch>> + Send> {
        let (pending, rest, absorbed_next) = if i == 0 {
            let input = self.input.execute(0, Arc::clone(&self.context))?;
            (None, input, false)
        } else {
            let mut slot = self.read_lead(i).await?;
            let slot = slot.as_mut().expect("read_lead fills the slot");
            let Some((pending, rest)) = slot.rest.take() else {
                return internal_err!("KeyHandoffExec: stream {i} executed twice in one run");
            };
            (pending, rest, slot.absorbed_next)
        };
        let next = (i + 1 < self.slots.len() && !absorbed_next).then_some(i + 1);
        let tail = stream::iter(next)
            .then(move |next| {
                let run = Arc::clone(&self);
                async move { run.take_lead(next).await }
            })
            .map_ok(|batches| stream::iter(batches.into_iter().map(Ok)))
            .try_flatten();
        Ok(stream::iter(pending.map(Ok)).chain(rest).chain(tail))
    }

    /// The leading rows of stream `j`, handed to stream j-1.
    async fn take_lead(self: Arc<Self>, j: usize) -> Result<Vec<RecordBatch>> {
        let mut slot = self.read_lead(j).await?;
        match slot.as_mut().and_then(|s| s.lead.take()) {
            Some(lead) => Ok(lead),
            None => internal_err!("KeyHandoffExec: the leading rows of stream {j} taken twice"),
        }
    }

    /// Slot `j`, reading stream j's leading key first if nobody has. Locks are only
    /// ever taken in increasing `j`, so two streams cannot wait on each other.
    fn read_lead(
        self: &Arc<Self>,
        j: usize,
    ) -> futures::future::BoxFuture<'_, Result<MutexGuard<'_, Option<Slot>>>> {
        Box::pin(async move {
            let mut slot = self.slots[j].lock().await;
            if slot.is_none() {
                *slot = Some(self.split_lead(j).await?);
            }
            Ok(slot)
        })
    }

    /// Opens input stream j and reads it up to the end of its leading key (on to
    /// the next stream's leading rows when the whole input is that key).
    async fn split_lead(self: &Arc<Self>, j: usize) -> Result<Slot> {
        let mut input = self.input.execute(j, Arc::clone(&self.context))?;
        let mut lead = Vec::new();
        let mut first: Option<OwnedRow> = None;
        while let Some(batch) = input.next().await {
            let batch = batch?;
            if batch.num_rows() == 0 {
                continue;
            }
            let rows = self.keys.rows(&batch)?;
            let first = first.get_or_insert_with(|| rows.row(0).owned());
            let end = (0..rows.num_rows())
                .find(|&r| rows.row(r) != first.row())
                .unwrap_or(rows.num_rows());
            if end == batch.num_rows() {
                lead.push(batch);
                continue;
            }
            lead.push(batch.slice(0, end));
            let rest = batch.slice(end, batch.num_rows() - end);
            return Ok(Slot {
                lead: Some(lead),
                rest: Some((Some(rest), input)),
                absorbed_next: false,
            });
        }
        // The whole input is one key: the next stream's leading rows follow it.
        let absorbed_next = j + 1 < self.slots.len();
        if absorbed_next {
            lead.extend(Arc::clone(self).take_lead(j + 1).await?);
        }
        Ok(Slot {
            lead: Some(lead),
            rest: Some((None, input)),
            absorbed_next,
        })
    }
}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.debug_struct("Run")
            .field("streams", &self.slots.len())
            .finish()
    }
}

/// Physical optimizer rule: a hash repartition of a file read as consecutive byte
/// ranges of one sorted file becomes a [`KeyHandoffExec`]. Whether the repartition
/// was to keep the order (for a window) or not (for a `GROUP BY`, which needs only
/// each key in one stream), the handoff gives both.
#[derive(Debug, Default)]
pub struct SplitSortedScans;

impl PhysicalOptimizerRule for SplitSortedScans {
    fn optimize(
        &self,
        plan: Arc<dyn ExecutionPlan>,
        _config: &ConfigOptions,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        if pairs_partitions(&plan)? {
            return Ok(plan);
        }
        plan.transform_up(|node| {
            let Some(repartition) = node.downcast_ref::<RepartitionExec>() else {
                return Ok(Transformed::no(node));
            };
            let Partitioning::Hash(keys, _) = repartition.partitioning() else {
                return Ok(Transformed::no(node));
            };
            let input = repartition.input();
            if input.output_partitioning().partition_count() < 2
                || !sorted_by_keys_first(input, keys)
                || !is_split_of_one_file(input.as_ref())
            {
                return Ok(Transformed::no(node));
            }
            let exec = KeyHandoffExec::new(Arc::clone(input), keys.clone());
            Ok(Transformed::yes(Arc::new(exec) as Arc<dyn ExecutionPlan>))
        })
        .map(|t| t.data)
    }

    fn name(&self) -> &str {
        "split_sorted_scans"
    }

    fn schema_check(&self) -> bool {
        true
    }
}

/// Whether any operator has more than one input (a join, a union): such operators
/// may pair partition k of one input with partition k of another by hash.
fn pairs_partitions(plan: &Arc<dyn ExecutionPlan>) -> Result<bool> {
    let mut found = false;
    plan.apply(|node| {
        found = node.children().len() > 1;
        Ok(if found {
            TreeNodeRecursion::Stop
        } else {
            TreeNodeRecursion::Continue
        })
    })?;
    Ok(found)
}

/// Whether every stream of `plan` is sorted with the keys first (in any order and
/// direction), so that equal keys are adjacent.
fn sorted_by_keys_first(plan: &Arc<dyn ExecutionPlan>, keys: &[Arc<dyn PhysicalExpr>]) -> bool {
    let Some(ordering) = plan.output_ordering() else {
        return false;
    };
    let leading: Vec<_> = ordering.iter().take(keys.len()).map(|s| &s.expr).collect();
    leading.len() == keys.len() && keys.iter().all(|k| leading.contains(&k))
}

/// Whether the streams of `plan` are consecutive byte ranges of one file, in file
/// order, through operators that keep rows in order and streams apart.
fn is_split_of_one_file(plan: &dyn ExecutionPlan) -> bool {
    if plan.downcast_ref::<ProjectionExec>().is_some()
        || plan.downcast_ref::<FilterExec>().is_some()
    {
        return match plan.children().as_slice() {
            [child] => is_split_of_one_file(child.as_ref()),
            _ => false,
        };
    }
    let Some(scan) = plan
        .downcast_ref::<DataSourceExec>()
        .and_then(|s| s.data_source().downcast_ref::<FileScanConfig>())
    else {
        return false;
    };
    let mut ranges = Vec::with_capacity(scan.file_groups.len());
    for group in &scan.file_groups {
        let [file] = group.files() else {
            return false;
        };
        let Some(range) = &file.range else {
            return false;
        };
        ranges.push((&file.object_meta.location, range.start, range.end));
    }
    ranges
        .windows(2)
        .all(|w| w[0].0 == w[1].0 && w[0].2 == w[1].1 && w[0].1 < w[1].1)
}
