//! The missing-value rule, written once: a row whose arguments include a NULL or a
//! NaN is removed, the kernel runs on the dense remaining rows, and its results are
//! scattered back with NULL at the removed rows. Kernels write NaN for "no value"
//! (warm-up, division by zero); any non-finite result becomes NULL here, so NaN and
//! Inf never reach the user.

use super::recycle;
use datafusion::arrow::array::{Array, Float64Array};
use datafusion::arrow::buffer::{BooleanBuffer, Buffer, NullBuffer};
use datafusion::common::Result;

/// What the output slices hold when a kernel starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prefill {
    /// NaN everywhere: the kernel writes only the rows that have a value.
    Nan,
    /// Unspecified values: the kernel writes every row (NaN where there is no
    /// value), which saves a pass over large outputs.
    Nothing,
}

impl Prefill {
    fn buffer(self, len: usize) -> Vec<f64> {
        match self {
            Prefill::Nan => recycle::filled(len, f64::NAN),
            Prefill::Nothing => recycle::scratch(len),
        }
    }
}

/// Runs `kernel` over the rows where every column is present, and returns one value
/// per input row.
///
/// `kernel` receives one dense slice per column (all the same length) and an output
/// slice of that length, starting as `prefill` says.
pub fn compute_on_present<F>(
    columns: &[&Float64Array],
    num_rows: usize,
    prefill: Prefill,
    kernel: F,
) -> Result<Float64Array>
where
    F: FnOnce(&[&[f64]], &mut [f64]) -> Result<()>,
{
    let mut outputs = compute_outputs_on_present(columns, num_rows, 1, prefill, |series, outs| {
        kernel(series, outs[0])
    })?;
    Ok(finite_or_null(outputs.pop().expect("one output")))
}

/// [`compute_on_present`] for a kernel with `outputs` results per row, each output
/// slice starting as `prefill` says. Returns the values with NaN at rows without a
/// value; [`finite_or_null`] makes each an Arrow array (left to the caller, so
/// outputs nobody asks for are never converted).
pub fn compute_outputs_on_present<F>(
    columns: &[&Float64Array],
    num_rows: usize,
    outputs: usize,
    prefill: Prefill,
    kernel: F,
) -> Result<Vec<Vec<f64>>>
where
    F: FnOnce(&[&[f64]], &mut [&mut [f64]]) -> Result<()>,
{
    let outs = match missing_rows(columns, num_rows) {
        // Common case: nothing missing, the kernel reads Arrow's buffers directly.
        Missing::None => {
            let dense: Vec<&[f64]> = columns.iter().map(|c| &c.values()[..num_rows]).collect();
            let mut outs: Vec<Vec<f64>> = (0..outputs).map(|_| prefill.buffer(num_rows)).collect();
            kernel(&dense, &mut tails(&mut outs, 0))?;
            outs
        }
        // Missing rows only at the start (a lagged input's first rows): the kernel
        // reads the rest in place and writes after them.
        Missing::Leading(start) => {
            let dense: Vec<&[f64]> = columns
                .iter()
                .map(|c| &c.values()[start..num_rows])
                .collect();
            let mut outs: Vec<Vec<f64>> = (0..outputs).map(|_| prefill.buffer(num_rows)).collect();
            for out in &mut outs {
                out[..start].fill(f64::NAN);
            }
            kernel(&dense, &mut tails(&mut outs, start))?;
            outs
        }
        Missing::Rows(mask) => {
            let present = mask.count_set_bits();
            let gathered: Vec<Vec<f64>> = columns
                .iter()
                .map(|c| {
                    let mut dense = Vec::with_capacity(present);
                    dense.extend(mask.set_indices().map(|i| c.value(i)));
                    dense
                })
                .collect();
            let dense: Vec<&[f64]> = gathered.iter().map(Vec::as_slice).collect();
            let mut dense_outs: Vec<Vec<f64>> =
                (0..outputs).map(|_| prefill.buffer(present)).collect();
            kernel(&dense, &mut tails(&mut dense_outs, 0))?;
            dense_outs
                .into_iter()
                .map(|dense_out| {
                    let mut out = recycle::filled(num_rows, f64::NAN);
                    for (row, &value) in mask.set_indices().zip(&dense_out) {
                        out[row] = value;
                    }
                    recycle::give_back(dense_out);
                    out
                })
                .collect()
        }
    };
    Ok(outs)
}

