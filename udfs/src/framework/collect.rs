//! What a collecting aggregate keeps of each group: its present rows, one vector per
//! series, and (for an order-dependent aggregate) their ORDER BY keys; how input
//! batches and partial states are read into groups, and how groups become states.
//!
//! Shared by the one-group [`Accumulator`](datafusion::logical_expr::Accumulator)
//! and the all-groups [`GroupsAccumulator`](datafusion::logical_expr::GroupsAccumulator).

use super::missing::present_rows;
use super::order::{in_order, sorting_permutation, KeyEncoder};
use super::row_store::{push_run, RowStore, Run, BLOCK_ROWS};
use datafusion::arrow::array::{
    Array, ArrayRef, BinaryArray, BinaryBuilder, BooleanArray, Float64Array, ListArray,
};
use datafusion::arrow::buffer::OffsetBuffer;
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field};
use datafusion::common::cast::{as_binary_array, as_float64_array, as_list_array};
use datafusion::common::{internal_err, Result, ScalarValue};
use datafusion::logical_expr::{Accumulator, EmitTo, GroupsAccumulator};
use std::borrow::Cow;
use std::fmt::Debug;
use std::sync::Arc;

/// One group's present rows: runs of the accumulator's [`RowStore`] (rows read from
/// input batches), and those received in partial states, kept as slices of the
/// state's arrays (no copy).
#[derive(Debug, Default)]
pub struct GroupRows {
    runs: Vec<Run>,
    parts: Vec<StatePart>,
}

/// A group's rows from one partial state.
#[derive(Debug)]
struct StatePart {
    series: Vec<Float64Array>,
    keys: Option<BinaryArray>,
}

impl GroupRows {
    pub fn len(&self) -> usize {
        self.runs.iter().map(|r| r.len).sum::<usize>()
            + self.parts.iter().map(|p| p.series[0].len()).sum::<usize>()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn add_run(&mut self, run: Run) {
        push_run(&mut self.runs, run);
    }

    /// The values of series `s`, chunk by chunk: stored runs first, then each part.
    fn chunks<'a>(&'a self, store: &'a RowStore, s: usize) -> impl Iterator<Item = &'a [f64]> {
        self.runs
            .iter()
            .map(move |&run| store.values(s, run))
            .chain(
                self.parts
                    .iter()
                    .map(move |p| p.series[s].values().as_ref()),
            )
            .filter(|c| !c.is_empty())
    }

    /// The keys, in the order of [`Self::chunks`].
    fn keys<'a>(&'a self, store: &'a RowStore) -> impl Iterator<Item = &'a [u8]> {
        self.runs
            .iter()
            .flat_map(|run| run.start..run.end())
            .map(|position| store.key(position))
            .chain(
                self.parts
                    .iter()
                    .flat_map(|p| p.keys.iter().flat_map(|k| k.iter().flatten())),
            )
    }

    /// The series in evaluation order: key order when `with_keys`. Borrowed when the
    /// rows are one chunk already in order, the usual case.
    pub fn series_in_order<'a>(
        &'a self,
        store: &'a RowStore,
        series: usize,
        with_keys: bool,
    ) -> Vec<Cow<'a, [f64]>> {
        let ordered = match (with_keys, self.parts.is_empty()) {
            (false, _) => true,
            (true, true) => store.keys_in_order(&self.runs),
            (true, false) => in_order(self.keys(store)),
        };
        let permutation = (!ordered).then(|| {
            let keys: Vec<&[u8]> = self.keys(store).collect();
            sorting_permutation(&keys)
        });
        (0..series)
            .map(|s| {
                let chunks: Vec<&[f64]> = self.chunks(store, s).collect();
                match (&permutation, chunks.as_slice()) {
                    (None, []) => Cow::Borrowed(&[][..]),
                    (None, [one]) => Cow::Borrowed(*one),
                    (None, many) => Cow::Owned(many.concat()),
                    (Some(p), many) => {
                        let flat = many.concat();
                        Cow::Owned(p.iter().map(|&i| flat[i]).collect())
                    }
                }
            })
            .collect()
    }

    /// Bytes held besides the store.
    pub fn size(&self, series: usize) -> usize {
        let parts = self.parts.iter().map(|p| p.series[0].len()).sum::<usize>();
        self.runs.capacity() * std::mem::size_of::<Run>()
            + parts * series * std::mem::size_of::<f64>()
    }
}

