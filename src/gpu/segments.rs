//! Many partitions in one dense buffer per argument (the layout of
//! `kernels/segments.cuh`): rows with a missing argument (NULL or NaN) are left out,
//! as the CPU path leaves them out, and results are scattered back with NULL there.

use datafusion::arrow::array::{Array, Float64Array};
use datafusion::arrow::buffer::{NullBuffer, ScalarBuffer};
use std::ops::Range;

/// The present rows of a run of partitions, back to back.
#[derive(Debug, Clone, PartialEq)]
pub struct Segments {
    /// One buffer per series argument, each `len()` values long.
    pub series: Vec<Vec<f64>>,
    /// `partitions() + 1` offsets into the buffers; partition `p` is
    /// `offsets[p]..offsets[p + 1]`.
    pub offsets: Vec<i64>,
    /// The batch row of each dense row.
    rows: Vec<usize>,
    /// Rows of the batch.
    batch_rows: usize,
    /// Unique per gather in this process: a device may keep the uploaded buffers of
    /// these segments for the other calls of the same run.
    id: u64,
}

impl Segments {
    /// Gathers the rows of `ranges` (consecutive partitions of a batch) where every
    /// column is present.
    pub fn gather(columns: &[&Float64Array], ranges: &[Range<usize>]) -> Segments {
        let batch_rows = ranges.last().map_or(0, |r| r.end);
        let mut series = vec![Vec::with_capacity(batch_rows); columns.len()];
        let mut offsets = Vec::with_capacity(ranges.len() + 1);
        let mut rows = Vec::with_capacity(batch_rows);
        offsets.push(0);
        for range in ranges {
            for row in range.clone() {
                let present = columns
                    .iter()
                    .all(|c| c.is_valid(row) && !c.value(row).is_nan());
                if present {
                    for (buffer, column) in series.iter_mut().zip(columns) {
                        buffer.push(column.value(row));
                    }
                    rows.push(row);
                }
            }
            offsets.push(rows.len() as i64);
        }
        static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        Segments {
            series,
            offsets,
            rows,
            batch_rows,
            id: NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        }
    }

    /// Identifies this gather (see the field).
    pub fn id(&self) -> u64 {
        self.id
    }

    /// Dense rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn partitions(&self) -> usize {
        self.offsets.len() - 1
    }

    /// The dense rows of partition `p`.
    pub fn partition(&self, p: usize) -> Range<usize> {
        self.offsets[p] as usize..self.offsets[p + 1] as usize
    }

    /// The longest partition, in dense rows.
    pub fn longest(&self) -> usize {
        (0..self.partitions())
            .map(|p| self.partition(p).len())
            .max()
            .unwrap_or(0)
    }

    /// One value per batch row from one per dense row: NULL at left-out rows and
    /// where the result is not finite (the kernels' "no value").
    pub fn scatter(&self, dense: &[f64]) -> Float64Array {
        let mut values = vec![0.0; self.batch_rows];
        let mut valid = vec![false; self.batch_rows];
        for (&row, &value) in self.rows.iter().zip(dense) {
            if value.is_finite() {
                values[row] = value;
                valid[row] = true;
            }
        }
        Float64Array::new(ScalarBuffer::from(values), Some(NullBuffer::from(valid)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gathers_present_rows_by_partition_and_scatters_back() {
        let x = Float64Array::from(vec![
            Some(1.0),
            None,
            Some(3.0),
            Some(f64::NAN),
            Some(5.0),
            Some(6.0),
        ]);
        let y = Float64Array::from(vec![
            Some(1.0),
            Some(2.0),
            Some(3.0),
            Some(4.0),
            None,
            Some(6.0),
        ]);
        let segments = Segments::gather(&[&x, &y], &[0..3, 3..4, 4..6]);
        assert_eq!(
            segments.series,
            vec![vec![1.0, 3.0, 6.0], vec![1.0, 3.0, 6.0]]
        );
        assert_eq!(segments.offsets, vec![0, 2, 2, 3]);
        assert_eq!(
            (segments.len(), segments.partitions(), segments.longest()),
            (3, 3, 2)
        );
        assert_eq!(segments.partition(2), 2..3);
        let out = segments.scatter(&[10.0, f64::NAN, 60.0]);
        assert_eq!(
            out.iter().collect::<Vec<_>>(),
            vec![Some(10.0), None, None, None, None, Some(60.0)]
        );
    }
}