/// Each output from row `start` on, as the kernel writes it.
fn tails(outs: &mut [Vec<f64>], start: usize) -> Vec<&mut [f64]> {
    outs.iter_mut().map(|out| &mut out[start..]).collect()
}

/// Which rows a kernel cannot see (a NULL or a NaN in any column).
enum Missing {
    None,
    /// Exactly the rows before this one.
    Leading(usize),
    /// The mask of present rows.
    Rows(BooleanBuffer),
}

fn missing_rows(columns: &[&Float64Array], num_rows: usize) -> Missing {
    let Some(mask) = present_rows(columns, num_rows) else {
        return Missing::None;
    };
    // Present rows forming one run to the end: the missing ones lead.
    let present = mask.count_set_bits();
    match mask.set_indices().next() {
        Some(start) if start + present == num_rows => Missing::Leading(start),
        _ => Missing::Rows(mask),
    }
}

/// `None` when every row is present (no NULL, no NaN in any column); otherwise the
/// mask of present rows.
pub fn present_rows(columns: &[&Float64Array], num_rows: usize) -> Option<BooleanBuffer> {
    let any_missing = columns
        .iter()
        .any(|c| c.null_count() > 0 || has_nan(&c.values()[..num_rows]));
    if !any_missing {
        return None;
    }
    // Validity and not-NaN bits, 64 rows per word, ANDed across columns.
    columns
        .iter()
        .map(|c| {
            let values = &c.values()[..num_rows];
            let not_nan = pack_bits(values, |v| !v.is_nan());
            match c.nulls() {
                Some(nulls) => &not_nan & &nulls.inner().slice(0, num_rows),
                None => not_nan,
            }
        })
        .reduce(|a, b| &a & &b)
}

/// `keep(v)` of each value as packed bits, 64 at a time (whole words with a fixed
/// trip count, which the compiler turns into vector compares; Arrow's per-index
/// `collect_bool` is several times slower).
fn pack_bits(values: &[f64], keep: impl Fn(f64) -> bool + Copy) -> BooleanBuffer {
    let chunks = values.chunks_exact(64);
    let tail = chunks.remainder();
    let mut words: Vec<u64> = chunks.map(|chunk| word_of(chunk, keep)).collect();
    if !tail.is_empty() {
        words.push(word_of(tail, keep));
    }
    BooleanBuffer::new(Buffer::from_vec(words), 0, values.len())
}

/// Bit j set when `keep(values[j])` (at most 64 values).
#[inline(always)]
fn word_of(values: &[f64], keep: impl Fn(f64) -> bool) -> u64 {
    let mut bits = 0u64;
    for (j, &v) in values.iter().enumerate() {
        bits |= u64::from(keep(v)) << j;
    }
    bits
}

/// Wraps computed values as an Arrow array, NULL wherever a value is NaN or infinite.
///
/// The validity bits are packed 64 at a time from slices, a loop the compiler
/// vectorises (Arrow's per-index `collect_bool` was a tenth of a wide stage's time).
pub fn finite_or_null(values: Vec<f64>) -> Float64Array {
    let mut words = Vec::with_capacity(values.len().div_ceil(64));
    let mut all_finite = true;
    let chunks = values.chunks_exact(64);
    let tail = chunks.remainder();
    // Whole words with a fixed trip count, which the compiler turns into vector
    // compares; then the last partial word.
    for chunk in chunks {
        let bits = word_of(chunk, f64::is_finite);
        all_finite &= bits == u64::MAX;
        words.push(bits);
    }
    if !tail.is_empty() {
        let bits = word_of(tail, f64::is_finite);
        all_finite &= bits.count_ones() as usize == tail.len();
        words.push(bits);
    }
    let len = values.len();
    let nulls =
        (!all_finite).then(|| NullBuffer::new(BooleanBuffer::new(Buffer::from_vec(words), 0, len)));
    Float64Array::new(recycle::into_scalar_buffer(values), nulls)
}

