//! Computations with several outputs, each its own SQL function: the MACD line,
//! signal and histogram; the Bollinger bands; a rolling regression's slope,
//! intercept, R² and forecasts. A stage usually asks for several outputs of one
//! computation over the same series; DataFusion evaluates them one after the
//! other on each partition, so the last few computations are kept per thread and
//! the next function over the same input array and parameters reads its output
//! from them.
//!
//! The cache holds the input arrays themselves (reference-counted), so their
//! memory cannot be reused while cached and equal addresses mean equal data.

use super::missing::{compute_outputs_on_present, finite_or_null, Prefill};
use super::params::Params;
use super::recycle;
use datafusion::arrow::array::{Array, ArrayRef, Float64Array};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::cast::as_float64_array;
use datafusion::common::Result;
use std::cell::RefCell;

/// Fills every output of a shared computation (each pre-filled with NaN = NULL) from
/// the dense series.
pub type ComputeAll = fn(&[&[f64]], &Params, &mut [&mut [f64]]) -> Result<()>;

/// A computation with `outputs` results per row, and outputs derived from them.
#[derive(Debug, Clone, Copy)]
pub struct Shared {
    /// Functions with the same id and parameters share the computation.
    pub id: &'static str,
    pub outputs: usize,
    pub compute: ComputeAll,
    /// `compute` writes every row of every output (NaN where there is no value),
    /// so the outputs need no NaN fill first.
    pub writes_every_row: bool,
    /// The leading parameters `compute` reads (`None`: all of them). The others only
    /// shape derived outputs, so functions that differ in them (the bands' width,
    /// or `sma` which has none) still share the computation.
    pub computed_from: Option<usize>,
    /// Outputs `outputs..`, each made from the computed ones only when a function
    /// asks for it.
    pub derived: &'static [Derive],
}

/// Makes a derived output (`out`, every row) from the inputs' values (any value at
/// a NULL row) and the computed outputs (NaN where they have no value), for outputs
/// that are cheap combinations of others (MACD's histogram, a fitted line's value at
/// a row, the position of a price within its bands): the kernel does not write
/// them, and a stage that does not ask for them does not pay a pass over memory
/// for each.
pub type Derive = fn(&Params, &[&[f64]], &[&[f64]], &mut [f64]);

struct Entry {
    id: &'static str,
    /// The parameters the computation read (see [`Shared::computed_from`]).
    key: Params,
    inputs: Vec<ArrayRef>,
    computed: Vec<Output>,
    /// Each derived output once asked for, with the whole parameters it was made
    /// with.
    derived: Vec<Option<(Params, Output)>>,
}

/// One output of the cached computation: its values until a function asks for it,
/// then the Arrow array made of them (outputs nobody asks for are never converted).
enum Output {
    Values(Vec<f64>),
    Array(Float64Array),
}

/// Values nobody asked for go back to the pool of large buffers.
impl Drop for Output {
    fn drop(&mut self) {
        if let Output::Values(values) = self {
            recycle::give_back(std::mem::take(values));
        }
    }
}

impl Output {
    fn array(&mut self) -> Float64Array {
        if let Output::Values(values) = self {
            *self = Output::Array(finite_or_null(std::mem::take(values)));
        }
        match self {
            Output::Array(array) => array.clone(),
            Output::Values(_) => unreachable!("converted above"),
        }
    }

    /// The values, NaN (or infinite) where there is none.
    fn values(&self) -> &[f64] {
        match self {
            Output::Values(values) => values,
            Output::Array(array) => array.values(),
        }
    }
}

impl Entry {
    /// Output `index`, making it first if it is a derived one not yet made with
    /// `params`.
    fn output(
        &mut self,
        shared: &Shared,
        params: &Params,
        inputs: &[&Float64Array],
        index: usize,
        num_rows: usize,
    ) -> Float64Array {
        let Some(slot) = index.checked_sub(shared.outputs) else {
            return self.computed[index].array();
        };
        let derived = &mut self.derived[slot];
        if !matches!(derived, Some((made_with, _)) if made_with == params) {
            let computed: Vec<&[f64]> = self.computed.iter().map(Output::values).collect();
            let inputs: Vec<&[f64]> = inputs.iter().map(|a| &a.values()[..num_rows]).collect();
            let mut values = recycle::scratch(num_rows);
            (shared.derived[slot])(params, &inputs, &computed, &mut values);
            *derived = Some((params.clone(), Output::Values(values)));
        }
        match derived {
            Some((_, output)) => output.array(),
            None => unreachable!("made above"),
        }
    }
}