/// Groups as an evaluator reads them: each group's rows, over the store they name.
pub struct Collected<'a> {
    store: &'a RowStore,
    groups: &'a [GroupRows],
    series: usize,
    with_keys: bool,
}

impl<'a> Collected<'a> {
    pub fn len(&self) -> usize {
        self.groups.len()
    }

    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// Group `g`'s series in evaluation order (see [`GroupRows::series_in_order`]).
    pub fn series_in_order(&self, g: usize) -> Vec<Cow<'a, [f64]>> {
        self.groups[g].series_in_order(self.store, self.series, self.with_keys)
    }
}

/// An input batch as the aggregate reads it: the series as f64, the rows kept
/// (every series present and the FILTER true) and their encoded keys.
pub struct InputBatch {
    series: Vec<Float64Array>,
    kept: Option<Vec<usize>>,
    /// The ORDER BY keys in Arrow's row format, as one contiguous binary array.
    keys: Option<BinaryArray>,
    num_rows: usize,
}

impl InputBatch {
    /// `arrays` holds the call's arguments (series first, then literal parameters),
    /// then the ORDER BY values when `encoder` is given.
    pub fn read(
        arrays: &[ArrayRef],
        series: usize,
        encoder: Option<&KeyEncoder>,
        filter: Option<&BooleanArray>,
    ) -> Result<Self> {
        let series = arrays[..series]
            .iter()
            .map(|a| Ok(as_float64_array(&cast(a, &DataType::Float64)?)?.clone()))
            .collect::<Result<Vec<Float64Array>>>()?;
        let num_rows = series.first().map_or(0, |a| a.len());
        let present = present_rows(&series.iter().collect::<Vec<_>>(), num_rows);
        let kept = match (present, filter) {
            (None, None) => None,
            (present, filter) => Some(
                (0..num_rows)
                    .filter(|&i| present.as_ref().is_none_or(|p| p.value(i)))
                    .filter(|&i| filter.is_none_or(|f| f.is_valid(i) && f.value(i)))
                    .collect(),
            ),
        };
        let keys = match encoder {
            Some(encoder) => {
                let rows = encoder.encode(&arrays[arrays.len() - encoder.columns()..])?;
                Some(rows.try_into_binary()?)
            }
            None => None,
        };
        Ok(InputBatch {
            series,
            kept,
            keys,
            num_rows,
        })
    }

    /// Appends the kept rows to `store` and their groups: row `i` goes to
    /// `group_of(i)`. Consecutive rows of one group are copied as one slice.
    pub fn append_to(
        &self,
        store: &mut RowStore,
        groups: &mut [GroupRows],
        group_of: impl Fn(usize) -> usize,
    ) {
        let values: Vec<&[f64]> = self.series.iter().map(|a| a.values().as_ref()).collect();
        self.for_each_stretch(group_of, |rows, group| {
            for run in store.append(&values, self.keys.as_ref(), rows) {
                groups[group].add_run(run);
            }
        });
    }

    /// Gives each group its kept rows as slices of this batch's arrays (no copy):
    /// for groups that arrive whole and in order, where the rows are read once, as
    /// they came, and the batch's memory is released as its groups are emitted.
    pub fn share_with(&self, groups: &mut [GroupRows], group_of: impl Fn(usize) -> usize) {
        self.for_each_stretch(group_of, |rows, group| {
            let series = self
                .series
                .iter()
                .map(|a| a.slice(rows.start, rows.len()))
                .collect();
            groups[group].parts.push(StatePart { series, keys: None });
        });
    }

