//! What a collecting aggregate keeps of each group: its present rows, one vector per
//! series, and (for an order-dependent aggregate) their ORDER BY keys; how input
//! batches and partial states are read into groups, and how groups become states.
//!
//! Shared by the one-group [`Accumulator`](datafusion::logical_expr::Accumulator)
//! and the all-groups [`GroupsAccumulator`](datafusion::logical_expr::GroupsAccumulator).

use super::missing::present_rows;
use super::order::{sorting_permutation, KeyBytes, KeyEncoder};
use datafusion::arrow::array::{
    Array, ArrayRef, BinaryArray, BinaryBuilder, BooleanArray, Float64Array, ListArray,
};
use datafusion::arrow::buffer::OffsetBuffer;
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field};
use datafusion::arrow::row::Rows;
use datafusion::common::cast::{as_binary_array, as_float64_array, as_list_array};
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::{Accumulator, EmitTo, GroupsAccumulator};
use std::borrow::Cow;
use std::fmt::Debug;
use std::sync::Arc;

/// One group's present rows: those appended from input batches (owned), and those
/// received in partial states, kept as slices of the state's arrays (no copy).
#[derive(Debug)]
pub struct GroupRows {
    columns: Vec<Vec<f64>>,
    keys: KeyBytes,
    parts: Vec<StatePart>,
}

/// A group's rows from one partial state.
#[derive(Debug)]
struct StatePart {
    series: Vec<Float64Array>,
    keys: Option<BinaryArray>,
}

impl GroupRows {
    pub fn new(series: usize) -> Self {
        GroupRows {
            columns: vec![Vec::new(); series],
            keys: KeyBytes::default(),
            parts: Vec::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.columns[0].len() + self.parts.iter().map(|p| p.series[0].len()).sum::<usize>()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The values of series `s`, chunk by chunk: owned rows first, then each part.
    fn chunks(&self, s: usize) -> impl Iterator<Item = &[f64]> {
        std::iter::once(self.columns[s].as_slice())
            .chain(
                self.parts
                    .iter()
                    .map(move |p| p.series[s].values().as_ref()),
            )
            .filter(|c| !c.is_empty())
    }

    /// The keys, in the order of [`Self::chunks`].
    fn keys(&self) -> impl Iterator<Item = &[u8]> {
        (0..self.keys.len()).map(|i| self.keys.key(i)).chain(
            self.parts
                .iter()
                .flat_map(|p| p.keys.iter().flat_map(|k| k.iter().flatten())),
        )
    }

    /// The series in evaluation order: key order when keys are kept. Borrowed when
    /// the rows are one chunk already in order, the usual case.
    pub fn series_in_order(&self) -> Vec<Cow<'_, [f64]>> {
        let keys: Vec<&[u8]> = self.keys().collect();
        let permutation = sorting_permutation(&keys);
        (0..self.columns.len())
            .map(|s| {
                let chunks: Vec<&[f64]> = self.chunks(s).collect();
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

    pub fn size(&self) -> usize {
        let owned = self
            .columns
            .iter()
            .map(|c| c.capacity() * std::mem::size_of::<f64>())
            .sum::<usize>();
        let parts = self.len() * self.columns.len() * std::mem::size_of::<f64>();
        owned + parts + self.keys.size()
    }
}

/// An input batch as the aggregate reads it: the series as f64, the rows kept
/// (every series present and the FILTER true) and their encoded keys.
pub struct InputBatch {
    series: Vec<Float64Array>,
    kept: Option<Vec<usize>>,
    keys: Option<Rows>,
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
            Some(encoder) => Some(encoder.encode(&arrays[arrays.len() - encoder.columns()..])?),
            None => None,
        };
        Ok(InputBatch {
            series,
            kept,
            keys,
            num_rows,
        })
    }

    /// Appends the kept rows to their groups: row `i` goes to `group_of(i)`.
    pub fn append_to(&self, groups: &mut [GroupRows], group_of: impl Fn(usize) -> usize) {
        let floats: Vec<&[f64]> = self.series.iter().map(|a| a.values().as_ref()).collect();
        let mut push = |i: usize| {
            let group = &mut groups[group_of(i)];
            for (col, values) in group.columns.iter_mut().zip(&floats) {
                col.push(values[i]);
            }
            if let Some(keys) = &self.keys {
                group.keys.push(keys.row(i).data());
            }
        };
        match &self.kept {
            None => (0..self.num_rows).for_each(&mut push),
            Some(kept) => kept.iter().copied().for_each(&mut push),
        }
    }
}

/// The partial state of `groups`: per series a list of values per group, then (when
/// `with_keys`) a list of keys per group.
pub fn state_of(groups: &[GroupRows], series: usize, with_keys: bool) -> Vec<ArrayRef> {
    let lengths: Vec<usize> = groups.iter().map(GroupRows::len).collect();
    let total: usize = lengths.iter().sum();
    let mut state: Vec<ArrayRef> = (0..series)
        .map(|s| {
            let mut values = Vec::with_capacity(total);
            for g in groups {
                g.chunks(s).for_each(|c| values.extend_from_slice(c));
            }
            list(Arc::new(Float64Array::from(values)), &lengths)
        })
        .collect();
    if with_keys {
        let mut keys = BinaryBuilder::with_capacity(total, total * 9);
        for g in groups {
            g.keys().for_each(|k| keys.append_value(k));
        }
        state.push(list(Arc::new(keys.finish()), &lengths));
    }
    state
}

/// Adds partial states to groups (state row `j` goes to `group_of(j)`), as slices
/// of the state's arrays.
pub fn merge_states(
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

/// Turns collected groups into the aggregate's output, one row per group.
pub trait GroupEvaluator: Debug + Send + Sync {
    fn evaluate(&self, groups: &[GroupRows]) -> Result<ArrayRef>;
}

/// One group (an aggregate without GROUP BY, or used as a window function).
#[derive(Debug)]
pub struct CollectingAccumulator {
    series: usize,
    encoder: Option<KeyEncoder>,
    group: GroupRows,
    evaluator: Box<dyn GroupEvaluator>,
}

impl CollectingAccumulator {
    pub fn new(
        series: usize,
        encoder: Option<KeyEncoder>,
        evaluator: Box<dyn GroupEvaluator>,
    ) -> Self {
        CollectingAccumulator {
            series,
            encoder,
            group: GroupRows::new(series),
            evaluator,
        }
    }
}

impl Accumulator for CollectingAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let batch = InputBatch::read(values, self.series, self.encoder.as_ref(), None)?;
        batch.append_to(std::slice::from_mut(&mut self.group), |_| 0);
        Ok(())
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        let array = self.evaluator.evaluate(std::slice::from_ref(&self.group))?;
        ScalarValue::try_from_array(&array, 0)
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self)
            + self.group.size()
            + self.encoder.as_ref().map_or(0, KeyEncoder::size)
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        let with_keys = self.encoder.is_some();
        state_of(std::slice::from_ref(&self.group), self.series, with_keys)
            .iter()
            .map(|list| ScalarValue::try_from_array(list, 0))
            .collect()
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let with_keys = self.encoder.is_some();
        let group = std::slice::from_mut(&mut self.group);
        merge_states(states, self.series, with_keys, group, |_| 0)
    }
}

