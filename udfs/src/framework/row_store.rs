//! Every row a collecting aggregate keeps, for all its groups, in arrival order.
//!
//! Rows are appended to blocks of at most [`BLOCK_ROWS`] that are filled once and
//! never split, and a group names its rows as runs of consecutive positions. Input
//! sorted by group (the usual case: one file per symbol, or a file sorted by it)
//! gives one run per group, which evaluation reads in place. Per-group vectors grown
//! by doubling, the earlier layout, copied each row up to twice more and left about a
//! third of their capacity untouched but allocated: on a 2.5M-row scorecard, fresh
//! memory (which the kernel zeroes on first touch) was the largest single cost.

use super::order::in_order;
use datafusion::arrow::array::BinaryArray;
use std::ops::Range;

/// Rows per block: 512 KiB of f64 per series.
pub const BLOCK_ROWS: usize = 1 << 16;

/// Consecutive store positions `start..start + len`, all in one block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Run {
    pub start: usize,
    pub len: usize,
}

impl Run {
    pub fn end(&self) -> usize {
        self.start + self.len
    }

    /// Whether `next` continues the run within the same block.
    fn continued_by(&self, next: Run) -> bool {
        next.start == self.end() && !next.start.is_multiple_of(BLOCK_ROWS)
    }
}

/// Adds `run` to a group's runs, extending the last one when it continues it.
pub fn push_run(runs: &mut Vec<Run>, run: Run) {
    match runs.last_mut() {
        Some(last) if last.continued_by(run) => last.len += run.len,
        _ => runs.push(run),
    }
}

/// The series values and ORDER BY keys of every kept row.
#[derive(Debug)]
pub struct RowStore {
    /// `series[s][b]`: series `s` of the rows in block `b`.
    series: Vec<Vec<Vec<f64>>>,
    keys: Option<KeyStore>,
    rows: usize,
}