    /// Calls `stretch(rows, group)` for each run of consecutive kept rows of one group.
    fn for_each_stretch(
        &self,
        group_of: impl Fn(usize) -> usize,
        mut stretch: impl FnMut(std::ops::Range<usize>, usize),
    ) {
        let mut stretches = |rows: &mut dyn Iterator<Item = usize>| {
            let Some(first) = rows.next() else { return };
            let (mut start, mut end, mut group) = (first, first + 1, group_of(first));
            for i in rows {
                let g = group_of(i);
                if i != end || g != group {
                    stretch(start..end, group);
                    (start, group) = (i, g);
                }
                end = i + 1;
            }
            stretch(start..end, group);
        };
        match &self.kept {
            None => stretches(&mut (0..self.num_rows)),
            Some(kept) => stretches(&mut kept.iter().copied()),
        }
    }
}

/// The partial state of `groups`: per series a list of values per group, then (when
/// keys are kept) a list of keys per group.
fn state_of(groups: &Collected<'_>) -> Vec<ArrayRef> {
    let lengths: Vec<usize> = groups.groups.iter().map(GroupRows::len).collect();
    let total: usize = lengths.iter().sum();
    let mut state: Vec<ArrayRef> = (0..groups.series)
        .map(|s| {
            let mut values = Vec::with_capacity(total);
            for g in groups.groups {
                g.chunks(groups.store, s)
                    .for_each(|c| values.extend_from_slice(c));
            }
            list(Arc::new(Float64Array::from(values)), &lengths)
        })
        .collect();
    if groups.with_keys {
        let mut keys = BinaryBuilder::with_capacity(total, total * 9);
        for g in groups.groups {
            g.keys(groups.store).for_each(|k| keys.append_value(k));
        }
        state.push(list(Arc::new(keys.finish()), &lengths));
    }
    state
}

/// Adds partial states to groups (state row `j` goes to `group_of(j)`), as slices
/// of the state's arrays.
fn merge_states(
    states: &[ArrayRef],
    series: usize,
    with_keys: bool,
    groups: &mut [GroupRows],
    group_of: impl Fn(usize) -> usize,
) -> Result<()> {
    let series_lists = states[..series]
        .iter()
        .map(|s| as_list_array(s))
        .collect::<Result<Vec<_>>>()?;
    let key_lists = if with_keys {
        Some(as_list_array(&states[series])?)
    } else {
        None
    };
    let num_rows = series_lists.first().map_or(0, |l| l.len());
    for j in 0..num_rows {
        if series_lists[0].value_length(j) == 0 {
            continue;
        }
        let part = StatePart {
            series: series_lists
                .iter()
                .map(|l| Ok(as_float64_array(&l.value(j))?.clone()))
                .collect::<Result<_>>()?,
            keys: match key_lists {
                Some(lists) => Some(as_binary_array(&lists.value(j))?.clone()),
                None => None,
            },
        };
        groups[group_of(j)].parts.push(part);
    }
    Ok(())
}

/// A list array whose row `i` holds the next `lengths[i]` of `values`.
fn list(values: ArrayRef, lengths: &[usize]) -> ArrayRef {
    let field = Arc::new(Field::new_list_field(values.data_type().clone(), true));
    Arc::new(ListArray::new(
        field,
        OffsetBuffer::from_lengths(lengths.iter().copied()),
        values,
        None,
    ))
}

/// Groups handed over whole, each as pieces of input batches (an aggregation over
/// input that delivers every group's rows together and in order): the rows are kept
/// as slices, never copied or keyed.
#[derive(Debug)]
pub struct WholeGroups {
    series: usize,
    groups: Vec<GroupRows>,
}

impl WholeGroups {
    pub fn new(series: usize) -> Self {
        WholeGroups {
            series,
            groups: Vec::new(),
        }
    }

    /// Begins the next group.
    pub fn start_group(&mut self) {
        self.groups.push(GroupRows::default());
    }