/// Every group of a GROUP BY in one accumulator: each batch is read once for all
/// groups (one cast, one key encoding) instead of once per group.
#[derive(Debug)]
pub struct CollectingGroups {
    series: usize,
    encoder: Option<KeyEncoder>,
    groups: Vec<GroupRows>,
    evaluator: Box<dyn GroupEvaluator>,
}

impl CollectingGroups {
    pub fn new(
        series: usize,
        encoder: Option<KeyEncoder>,
        evaluator: Box<dyn GroupEvaluator>,
    ) -> Self {
        CollectingGroups {
            series,
            encoder,
            groups: Vec::new(),
            evaluator,
        }
    }

    fn ensure_groups(&mut self, total_num_groups: usize) {
        let series = self.series;
        if self.groups.len() < total_num_groups {
            self.groups
                .resize_with(total_num_groups, || GroupRows::new(series));
        }
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
        self.ensure_groups(total_num_groups);
        let batch = InputBatch::read(values, self.series, self.encoder.as_ref(), opt_filter)?;
        batch.append_to(&mut self.groups, |i| group_indices[i]);
        Ok(())
    }

    fn evaluate(&mut self, emit_to: EmitTo) -> Result<ArrayRef> {
        let groups = emit_to.take_needed(&mut self.groups);
        self.evaluator.evaluate(&groups)
    }

    fn state(&mut self, emit_to: EmitTo) -> Result<Vec<ArrayRef>> {
        let groups = emit_to.take_needed(&mut self.groups);
        Ok(state_of(&groups, self.series, self.encoder.is_some()))
    }

    fn merge_batch(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        total_num_groups: usize,
    ) -> Result<()> {
        self.ensure_groups(total_num_groups);
        let with_keys = self.encoder.is_some();
        merge_states(values, self.series, with_keys, &mut self.groups, |j| {
            group_indices[j]
        })
    }

    fn convert_to_state(
        &self,
        values: &[ArrayRef],
        opt_filter: Option<&BooleanArray>,
    ) -> Result<Vec<ArrayRef>> {
        // Each input row becomes a group of its own (empty when the row is skipped).
        let batch = InputBatch::read(values, self.series, self.encoder.as_ref(), opt_filter)?;
        let num_rows = values.first().map_or(0, |a| a.len());
        let mut groups: Vec<GroupRows> =
            (0..num_rows).map(|_| GroupRows::new(self.series)).collect();
        batch.append_to(&mut groups, |i| i);
        Ok(state_of(&groups, self.series, self.encoder.is_some()))
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self)
            + self.groups.capacity() * std::mem::size_of::<GroupRows>()
            + self.groups.iter().map(GroupRows::size).sum::<usize>()
            + self.encoder.as_ref().map_or(0, KeyEncoder::size)
    }
}