/// Whether any value is NaN: 64 values at a time without an early exit inside,
/// so the compiler vectorises the comparisons (a plain `any` tests one per step).
fn has_nan(values: &[f64]) -> bool {
    values
        .chunks(64)
        .any(|chunk| chunk.iter().fold(false, |nan, v| nan | v.is_nan()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn running_sum(cols: &[&[f64]], out: &mut [f64]) -> Result<()> {
        let mut acc = 0.0;
        for (o, x) in out.iter_mut().zip(cols[0]) {
            acc += x;
            *o = acc;
        }
        Ok(())
    }

    #[test]
    fn nothing_missing_uses_all_rows() {
        let x = Float64Array::from(vec![1.0, 2.0, 3.0]);
        let out = compute_on_present(&[&x], 3, Prefill::Nan, running_sum).unwrap();
        assert_eq!(out, Float64Array::from(vec![1.0, 3.0, 6.0]));
    }

    #[test]
    fn null_and_nan_rows_are_skipped_and_null_in_output() {
        let x = Float64Array::from(vec![Some(1.0), None, Some(f64::NAN), Some(4.0)]);
        let out = compute_on_present(&[&x], 4, Prefill::Nan, running_sum).unwrap();
        assert_eq!(
            out,
            Float64Array::from(vec![Some(1.0), None, None, Some(5.0)])
        );
    }

    #[test]
    fn a_row_missing_in_any_column_is_skipped_in_all() {
        let a = Float64Array::from(vec![Some(1.0), Some(2.0), Some(3.0)]);
        let b = Float64Array::from(vec![Some(1.0), None, Some(1.0)]);
        let out = compute_on_present(&[&a, &b], 3, Prefill::Nan, |cols, out| {
            assert_eq!(cols[0], &[1.0, 3.0]);
            assert_eq!(cols[1], &[1.0, 1.0]);
            out.copy_from_slice(cols[0]);
            Ok(())
        })
        .unwrap();
        assert_eq!(out, Float64Array::from(vec![Some(1.0), None, Some(3.0)]));
    }

    #[test]
    fn non_finite_results_become_null() {
        let out = finite_or_null(vec![1.0, f64::INFINITY, f64::NAN, f64::NEG_INFINITY]);
        assert_eq!(out, Float64Array::from(vec![Some(1.0), None, None, None]));
    }

    #[test]
    fn validity_across_64_row_words() {
        let mut values: Vec<f64> = (0..130).map(f64::from).collect();
        assert_eq!(finite_or_null(values.clone()).null_count(), 0);
        assert!(finite_or_null(values.clone()).nulls().is_none());
        for row in [0, 63, 64, 129] {
            values[row] = f64::NAN;
        }
        let out = finite_or_null(values);
        assert_eq!(out.null_count(), 4);
        assert!(out.is_null(63) && out.is_null(64) && out.is_null(129) && out.is_valid(65));
    }

    #[test]
    fn all_missing_gives_all_null() {
        let x = Float64Array::from(vec![None, Some(f64::NAN)]);
        let out = compute_on_present(&[&x], 2, Prefill::Nan, running_sum).unwrap();
        assert_eq!(out.null_count(), 2);
    }

    #[test]
    fn leading_missing_rows_are_skipped_in_place() {
        // NULL and NaN only before row 3 (in different columns): the kernel sees
        // the rest of each column as it is.
        let a = Float64Array::from(vec![None, Some(5.0), None, Some(1.0), Some(2.0)]);
        let b = Float64Array::from(vec![
            Some(1.0),
            Some(f64::NAN),
            Some(1.0),
            Some(1.0),
            Some(1.0),
        ]);
        let seen = std::cell::Cell::new(0);
        let out = compute_on_present(&[&a, &b], 5, Prefill::Nothing, |cols, out| {
            assert_eq!(cols[0], &[1.0, 2.0]);
            assert_eq!(cols[1], &[1.0, 1.0]);
            seen.set(out.len());
            running_sum(cols, out)
        })
        .unwrap();
        assert_eq!(seen.get(), 2);
        assert_eq!(
            out,
            Float64Array::from(vec![None, None, None, Some(1.0), Some(3.0)])
        );
    }

    #[test]
    fn present_rows_match_row_by_row_checks() {
        // Gaps in both columns, across 64-row words and in a sliced array.
        let a: Float64Array = (0..300)
            .map(|i| match i % 37 {
                3 => None,
                11 => Some(f64::NAN),
                _ => Some(i as f64),
            })
            .collect();
        let b: Float64Array = (0..300).map(|i| (i % 53 != 7).then_some(1.0)).collect();
        let (a, b) = (a.slice(5, 290), b.slice(5, 290));
        let mask = present_rows(&[&a, &b], 290).unwrap();
        for i in 0..290 {
            let expected = a.is_valid(i) && !a.value(i).is_nan() && b.is_valid(i);
            assert_eq!(mask.value(i), expected, "row {i}");
        }
        assert!(present_rows(&[&b.slice(0, 2)], 2).is_none());
    }
}
