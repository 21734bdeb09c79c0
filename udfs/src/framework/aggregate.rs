//! Aggregates over a group's present rows: `f(x, params)` in a `GROUP BY`.
//!
//! A function declares its name, arguments and documentation and supplies a kernel
//! over dense slices; [`SeriesAggregateUdf`] collects the present rows of each group
//! (so every statistic is computed exactly as its reference library computes it, in
//! one place, from the whole sample), merges partial groups, and validates literal
//! parameters at planning. An order-dependent aggregate also keeps each row's
//! `ORDER BY` key and puts the group in order before evaluating (see [`super::order`]).

use super::adapter::KernelUdf;
use super::docs::{Causality, Doc, Family};
use super::missing::present_rows;
use super::order::{missing_order_by, OrderKeys};
use super::params::{Arguments, Params};
use datafusion::arrow::array::{Array, ArrayRef, Float64Array, ListArray};
use datafusion::arrow::buffer::OffsetBuffer;
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::cast::{as_float64_array, as_list_array};
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::expr::AggregateFunction;
use datafusion::logical_expr::function::{
    AccumulatorArgs, AggregateFunctionSimplification, StateFieldsArgs,
};
use datafusion::logical_expr::utils::AggregateOrderSensitivity;
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
    /// Whether the value depends on the order of the rows. Such an aggregate is
    /// called with the order inside the call, `f(x ORDER BY ts)`, and planning fails
    /// without it.
    const ORDERED: bool = false;

    /// The aggregate of the dense series (one slice per series argument), or `None`
    /// for NULL. A non-finite value is also returned as NULL.
    fn evaluate(series: &[&[f64]], params: &Params) -> Result<Option<f64>>;
}

/// Makes the DataFusion UDF of `K`.
pub fn aggregate_udf<K: SeriesAggregate>() -> AggregateUDF {
    let mut udf = KernelUdf::<K>::new(K::NAME, K::FAMILY, K::CAUSALITY, &K::ARGS, &K::DOC);
    if K::ORDERED {
        let call = K::ARGS.syntax(K::NAME);
        udf.documentation.syntax_example = format!("{} ORDER BY ts)", call.trim_end_matches(')'));
    }
    AggregateUDF::new_from_impl(udf)
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

    /// Planning-time checks: the literal parameters, and the ORDER BY of an
    /// order-dependent aggregate.
    fn simplify(&self) -> Option<AggregateFunctionSimplification> {
        Some(Box::new(|af: AggregateFunction, _| {
            K::ARGS.params_from_exprs(K::NAME, &af.params.args)?;
            if K::ORDERED && af.params.order_by.is_empty() {
                return missing_order_by(K::NAME, K::ARGS.series[0].0);
            }
            Ok(Expr::AggregateFunction(af))
        }))
    }

    /// An ordered aggregate sorts its group itself, so a sorted input only helps:
    /// the planner keeps the ORDER BY without adding a sort or forbidding
    /// different orders in one query.
    fn order_sensitivity(&self) -> AggregateOrderSensitivity {
        if K::ORDERED {
            AggregateOrderSensitivity::Beneficial
        } else {
            AggregateOrderSensitivity::Insensitive
        }
    }

    fn with_beneficial_ordering(
        self: Arc<Self>,
        _beneficial_ordering: bool,
    ) -> Result<Option<Arc<dyn AggregateUDFImpl>>> {
        Ok(Some(self))
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        let mut fields: Vec<FieldRef> = K::ARGS
            .series
            .iter()
            .map(|(series, _)| {
                Arc::new(Field::new(
                    format!("{}[{series}]", args.name),
                    list_of_f64(),
                    true,
                ))
            })
            .collect();
        if K::ORDERED && !args.ordering_fields.is_empty() {
            fields.push(Arc::new(Field::new(
                format!("{}[order keys]", args.name),
                DataType::List(Arc::new(Field::new_list_field(DataType::Binary, true))),
                true,
            )));
        }
        Ok(fields)
    }

    fn accumulator(&self, acc_args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        let params = K::ARGS.params_from_physical(K::NAME, acc_args.exprs)?;
        let order = match (K::ORDERED, acc_args.order_bys) {
            (false, _) => None,
            (true, []) => return missing_order_by(K::NAME, K::ARGS.series[0].0),
            (true, order_bys) => Some(OrderKeys::new(order_bys, acc_args.schema)?),
        };
        Ok(Box::new(CollectingAccumulator::<K> {
            params,
            columns: vec![Vec::new(); K::ARGS.series.len()],
            order,
            kernel: PhantomData,
        }))
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&self.documentation)
    }
}

