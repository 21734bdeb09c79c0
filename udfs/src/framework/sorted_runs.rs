//! Runs of equal keys in a stream sorted by those keys.
//!
//! A window stage over `PARTITION BY key` and a GROUP BY over input sorted by its
//! keys both need the same thing: each key's rows together, as soon as the stream
//! has moved past them. [`SortedRuns`] keeps the rows of the run still open (slices
//! of input batches, no copies) and hands back each batch's completed runs.

use datafusion::arrow::array::{make_comparator, ArrayRef, RecordBatch};
use datafusion::arrow::compute::SortOptions;
use datafusion::arrow::row::{RowConverter, SortField};
use datafusion::common::Result;
use datafusion::physical_plan::PhysicalExpr;
use std::ops::Range;
use std::sync::Arc;

/// Completed runs: slices of input batches in order, and each run's rows as a range
/// over the slices placed end to end.
#[derive(Debug, Default)]
pub struct Completed {
    pub rows: Vec<RecordBatch>,
    pub ranges: Vec<Range<usize>>,
}

/// Splits a stream sorted by `keys` into runs of equal keys (see the module docs).
#[derive(Debug)]
pub struct SortedRuns {
    keys: Vec<Arc<dyn PhysicalExpr>>,
    /// Rows of the run that may go on in the next batch.
    open: Vec<RecordBatch>,
    /// Compares the last open row with the first row of the next batch.
    key_rows: Option<RowConverter>,
}

impl SortedRuns {
    /// Without keys every row is in one run, completed by [`Self::finish`].
    pub fn new(keys: Vec<Arc<dyn PhysicalExpr>>) -> Self {
        SortedRuns {
            keys,
            open: Vec::new(),
            key_rows: None,
        }
    }

    /// Takes in one batch; returns the runs it completed (those of earlier batches
    /// included), leaving its last run open.
    pub fn push(&mut self, batch: RecordBatch) -> Result<Completed> {
        if batch.num_rows() == 0 {
            return Ok(Completed::default());
        }
        let continues = self.continues_open(&batch)?;
        let batch_ranges = sorted_key_ranges(&self.key_columns(&batch)?, batch.num_rows())?;
        // The last run of the batch may go on in the next one.
        let split = batch_ranges.last().map_or(0, |r| r.start);
        if split == 0 && continues {
            self.open.push(batch);
            return Ok(Completed::default());
        }
        let mut rows = std::mem::take(&mut self.open);
        let open_rows: usize = rows.iter().map(RecordBatch::num_rows).sum();
        let mut ranges = Vec::with_capacity(batch_ranges.len());
        let mut new_ranges = batch_ranges[..batch_ranges.len() - 1].iter();
        if open_rows > 0 {
            // The open run, with the batch's first range when it continues it.
            let end = match continues {
                true => new_ranges.next().map_or(0, |r| r.end),
                false => 0,
            };
            ranges.push(0..open_rows + end);
        }
        ranges.extend(new_ranges.map(|r| open_rows + r.start..open_rows + r.end));
        if split > 0 {
            rows.push(batch.slice(0, split));
        }
        self.open.push(batch.slice(split, batch.num_rows() - split));
        Ok(Completed { rows, ranges })
    }

    /// The open rows as the last run, at the end of the stream.
    pub fn finish(&mut self) -> Completed {
        let rows = std::mem::take(&mut self.open);
        let num_rows: usize = rows.iter().map(RecordBatch::num_rows).sum();
        let ranges = (num_rows > 0).then_some(0..num_rows).into_iter().collect();
        Completed { rows, ranges }
    }

    fn key_columns(&self, batch: &RecordBatch) -> Result<Vec<ArrayRef>> {
        self.keys
            .iter()
            .map(|k| k.evaluate(batch)?.into_array(batch.num_rows()))
            .collect()
    }

    /// Whether the first row of `batch` has the key of the last open row.
    fn continues_open(&mut self, batch: &RecordBatch) -> Result<bool> {
        let Some(last) = self.open.last() else {
            return Ok(false);
        };
        if self.keys.is_empty() {
            return Ok(true);
        }
        let before = self.key_columns(&last.slice(last.num_rows() - 1, 1))?;
        let after = self.key_columns(&batch.slice(0, 1))?;
        if self.key_rows.is_none() {
            let fields = before
                .iter()
                .map(|c| SortField::new(c.data_type().clone()))
                .collect();
            self.key_rows = Some(RowConverter::new(fields)?);
        }
        let converter = self.key_rows.as_ref().expect("set above");
        let before = converter.convert_columns(&before)?;
        let after = converter.convert_columns(&after)?;
        Ok(before.row(0) == after.row(0))
    }
}

/// Row ranges of equal keys of `columns`, which are sorted by them (so each key's
/// rows are adjacent), found by exponential then binary search from each range's
/// first row: O(log length) comparisons per run instead of one per row, which on
/// string keys was a tenth of a long-partition stage.
pub fn sorted_key_ranges(columns: &[ArrayRef], num_rows: usize) -> Result<Vec<Range<usize>>> {
    if columns.is_empty() {
        return Ok((num_rows > 0).then_some(0..num_rows).into_iter().collect());
    }
    let comparators = columns
        .iter()
        .map(|c| make_comparator(c.as_ref(), c.as_ref(), SortOptions::default()))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    let same = |i: usize, j: usize| comparators.iter().all(|c| c(i, j).is_eq());
    let mut ranges = Vec::new();
    let mut start = 0;
    while start < num_rows {
        // `last` has the key of `start`; `end` is past it, or the end of the batch.
        let (mut last, mut step) = (start, 1);
        while last + step < num_rows && same(start, last + step) {
            last += step;
            step *= 2;
        }
        let mut end = (last + step).min(num_rows);
        while end - last > 1 {
            let middle = last + (end - last) / 2;
            if same(start, middle) {
                last = middle;
            } else {
                end = middle;
            }
        }
        ranges.push(start..end);
        start = end;
    }
    Ok(ranges)
}