/// How many computations each thread keeps: a stage interleaves the outputs of a
/// few (`sma`, then the bands, then the middle band, then the lower band), and one
/// kept computation would be replaced before its next output is asked for.
const KEPT: usize = 4;

thread_local! {
    /// The latest computations, the most recent first.
    static KEPT_ENTRIES: RefCell<Vec<Entry>> = const { RefCell::new(Vec::new()) };
}

/// Output `index` of `shared` over `inputs` (Float64 arrays), computed or reused.
pub fn output(
    shared: &Shared,
    index: usize,
    params: &Params,
    inputs: &[ArrayRef],
    num_rows: usize,
) -> Result<Float64Array> {
    let columns = inputs
        .iter()
        .map(|a| as_float64_array(a))
        .collect::<Result<Vec<_>>>()?;
    let key = params.leading(shared.computed_from);
    let hit = KEPT_ENTRIES.with_borrow_mut(|kept| {
        kept.iter_mut()
            .find(|e| e.id == shared.id && e.key == key && same_arrays(&e.inputs, inputs))
            .map(|e| e.output(shared, params, &columns, index, num_rows))
    });
    if let Some(array) = hit {
        return Ok(array);
    }
    let prefill = if shared.writes_every_row {
        Prefill::Nothing
    } else {
        Prefill::Nan
    };
    let values = compute_outputs_on_present(
        &columns,
        num_rows,
        shared.outputs,
        prefill,
        |series, outs| (shared.compute)(series, params, outs),
    )?;
    let mut entry = Entry {
        id: shared.id,
        key,
        inputs: inputs.to_vec(),
        computed: values.into_iter().map(Output::Values).collect(),
        derived: shared.derived.iter().map(|_| None).collect(),
    };
    let array = entry.output(shared, params, &columns, index, num_rows);
    KEPT_ENTRIES.with_borrow_mut(|kept| {
        kept.insert(0, entry);
        kept.truncate(KEPT);
    });
    Ok(array)
}

