//! The missing-value rule, written once: a row whose arguments include a NULL or a
//! NaN is removed, the kernel runs on the dense remaining rows, and its results are
//! scattered back with NULL at the removed rows. Kernels write NaN for "no value"
//! (warm-up, division by zero); any non-finite result becomes NULL here, so NaN and
//! Inf never reach the user.

use super::bits::{self, Test};
use super::recycle;
use datafusion::arrow::array::{Array, BooleanBufferBuilder, Float64Array};
use datafusion::arrow::buffer::{BooleanBuffer, Buffer, NullBuffer};
use datafusion::common::Result;
use std::cell::RefCell;

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
        .any(|c| c.null_count() > 0 || !free_of_nan(c, num_rows));
    if !any_missing {
        return None;
    }
    // Validity and not-NaN bits, 64 rows per word, ANDed across columns.
    columns
        .iter()
        .map(|c| {
            let values = &c.values()[..num_rows];
            let (words, _) = bits::pack(values, Test::NotNan);
            let not_nan = BooleanBuffer::new(Buffer::from_vec(words), 0, num_rows);
            match c.nulls() {
                Some(nulls) => &not_nan & &nulls.inner().slice(0, num_rows),
                None => not_nan,
            }
        })
        .reduce(|a, b| &a & &b)
}

thread_local! {
    /// Inside [`remembering_clean_columns`]: the value buffers found free of NaN,
    /// held so that their memory cannot be freed and reused for other values
    /// while remembered.
    static CLEAN: RefCell<Option<Vec<Buffer>>> = const { RefCell::new(None) };
}

/// Runs `f` remembering which columns were found free of NaN, so that the
/// functions of one window stage reading the same column of the same partition
/// test it once (a 13-output stage tested `close` eleven times per partition).
pub fn remembering_clean_columns<T>(f: impl FnOnce() -> T) -> T {
    /// Restores the enclosing scope's memory, also when `f` unwinds.
    struct Restore(Option<Vec<Buffer>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let outer = self.0.take();
            CLEAN.with(|clean| *clean.borrow_mut() = outer);
        }
    }
    let _restore = Restore(CLEAN.with(|clean| clean.borrow_mut().replace(Vec::new())));
    f()
}

/// Whether the first `num_rows` values of `column` hold no NaN.
fn free_of_nan(column: &Float64Array, num_rows: usize) -> bool {
    let values = &column.values()[..num_rows];
    let bytes = std::mem::size_of_val(values);
    let known = |held: &[Buffer]| {
        held.iter()
            .any(|b| b.as_ptr() == values.as_ptr().cast() && b.len() >= bytes)
    };
    if CLEAN.with(|clean| clean.borrow().as_deref().is_some_and(known)) {
        return true;
    }
    let free = !bits::any_nan(values);
    if free {
        CLEAN.with(|clean| {
            if let Some(held) = clean.borrow_mut().as_mut() {
                held.push(column.values().inner().slice_with_length(0, bytes));
            }
        });
    }
    free
}

/// Wraps computed values as an Arrow array, NULL wherever a value is NaN or infinite.
///
/// Most outputs are NaN for a warm-up and finite after it: that shape is tested
/// first (a short scan, then [`bits::all_finite`] over the rest) and its validity
/// written as two runs. On the 13-indicator benchmark that is 4 % of the profile
/// where packing a bit per value was 6 %: both wait on reading the outputs.
pub fn finite_or_null(values: Vec<f64>) -> Float64Array {
    let len = values.len();
    let first_finite = values.iter().position(|v| v.is_finite()).unwrap_or(len);
    let nulls = if bits::all_finite(&values[first_finite..]) {
        (first_finite > 0).then(|| {
            let mut valid = BooleanBufferBuilder::new(len);
            valid.append_n(first_finite, false);
            valid.append_n(len - first_finite, true);
            NullBuffer::new(valid.finish())
        })
    } else {
        let (words, _) = bits::pack(&values, Test::Finite);
        Some(NullBuffer::new(BooleanBuffer::new(
            Buffer::from_vec(words),
            0,
            len,
        )))
    };
    Float64Array::new(recycle::into_scalar_buffer(values), nulls)
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
    fn clean_columns_are_remembered_only_inside_the_scope() {
        let clean = Float64Array::from(vec![1.0, 2.0, 3.0]);
        remembering_clean_columns(|| {
            assert!(present_rows(&[&clean], 3).is_none());
            let held = CLEAN.with(|c| c.borrow().as_ref().map(Vec::len));
            assert_eq!(held, Some(1));
            // A second test of the same values (or a prefix of them) is answered
            // from memory; other values are still tested.
            assert!(present_rows(&[&clean.slice(0, 2)], 2).is_none());
            let dirty = Float64Array::from(vec![1.0, f64::NAN, 3.0]);
            assert!(present_rows(&[&clean, &dirty], 3).is_some());
            assert_eq!(CLEAN.with(|c| c.borrow().as_ref().map(Vec::len)), Some(1));
        });
        assert!(CLEAN.with(|c| c.borrow().is_none()));
        assert!(present_rows(&[&clean], 3).is_none());
        assert!(CLEAN.with(|c| c.borrow().is_none()));
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

    /// A warm-up of NaN then values (the common shape, written as two runs) and
    /// every other arrangement of NaN and infinities (packed value by value) give
    /// the same NULLs as a row-by-row test.
    #[test]
    fn non_finite_values_become_null_in_every_arrangement() {
        let shapes: Vec<Vec<f64>> = vec![
            vec![],
            vec![1.0, 2.0, 3.0],
            vec![f64::NAN; 70],
            [vec![f64::NAN; 19], (0..181).map(f64::from).collect()].concat(),
            [vec![f64::NAN; 64], vec![2.5; 64]].concat(),
            [vec![f64::NAN; 3], vec![1.0, f64::NAN, 1.0]].concat(),
            [vec![f64::NAN; 5], vec![1.0; 100], vec![f64::INFINITY]].concat(),
            vec![f64::NEG_INFINITY, 1.0, 2.0],
            [vec![1.0; 10], vec![f64::NAN; 10]].concat(),
        ];
        for values in shapes {
            let out = finite_or_null(values.clone());
            assert_eq!(out.len(), values.len());
            let bits = |v: &[f64]| v.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(out.values()), bits(&values));
            for (i, v) in values.iter().enumerate() {
                assert_eq!(out.is_valid(i), v.is_finite(), "row {i} of {values:?}");
            }
            let nulls = values.iter().filter(|v| !v.is_finite()).count();
            assert_eq!(out.null_count(), nulls);
            assert_eq!(out.nulls().is_some(), nulls > 0);
        }
    }
}
