//! Aggregates over a group's present rows: `f(x, params)` in a `GROUP BY`.
//!
//! A function declares its name, arguments and documentation and supplies a kernel
//! over dense slices; [`SeriesAggregateUdf`] collects the present rows of each group
//! (so every statistic is computed exactly as its reference library computes it, in
//! one place, from the whole sample), merges partial groups, and validates literal
//! parameters at planning.

use super::adapter::KernelUdf;
use super::docs::{Causality, Doc, Family};
use super::missing::present_rows;
use super::params::{Arguments, Params};
use datafusion::arrow::array::{Array, ArrayRef, Float64Array};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::cast::{as_float64_array, as_list_array};
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::expr::AggregateFunction;
use datafusion::logical_expr::function::{
    AccumulatorArgs, AggregateFunctionSimplification, StateFieldsArgs,
};
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, Documentation, Expr, Signature,
};
use std::fmt::Debug;
use std::marker::PhantomData;
use std::sync::Arc;

/// An aggregate computed from the group's present rows.
pub trait SeriesAggregate: Debug + Send + Sync + 'static {
    const NAME: &'static str;
    const FAMILY: Family;
    const CAUSALITY: Causality = Causality::Causal;
    const ARGS: Arguments;
    const DOC: Doc;

    /// The aggregate of the dense series (one slice per series argument), or `None`
    /// for NULL. A non-finite value is also returned as NULL.
    fn evaluate(series: &[&[f64]], params: &Params) -> Result<Option<f64>>;
}

/// Makes the DataFusion UDF of `K`.
pub fn aggregate_udf<K: SeriesAggregate>() -> AggregateUDF {
    AggregateUDF::new_from_impl(KernelUdf::<K>::new(
        K::NAME,
        K::FAMILY,
        K::CAUSALITY,
        &K::ARGS,
        &K::DOC,
    ))
}

fn list_of_f64() -> DataType {
    DataType::List(Arc::new(Field::new_list_field(DataType::Float64, true)))
}

impl<K: SeriesAggregate> AggregateUDFImpl for KernelUdf<K> {
    fn name(&self) -> &str {
        K::NAME
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        K::ARGS.coerce(K::NAME, arg_types)
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Float64)
    }

    fn is_nullable(&self) -> bool {
        true
    }

    /// Planning-time check of the literal parameters.
    fn simplify(&self) -> Option<AggregateFunctionSimplification> {
        Some(Box::new(|af: AggregateFunction, _| {
            K::ARGS.params_from_exprs(K::NAME, &af.params.args)?;
            Ok(Expr::AggregateFunction(af))
        }))
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        Ok(K::ARGS
            .series
            .iter()
            .map(|(series, _)| {
                Arc::new(Field::new(
                    format!("{}[{series}]", args.name),
                    list_of_f64(),
                    true,
                ))
            })
            .collect())
    }

    fn accumulator(&self, acc_args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        let params = K::ARGS.params_from_physical(K::NAME, acc_args.exprs)?;
        Ok(Box::new(CollectingAccumulator::<K> {
            params,
            columns: vec![Vec::new(); K::ARGS.series.len()],
            kernel: PhantomData,
        }))
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&self.documentation)
    }
}

/// Keeps the group's present rows, one vector per series.
#[derive(Debug)]
struct CollectingAccumulator<K> {
    params: Params,
    columns: Vec<Vec<f64>>,
    kernel: PhantomData<K>,
}

impl<K> CollectingAccumulator<K> {
    /// Appends the rows where every series is present.
    fn append_present(&mut self, arrays: &[ArrayRef]) -> Result<()> {
        let arrays = arrays[..self.columns.len()]
            .iter()
            .map(|a| cast(a, &DataType::Float64))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let floats = arrays
            .iter()
            .map(|a| as_float64_array(a))
            .collect::<Result<Vec<&Float64Array>>>()?;
        let num_rows = floats.first().map_or(0, |a| a.len());
        match present_rows(&floats, num_rows) {
            None => {
                for (col, a) in self.columns.iter_mut().zip(&floats) {
                    col.extend_from_slice(a.values());
                }
            }
            Some(mask) => {
                for (col, a) in self.columns.iter_mut().zip(&floats) {
                    col.extend(mask.set_indices().map(|i| a.value(i)));
                }
            }
        }
        Ok(())
    }
}

impl<K: SeriesAggregate> Accumulator for CollectingAccumulator<K> {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        self.append_present(values)
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        let series: Vec<&[f64]> = self.columns.iter().map(Vec::as_slice).collect();
        let value = K::evaluate(&series, &self.params)?.filter(|v| v.is_finite());
        Ok(ScalarValue::Float64(value))
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self)
            + self
                .columns
                .iter()
                .map(|c| c.capacity() * std::mem::size_of::<f64>())
                .sum::<usize>()
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        Ok(self
            .columns
            .iter()
            .map(|c| {
                let values = Arc::new(Float64Array::from(c.clone()));
                ScalarValue::List(Arc::new(datafusion::arrow::array::ListArray::new(
                    Arc::new(Field::new_list_field(DataType::Float64, true)),
                    datafusion::arrow::buffer::OffsetBuffer::from_lengths([c.len()]),
                    values,
                    None,
                )))
            })
            .collect())
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        // Partial states hold only present rows, so their values append as they are.
        for (col, state) in self.columns.iter_mut().zip(states) {
            let lists = as_list_array(state)?;
            for i in 0..lists.len() {
                if lists.is_valid(i) {
                    let part = lists.value(i);
                    col.extend_from_slice(as_float64_array(&part)?.values());
                }
            }
        }
        Ok(())
    }
}