fn same_arrays(a: &[ArrayRef], b: &[ArrayRef]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| {
            x.data_type() == &DataType::Float64
                && x.len() == y.len()
                && x.to_data().ptr_eq(&y.to_data())
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::params::{Arguments, Param, ParamKind};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    static CALLS: AtomicUsize = AtomicUsize::new(0);

    fn running_sum_and_count(s: &[&[f64]], _p: &Params, outs: &mut [&mut [f64]]) -> Result<()> {
        CALLS.fetch_add(1, Ordering::SeqCst);
        let mut acc = 0.0;
        for (i, v) in s[0].iter().enumerate() {
            acc += v;
            outs[0][i] = acc;
            outs[1][i] = (i + 1) as f64;
        }
        Ok(())
    }

    const SHARED: Shared = Shared {
        id: "test",
        outputs: 2,
        compute: running_sum_and_count,
        writes_every_row: true,
        computed_from: None,
        derived: &[mean],
    };

    /// The running mean, from the running sum and count.
    fn mean(_p: &Params, _inputs: &[&[f64]], computed: &[&[f64]], out: &mut [f64]) {
        for ((o, sum), count) in out.iter_mut().zip(computed[0]).zip(computed[1]) {
            *o = sum / count;
        }
    }

    fn params(n: i64) -> Params {
        const ARGS: Arguments = Arguments {
            series: &[("x", "")],
            params: &[Param::required("n", ParamKind::int_at_least(0), "")],
        };
        ARGS.params_from_values("t", &[datafusion::common::ScalarValue::Int64(Some(n))])
            .unwrap()
    }

    #[test]
    fn same_input_computes_once_other_input_recomputes() {
        let x: ArrayRef = Arc::new(Float64Array::from(vec![1.0, 2.0, 3.0]));
        let before = CALLS.load(Ordering::SeqCst);
        let sum = output(&SHARED, 0, &params(1), std::slice::from_ref(&x), 3).unwrap();
        let count = output(&SHARED, 1, &params(1), &[x.slice(0, 3)], 3).unwrap();
        assert_eq!(sum, Float64Array::from(vec![1.0, 3.0, 6.0]));
        assert_eq!(count, Float64Array::from(vec![1.0, 2.0, 3.0]));
        assert_eq!(CALLS.load(Ordering::SeqCst) - before, 1);
        // Same values in another array, other parameters, another window of the
        // array: each recomputes.
        let y: ArrayRef = Arc::new(Float64Array::from(vec![1.0, 2.0, 3.0]));
        output(&SHARED, 0, &params(1), std::slice::from_ref(&y), 3).unwrap();
        output(&SHARED, 0, &params(2), std::slice::from_ref(&y), 3).unwrap();
        let tail = output(&SHARED, 0, &params(2), &[y.slice(1, 2)], 2).unwrap();
        assert_eq!(tail, Float64Array::from(vec![2.0, 5.0]));
        assert_eq!(CALLS.load(Ordering::SeqCst) - before, 4);
    }

    #[test]
    fn interleaved_computations_each_compute_once() {
        // Outputs of two computations asked alternately, as a stage asks for `sma`,
        // the upper band, the middle band and the lower band.
        let x: ArrayRef = Arc::new(Float64Array::from(vec![1.0, 2.0, 3.0, 4.0]));
        let before = CALLS.load(Ordering::SeqCst);
        for index in [0, 1, 2] {
            for n in [1, 2] {
                output(&SHARED, index, &params(n), std::slice::from_ref(&x), 4).unwrap();
            }
        }
        assert_eq!(CALLS.load(Ordering::SeqCst) - before, 2);
    }

    #[test]
    fn derived_outputs_are_made_from_the_computed_ones() {
        let x: ArrayRef = Arc::new(Float64Array::from(vec![Some(2.0), None, Some(4.0)]));
        let before = CALLS.load(Ordering::SeqCst);
        // Asked first, before the computed outputs were converted, then after.
        let mean = output(&SHARED, 2, &params(1), std::slice::from_ref(&x), 3).unwrap();
        let sum = output(&SHARED, 0, &params(1), std::slice::from_ref(&x), 3).unwrap();
        let again = output(&SHARED, 2, &params(1), std::slice::from_ref(&x), 3).unwrap();
        let expected = Float64Array::from(vec![Some(2.0), None, Some(3.0)]);
        assert_eq!(mean, expected);
        assert_eq!(again, expected);
        assert_eq!(sum, Float64Array::from(vec![Some(2.0), None, Some(6.0)]));
        assert_eq!(CALLS.load(Ordering::SeqCst) - before, 1);
    }

    static SCALED_CALLS: AtomicUsize = AtomicUsize::new(0);

    fn running_sum(s: &[&[f64]], _p: &Params, outs: &mut [&mut [f64]]) -> Result<()> {
        SCALED_CALLS.fetch_add(1, Ordering::SeqCst);
        let mut acc = 0.0;
        for (o, v) in outs[0].iter_mut().zip(s[0]) {
            acc += v;
            *o = acc;
        }
        Ok(())
    }

    /// The running sum times the second parameter, which the computation never reads.
    fn scaled(p: &Params, _inputs: &[&[f64]], computed: &[&[f64]], out: &mut [f64]) {
        for (o, sum) in out.iter_mut().zip(computed[0]) {
            *o = sum * p.f64(1);
        }
    }

    const KEYED_BY_FIRST: Shared = Shared {
        id: "keyed_by_first",
        outputs: 1,
        compute: running_sum,
        writes_every_row: true,
        computed_from: Some(1),
        derived: &[scaled],
    };

    fn two_params(n: i64, k: f64) -> Params {
        const ARGS: Arguments = Arguments {
            series: &[("x", "")],
            params: &[
                Param::required("n", ParamKind::int_at_least(0), ""),
                Param::required("k", ParamKind::positive(), ""),
            ],
        };
        let values = [
            datafusion::common::ScalarValue::Int64(Some(n)),
            datafusion::common::ScalarValue::Float64(Some(k)),
        ];
        ARGS.params_from_values("t", &values).unwrap()
    }

    #[test]
    fn parameters_the_computation_does_not_read_share_it_but_shape_derived_outputs() {
        let x: ArrayRef = Arc::new(Float64Array::from(vec![1.0, 2.0, 3.0]));
        let before = SCALED_CALLS.load(Ordering::SeqCst);
        let ask = |index, n, k| {
            output(
                &KEYED_BY_FIRST,
                index,
                &two_params(n, k),
                std::slice::from_ref(&x),
                3,
            )
            .unwrap()
        };
        assert_eq!(ask(1, 1, 2.0), Float64Array::from(vec![2.0, 6.0, 12.0]));
        assert_eq!(ask(1, 1, 3.0), Float64Array::from(vec![3.0, 9.0, 18.0]));
        // Asked again with the first width: made again, not the last one's values.
        assert_eq!(ask(1, 1, 2.0), Float64Array::from(vec![2.0, 6.0, 12.0]));
        assert_eq!(ask(0, 1, 5.0), Float64Array::from(vec![1.0, 3.0, 6.0]));
        assert_eq!(SCALED_CALLS.load(Ordering::SeqCst) - before, 1);
        // Another value of the parameter the computation reads computes again.
        ask(0, 2, 2.0);
        assert_eq!(SCALED_CALLS.load(Ordering::SeqCst) - before, 2);
    }
}