    /// Adds rows to the group begun last: the call's arguments over those rows
    /// (series first); rows with a missing series value are skipped.
    pub fn add_rows(&mut self, arrays: &[ArrayRef]) -> Result<()> {
        let Some(last) = self.groups.len().checked_sub(1) else {
            return internal_err!("rows added before any group was begun");
        };
        let batch = InputBatch::read(arrays, self.series, None, None)?;
        batch.share_with(&mut self.groups, |_| last);
        Ok(())
    }

    /// One value per group, in the order they were begun.
    pub fn evaluate(&self, evaluator: &dyn GroupEvaluator) -> Result<ArrayRef> {
        let store = RowStore::new(self.series, false);
        evaluator.evaluate(Collected {
            store: &store,
            groups: &self.groups,
            series: self.series,
            with_keys: false,
        })
    }
}

/// Turns collected groups into the aggregate's output, one row per group.
pub trait GroupEvaluator: Debug + Send + Sync {
    fn evaluate(&self, groups: Collected<'_>) -> Result<ArrayRef>;
}

/// What a collecting accumulator holds: its groups and the store of their rows.
#[derive(Debug)]
struct Collection {
    series: usize,
    encoder: Option<KeyEncoder>,
    /// Rows are kept as slices of the input batches instead of copies in `store`
    /// (see [`InputBatch::share_with`]).
    share_rows: bool,
    store: RowStore,
    groups: Vec<GroupRows>,
}

impl Collection {
    fn new(series: usize, encoder: Option<KeyEncoder>) -> Self {
        let store = RowStore::new(series, encoder.is_some());
        Collection {
            series,
            encoder,
            share_rows: false,
            store,
            groups: Vec::new(),
        }
    }

    fn with_keys(&self) -> bool {
        self.encoder.is_some()
    }

    fn ensure_groups(&mut self, total_num_groups: usize) {
        if self.groups.len() < total_num_groups {
            self.groups
                .resize_with(total_num_groups, GroupRows::default);
        }
    }

    fn update(
        &mut self,
        values: &[ArrayRef],
        filter: Option<&BooleanArray>,
        group_of: impl Fn(usize) -> usize,
    ) -> Result<()> {
        let batch = InputBatch::read(values, self.series, self.encoder.as_ref(), filter)?;
        if self.share_rows {
            batch.share_with(&mut self.groups, group_of);
        } else {
            batch.append_to(&mut self.store, &mut self.groups, group_of);
        }
        Ok(())
    }

    fn merge(&mut self, states: &[ArrayRef], group_of: impl Fn(usize) -> usize) -> Result<()> {
        let with_keys = self.with_keys();
        merge_states(states, self.series, with_keys, &mut self.groups, group_of)
    }

    /// Hands the groups `emit_to` names to `read`, then forgets them. The store is
    /// emptied when no group is left, and rebuilt from the live rows when emitted
    /// ones fill most of it (an aggregation over ordered input emits as it goes).
    fn emit<T>(&mut self, emit_to: EmitTo, read: impl FnOnce(Collected<'_>) -> T) -> T {
        let taken = emit_to.take_needed(&mut self.groups);
        let result = read(Collected {
            store: &self.store,
            groups: &taken,
            series: self.series,
            with_keys: self.with_keys(),
        });
        drop(taken);
        if self.groups.is_empty() {
            self.store = RowStore::new(self.series, self.with_keys());
        } else {
            let live: usize = self
                .groups
                .iter()
                .map(|g| g.runs.iter().map(|r| r.len).sum::<usize>())
                .sum();
            if self.store.rows() >= BLOCK_ROWS && self.store.rows() > 2 * live {
                let mut runs: Vec<&mut Vec<Run>> =
                    self.groups.iter_mut().map(|g| &mut g.runs).collect();
                self.store = self.store.compacted(&mut runs);
            }
        }
        result
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self)
            + self.store.size()
            + self.groups.capacity() * std::mem::size_of::<GroupRows>()
            + self
                .groups
                .iter()
                .map(|g| g.size(self.series))
                .sum::<usize>()
            + self.encoder.as_ref().map_or(0, KeyEncoder::size)
    }
}

/// One group (an aggregate without GROUP BY, or used as a window function).
#[derive(Debug)]
pub struct CollectingAccumulator {
    collection: Collection,
    evaluator: Box<dyn GroupEvaluator>,
}

impl CollectingAccumulator {
    pub fn new(
        series: usize,
        encoder: Option<KeyEncoder>,
        evaluator: Box<dyn GroupEvaluator>,
    ) -> Self {
        let mut collection = Collection::new(series, encoder);
        collection.ensure_groups(1);
        CollectingAccumulator {
            collection,
            evaluator,
        }
    }