impl RowStore {
    pub fn new(series: usize, with_keys: bool) -> Self {
        RowStore {
            series: vec![Vec::new(); series],
            keys: with_keys.then(KeyStore::default),
            rows: 0,
        }
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Appends rows `range` of `values` (one slice per series) and of `keys`, and
    /// returns the runs they now occupy (more than one only across a block end).
    pub fn append(
        &mut self,
        values: &[&[f64]],
        keys: Option<&BinaryArray>,
        range: Range<usize>,
    ) -> impl Iterator<Item = Run> {
        let mut runs = Vec::new();
        let mut from = range.start;
        while from < range.end {
            let block = self.rows / BLOCK_ROWS;
            let room = BLOCK_ROWS - self.rows % BLOCK_ROWS;
            let to = range.end.min(from + room);
            for (blocks, column) in self.series.iter_mut().zip(values) {
                if blocks.len() == block {
                    // The first block grows with the data; later ones are known to fill.
                    let capacity = if block == 0 { 0 } else { BLOCK_ROWS };
                    blocks.push(Vec::with_capacity(capacity));
                }
                extend_within_block(&mut blocks[block], &column[from..to]);
            }
            if let (Some(store), Some(keys)) = (&mut self.keys, keys) {
                store.push_rows(self.rows, keys, from..to);
            }
            runs.push(Run {
                start: self.rows,
                len: to - from,
            });
            self.rows += to - from;
            from = to;
        }
        runs.into_iter()
    }

    /// The values of series `s` at the positions of `run`.
    pub fn values(&self, s: usize, run: Run) -> &[f64] {
        let offset = run.start % BLOCK_ROWS;
        &self.series[s][run.start / BLOCK_ROWS][offset..offset + run.len]
    }

    /// The ORDER BY key of the row at `position`.
    pub fn key(&self, position: usize) -> &[u8] {
        self.keys.as_ref().map_or(&[], |k| k.key(position))
    }

    /// Whether the keys of `runs`, read one after another, never decrease.
    pub fn keys_in_order(&self, runs: &[Run]) -> bool {
        match &self.keys {
            None => true,
            // The usual ORDER BY keys (a 64-bit or 32-bit integer or timestamp).
            Some(KeyStore::Fixed { width: 9, bytes }) => fixed_in_order::<9>(bytes, runs),
            Some(KeyStore::Fixed { width: 5, bytes }) => fixed_in_order::<5>(bytes, runs),
            Some(_) => in_order(
                runs.iter()
                    .flat_map(|run| run.start..run.end())
                    .map(|position| self.key(position)),
            ),
        }
    }

    /// A store of only the rows of `groups` (each a list of runs), which are renamed
    /// to their new positions: what is left after most groups have been emitted.
    pub fn compacted(&self, groups: &mut [&mut Vec<Run>]) -> RowStore {
        let mut store = RowStore::new(self.series.len(), self.keys.is_some());
        for runs in groups.iter_mut() {
            let mut moved: Vec<Run> = Vec::with_capacity(runs.len());
            for &run in runs.iter() {
                let values: Vec<&[f64]> = (0..self.series.len())
                    .map(|s| self.values(s, run))
                    .collect();
                for new in store.append_moved(&values, self, run) {
                    push_run(&mut moved, new);
                }
            }
            **runs = moved;
        }
        store
    }

    /// Appends the rows of `run` of `from`, whose values are `values`.
    fn append_moved(&mut self, values: &[&[f64]], from: &RowStore, run: Run) -> Vec<Run> {
        let first = self.rows;
        let runs: Vec<Run> = self.append(values, None, 0..run.len).collect();
        if let Some(store) = &mut self.keys {
            for i in 0..run.len {
                store.push(first + i, from.key(run.start + i));
            }
        }
        runs
    }

    /// Bytes held.
    pub fn size(&self) -> usize {
        let values: usize = self
            .series
            .iter()
            .flatten()
            .map(|b| b.capacity() * std::mem::size_of::<f64>())
            .sum();
        values + self.keys.as_ref().map_or(0, KeyStore::size)
    }
}

/// Whether the `W`-byte keys at the positions of `runs` never decrease, compared as
/// big-endian integers (byte order is the order of the row format) rather than by
/// a `memcmp` call per pair.
fn fixed_in_order<const W: usize>(bytes: &[u8], runs: &[Run]) -> bool {
    let mut previous = 0u128;
    for run in runs {
        for key in bytes[run.start * W..run.end() * W].chunks_exact(W) {
            let mut word = [0u8; 16];
            word[..W].copy_from_slice(key);
            let word = u128::from_be_bytes(word);
            if word < previous {
                return false;
            }
            previous = word;
        }
    }
    true
}

/// Extends a block, never reserving past [`BLOCK_ROWS`] (a doubling `Vec` would).
fn extend_within_block(block: &mut Vec<f64>, values: &[f64]) {
    let needed = block.len() + values.len();
    if needed > block.capacity() {
        let capacity = needed.max(2 * block.capacity()).min(BLOCK_ROWS);
        block.reserve_exact(capacity - block.len());
    }
    block.extend_from_slice(values);
}

/// ORDER BY keys in Arrow's row format, by store position. Keys of fixed-width
/// types (timestamps, integers: the usual ORDER BY) all have one length and are
/// stored back to back; a key of another length switches to explicit ends.
#[derive(Debug)]
enum KeyStore {
    Fixed { width: usize, bytes: Vec<u8> },
    Variable { bytes: Vec<u8>, ends: Vec<usize> },
}

impl Default for KeyStore {
    fn default() -> Self {
        KeyStore::Fixed {
            width: 0,
            bytes: Vec::new(),
        }
    }
}

impl KeyStore {
    /// Stores the keys of rows `rows` of `keys` (Arrow's row format as binary) from
    /// store position `first` on: one copy when they all have the stored width.
    fn push_rows(&mut self, first: usize, keys: &BinaryArray, rows: Range<usize>) {
        if let KeyStore::Fixed { width, bytes } = self {
            let offsets = &keys.value_offsets()[rows.start..=rows.end];
            let w = if first == 0 {
                offsets[1] - offsets[0]
            } else {
                *width as i32
            };
            if offsets.windows(2).all(|o| o[1] - o[0] == w) {
                *width = w as usize;
                let data = &keys.value_data()[offsets[0] as usize..offsets[rows.len()] as usize];
                bytes.extend_from_slice(data);
                return;
            }
        }
        for (i, row) in rows.enumerate() {
            self.push(first + i, keys.value(row));
        }
    }

    /// Stores the key of the row at `position`, which is the next one.
    fn push(&mut self, position: usize, key: &[u8]) {
        if let KeyStore::Fixed { width, bytes } = self {
            if position == 0 {
                *width = key.len();
            }
            if key.len() == *width {
                bytes.extend_from_slice(key);
                return;
            }
            let ends = (1..=position).map(|i| i * *width).collect();
            *self = KeyStore::Variable {
                bytes: std::mem::take(bytes),
                ends,
            };
        }
        if let KeyStore::Variable { bytes, ends } = self {
            bytes.extend_from_slice(key);
            ends.push(bytes.len());
        }
    }

    fn key(&self, position: usize) -> &[u8] {
        match self {
            KeyStore::Fixed { width, bytes } => &bytes[position * width..(position + 1) * width],
            KeyStore::Variable { bytes, ends } => {
                let start = if position == 0 { 0 } else { ends[position - 1] };
                &bytes[start..ends[position]]
            }
        }
    }

