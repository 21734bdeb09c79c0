//! Aggregates over a group's present rows: `f(x, params)` in a `GROUP BY`.
//!
//! A function declares its name, arguments and documentation and supplies a kernel
//! over dense slices; [`SeriesAggregateUdf`] collects the present rows of each group
//! (so every statistic is computed exactly as its reference library computes it, in
//! one place, from the whole sample), merges partial groups, and validates literal
//! parameters at planning. An order-dependent aggregate also keeps each row's
//! `ORDER BY` key and puts the group in order before evaluating (see [`super::order`]).

use super::adapter::KernelUdf;
use super::bundle::CollectingSpec;
use super::collect::{Collected, CollectingAccumulator, CollectingGroups, GroupEvaluator};
use super::docs::{Causality, Doc, Family};
use super::order::{missing_order_by, KeyEncoder};
use super::params::{Arguments, Params};
use datafusion::arrow::array::{ArrayRef, Float64Array};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::Result;
use datafusion::logical_expr::expr::AggregateFunction;
use datafusion::logical_expr::function::{
    AccumulatorArgs, AggregateFunctionSimplification, StateFieldsArgs,
};
use datafusion::logical_expr::utils::AggregateOrderSensitivity;
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, Documentation, Expr, GroupsAccumulator, Signature,
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
        let (params, encoder) = setup::<K>(&acc_args)?;
        let evaluator = Box::new(KernelEvaluator::<K>(params, PhantomData));
        Ok(Box::new(CollectingAccumulator::new(
            K::ARGS.series.len(),
            encoder,
            evaluator,
        )))
    }

    fn groups_accumulator_supported(&self, args: AccumulatorArgs) -> bool {
        !args.is_distinct
    }

    fn create_groups_accumulator(
        &self,
        acc_args: AccumulatorArgs,
    ) -> Result<Box<dyn GroupsAccumulator>> {
        let (params, encoder) = setup::<K>(&acc_args)?;
        let evaluator = Box::new(KernelEvaluator::<K>(params, PhantomData));
        Ok(Box::new(CollectingGroups::new(
            K::ARGS.series.len(),
            encoder,
            evaluator,
        )))
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&self.documentation)
    }
}

/// What bundling needs of `K` (see [`super::bundle`]).
pub fn collecting_spec<K: SeriesAggregate>() -> CollectingSpec {
    CollectingSpec {
        name: K::NAME,
        series: K::ARGS.series.len(),
        ordered: K::ORDERED,
        params: |args| K::ARGS.params_from_exprs(K::NAME, args),
        evaluate: K::evaluate,
    }
}

/// The validated parameters and, for an ordered aggregate, the key encoder.
fn setup<K: SeriesAggregate>(args: &AccumulatorArgs) -> Result<(Params, Option<KeyEncoder>)> {
    let params = K::ARGS.params_from_physical(K::NAME, args.exprs)?;
    let encoder = match (K::ORDERED, args.order_bys) {
        (false, _) => None,
        (true, []) => return missing_order_by(K::NAME, K::ARGS.series[0].0),
        (true, order_bys) => Some(KeyEncoder::new(order_bys, args.schema)?),
    };
    Ok((params, encoder))
}

/// The aggregate of group `g`, NULL where undefined or not finite.
pub(crate) fn evaluate_group(
    groups: &Collected<'_>,
    g: usize,
    evaluate: Evaluate,
    params: &Params,
) -> Result<Option<f64>> {
    let in_order = groups.series_in_order(g);
    let series: Vec<&[f64]> = in_order.iter().map(|s| s.as_ref()).collect();
    Ok(evaluate(&series, params)?.filter(|v| v.is_finite()))
}

/// A kernel's evaluation function.
pub(crate) type Evaluate = fn(&[&[f64]], &Params) -> Result<Option<f64>>;

/// Evaluates `K` on each group.
#[derive(Debug)]
struct KernelEvaluator<K>(Params, PhantomData<K>);

impl<K: SeriesAggregate> GroupEvaluator for KernelEvaluator<K> {
    fn evaluate(&self, groups: Collected<'_>) -> Result<ArrayRef> {
        let values = (0..groups.len())
            .map(|g| evaluate_group(&groups, g, K::evaluate, &self.0))
            .collect::<Result<Float64Array>>()?;
        Ok(Arc::new(values))
    }
}