    /// Reads the one group without forgetting it (a window frame may grow).
    fn read<T>(&self, read: impl FnOnce(Collected<'_>) -> T) -> T {
        let c = &self.collection;
        read(Collected {
            store: &c.store,
            groups: &c.groups,
            series: c.series,
            with_keys: c.with_keys(),
        })
    }
}

impl Accumulator for CollectingAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        self.collection.update(values, None, |_| 0)
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        let array = self.read(|groups| self.evaluator.evaluate(groups))?;
        ScalarValue::try_from_array(&array, 0)
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self) + self.collection.size()
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        self.read(|groups| state_of(&groups))
            .iter()
            .map(|list| ScalarValue::try_from_array(list, 0))
            .collect()
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        self.collection.merge(states, |_| 0)
    }
}

/// Every group of a GROUP BY in one accumulator: each batch is read once for all
/// groups (one cast, one key encoding) instead of once per group.
#[derive(Debug)]
pub struct CollectingGroups {
    collection: Collection,
    evaluator: Box<dyn GroupEvaluator>,
}

impl CollectingGroups {
    pub fn new(
        series: usize,
        encoder: Option<KeyEncoder>,
        evaluator: Box<dyn GroupEvaluator>,
    ) -> Self {
        CollectingGroups {
            collection: Collection::new(series, encoder),
            evaluator,
        }
    }

    /// Keeps the rows as slices of the input batches, for groups that arrive whole
    /// and in order and keep no keys (an aggregation in one phase over sorted input).
    pub fn sharing_input_rows(mut self) -> Self {
        self.collection.share_rows = self.collection.encoder.is_none();
        self
    }
}

impl GroupsAccumulator for CollectingGroups {
    fn update_batch(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        opt_filter: Option<&BooleanArray>,
        total_num_groups: usize,
    ) -> Result<()> {
        self.collection.ensure_groups(total_num_groups);
        self.collection
            .update(values, opt_filter, |i| group_indices[i])
    }

    fn evaluate(&mut self, emit_to: EmitTo) -> Result<ArrayRef> {
        let evaluator = &self.evaluator;
        self.collection
            .emit(emit_to, |groups| evaluator.evaluate(groups))
    }

    fn state(&mut self, emit_to: EmitTo) -> Result<Vec<ArrayRef>> {
        Ok(self.collection.emit(emit_to, |groups| state_of(&groups)))
    }

    fn merge_batch(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        total_num_groups: usize,
    ) -> Result<()> {
        self.collection.ensure_groups(total_num_groups);
        self.collection.merge(values, |j| group_indices[j])
    }

    fn convert_to_state(
        &self,
        values: &[ArrayRef],
        opt_filter: Option<&BooleanArray>,
    ) -> Result<Vec<ArrayRef>> {
        // Each input row becomes a group of its own (empty when the row is skipped).
        let c = &self.collection;
        let batch = InputBatch::read(values, c.series, c.encoder.as_ref(), opt_filter)?;
        let num_rows = values.first().map_or(0, |a| a.len());
        let mut store = RowStore::new(c.series, c.with_keys());
        let mut groups: Vec<GroupRows> = (0..num_rows).map(|_| GroupRows::default()).collect();
        batch.append_to(&mut store, &mut groups, |i| i);
        Ok(state_of(&Collected {
            store: &store,
            groups: &groups,
            series: c.series,
            with_keys: c.with_keys(),
        }))
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self) + self.collection.size()
    }
}