/// Keeps the group's present rows, one vector per series, and their order keys
/// when the aggregate depends on order.
#[derive(Debug)]
struct CollectingAccumulator<K> {
    params: Params,
    columns: Vec<Vec<f64>>,
    order: Option<OrderKeys>,
    kernel: PhantomData<K>,
}

impl<K> CollectingAccumulator<K> {
    /// Appends the rows where every series is present. `arrays` holds the call's
    /// arguments (series first, then literal parameters), then its ORDER BY values.
    fn append_present(&mut self, arrays: &[ArrayRef]) -> Result<()> {
        let series = arrays[..self.columns.len()]
            .iter()
            .map(|a| cast(a, &DataType::Float64))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let floats = series
            .iter()
            .map(|a| as_float64_array(a))
            .collect::<Result<Vec<&Float64Array>>>()?;
        let num_rows = floats.first().map_or(0, |a| a.len());
        let mask = present_rows(&floats, num_rows);
        if let Some(order) = &mut self.order {
            let order_columns = &arrays[arrays.len() - order.columns()..];
            match &mask {
                None => order.append(order_columns, 0..num_rows)?,
                Some(mask) => order.append(order_columns, mask.set_indices())?,
            }
        }
        match mask {
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

    /// The series in evaluation order: key order for an ordered aggregate.
    fn series_in_order(&self) -> Vec<std::borrow::Cow<'_, [f64]>> {
        let permutation = self.order.as_ref().and_then(OrderKeys::sorting_permutation);
        self.columns
            .iter()
            .map(|col| match &permutation {
                None => std::borrow::Cow::Borrowed(col.as_slice()),
                Some(p) => std::borrow::Cow::Owned(p.iter().map(|&i| col[i]).collect()),
            })
            .collect()
    }
}

impl<K: SeriesAggregate> Accumulator for CollectingAccumulator<K> {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        self.append_present(values)
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        let in_order = self.series_in_order();
        let series: Vec<&[f64]> = in_order.iter().map(|s| s.as_ref()).collect();
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
            + self.order.as_ref().map_or(0, OrderKeys::size)
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        let mut state: Vec<ScalarValue> = self
            .columns
            .iter()
            .map(|c| single_list(Arc::new(Float64Array::from(c.clone()))))
            .collect();
        if let Some(order) = &self.order {
            state.push(single_list(Arc::new(order.to_state())));
        }
        Ok(state)
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        // Partial states hold only present rows, so their values append as they are;
        // keys append alongside, and order is restored at evaluation.
        for (col, state) in self.columns.iter_mut().zip(states) {
            for part in as_list_array(state)?.iter().flatten() {
                col.extend_from_slice(as_float64_array(&part)?.values());
            }
        }
        if let Some(order) = &mut self.order {
            let keys = &states[self.columns.len()];
            for part in as_list_array(keys)?.iter().flatten() {
                order.append_state(&part)?;
            }
        }
        Ok(())
    }
}

/// A one-row list scalar holding `values`.
fn single_list(values: ArrayRef) -> ScalarValue {
    let field = Arc::new(Field::new_list_field(values.data_type().clone(), true));
    ScalarValue::List(Arc::new(ListArray::new(
        field,
        OffsetBuffer::from_lengths([values.len()]),
        values,
        None,
    )))
}