    fn size(&self) -> usize {
        match self {
            KeyStore::Fixed { bytes, .. } => bytes.capacity(),
            KeyStore::Variable { bytes, ends } => {
                bytes.capacity() + ends.capacity() * std::mem::size_of::<usize>()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{ArrayRef, Int64Array, StringArray};
    use datafusion::arrow::row::{RowConverter, SortField};
    use std::sync::Arc;

    fn rows_of(array: ArrayRef) -> BinaryArray {
        let converter = RowConverter::new(vec![SortField::new(array.data_type().clone())]).unwrap();
        let rows = converter.convert_columns(&[array]).unwrap();
        rows.try_into_binary().unwrap()
    }

    #[test]
    fn runs_stop_at_block_ends_and_read_back_in_place() {
        let n = BLOCK_ROWS + 100;
        let x: Vec<f64> = (0..n).map(|i| i as f64).collect();
        let keys = rows_of(Arc::new(Int64Array::from_iter_values(0..n as i64)));
        let mut store = RowStore::new(1, true);
        let head: Vec<Run> = store.append(&[&x], Some(&keys), 0..10).collect();
        assert_eq!(head, [Run { start: 0, len: 10 }]);
        let rest: Vec<Run> = store.append(&[&x], Some(&keys), 10..n).collect();
        assert_eq!(
            rest,
            [
                Run {
                    start: 10,
                    len: BLOCK_ROWS - 10
                },
                Run {
                    start: BLOCK_ROWS,
                    len: 100
                }
            ]
        );
        let mut runs = head.clone();
        push_run(&mut runs, rest[0]);
        push_run(&mut runs, rest[1]);
        assert_eq!(
            runs,
            [
                Run {
                    start: 0,
                    len: BLOCK_ROWS
                },
                rest[1]
            ],
            "a run never crosses a block end"
        );
        assert_eq!(store.values(0, rest[1])[0], BLOCK_ROWS as f64);
        assert_eq!(store.key(BLOCK_ROWS + 5), keys.value(BLOCK_ROWS + 5));
        assert_eq!(store.series[0][0].capacity(), BLOCK_ROWS);
    }

    #[test]
    fn key_order_is_checked_across_runs() {
        let ts: Vec<i64> = vec![-5, 3, 3, 9, 2, 10];
        let keys = rows_of(Arc::new(Int64Array::from(ts)));
        let mut store = RowStore::new(1, true);
        let runs: Vec<Run> = store.append(&[&[0.0; 6]], Some(&keys), 0..6).collect();
        let run = |start, len| Run { start, len };
        assert!(store.keys_in_order(&[run(0, 4)]));
        assert!(!store.keys_in_order(&runs));
        assert!(!store.keys_in_order(&[run(4, 1), run(0, 1), run(1, 3)]));
        assert!(store.keys_in_order(&[run(0, 1), run(4, 1), run(5, 1)]));
        let text = rows_of(Arc::new(StringArray::from(vec!["b", "bb", "a"])));
        let mut store = RowStore::new(1, true);
        store.append(&[&[0.0; 3]], Some(&text), 0..3).count();
        assert!(store.keys_in_order(&[run(0, 2)]));
        assert!(!store.keys_in_order(&[run(1, 2)]));
    }

    #[test]
    fn keys_of_varying_length_switch_to_explicit_ends() {
        let keys = rows_of(Arc::new(StringArray::from(vec![
            "a",
            "a",
            "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
        ])));
        let mut store = RowStore::new(1, true);
        store.append(&[&[1.0, 2.0, 3.0]], Some(&keys), 0..3).count();
        for i in 0..3 {
            assert_eq!(store.key(i), keys.value(i));
        }
        assert!(matches!(store.keys, Some(KeyStore::Variable { .. })));
    }

    #[test]
    fn compaction_keeps_only_the_live_runs() {
        let x: Vec<f64> = (0..50).map(|i| i as f64).collect();
        let keys = rows_of(Arc::new(Int64Array::from_iter_values(0..50)));
        let mut store = RowStore::new(1, true);
        let mut live: Vec<Run> = store.append(&[&x], Some(&keys), 10..20).collect();
        store.append(&[&x], Some(&keys), 20..40).count();
        live.extend(store.append(&[&x], Some(&keys), 40..45));
        let compact = store.compacted(&mut [&mut live]);
        assert_eq!(compact.rows(), 15);
        let values: Vec<f64> = live
            .iter()
            .flat_map(|&r| compact.values(0, r).to_vec())
            .collect();
        let expected: Vec<f64> = (10..20).chain(40..45).map(|i| i as f64).collect();
        assert_eq!(values, expected);
        assert_eq!(live, [Run { start: 0, len: 15 }]);
        assert_eq!(compact.key(12), keys.value(42));
    }
}
