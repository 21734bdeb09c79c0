//! Aggregates over a group's present rows: `f(x, params)` in a `GROUP BY`.
//!
//! A function declares its name, arguments and documentation and supplies a kernel
//! over dense slices; [`SeriesAggregateUdf`] collects the present rows of each group
//! (so every statistic is computed exactly as its reference library computes it, in
//! one place, from the whole sample), merges partial groups, and validates literal
//! parameters at planning. An order-dependent aggregate also keeps each row's
//! `ORDER BY` key and puts the group in order before evaluating (see [`super::order`]).

use super::adapter::KernelUdf;
use super::collect::{merge_states, state_of, GroupRows, InputBatch};
use super::docs::{Causality, Doc, Family};
use super::order::{missing_order_by, KeyEncoder};
use super::params::{Arguments, Params};
use datafusion::arrow::array::{Array, ArrayRef, BooleanArray, Float64Array};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::expr::AggregateFunction;
use datafusion::logical_expr::function::{
    AccumulatorArgs, AggregateFunctionSimplification, StateFieldsArgs,
};
use datafusion::logical_expr::utils::AggregateOrderSensitivity;
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, Documentation, EmitTo, Expr, GroupsAccumulator,
    Signature,
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
        Ok(Box::new(CollectingAccumulator::<K> {
            params,
            encoder,
            group: GroupRows::new(K::ARGS.series.len()),
            kernel: PhantomData,
        }))
    }

    fn groups_accumulator_supported(&self, args: AccumulatorArgs) -> bool {
        !args.is_distinct
    }

    fn create_groups_accumulator(
        &self,
        acc_args: AccumulatorArgs,
    ) -> Result<Box<dyn GroupsAccumulator>> {
        let (params, encoder) = setup::<K>(&acc_args)?;
        Ok(Box::new(CollectingGroups::<K> {
            params,
            encoder,
            groups: Vec::new(),
            kernel: PhantomData,
        }))
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&self.documentation)
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

/// The aggregate of one group, NULL where undefined or not finite.
fn evaluate_group<K: SeriesAggregate>(group: &GroupRows, params: &Params) -> Result<Option<f64>> {
    let in_order = group.series_in_order();
    let series: Vec<&[f64]> = in_order.iter().map(|s| s.as_ref()).collect();
    Ok(K::evaluate(&series, params)?.filter(|v| v.is_finite()))
}

/// One group (an aggregate without GROUP BY, or used as a window function).
#[derive(Debug)]
struct CollectingAccumulator<K> {
    params: Params,
    encoder: Option<KeyEncoder>,
    group: GroupRows,
    kernel: PhantomData<K>,
}

impl<K: SeriesAggregate> Accumulator for CollectingAccumulator<K> {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let batch = InputBatch::read(values, K::ARGS.series.len(), self.encoder.as_ref(), None)?;
        batch.append_to(std::slice::from_mut(&mut self.group), |_| 0);
        Ok(())
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        Ok(ScalarValue::Float64(evaluate_group::<K>(
            &self.group,
            &self.params,
        )?))
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self)
            + self.group.size()
            + self.encoder.as_ref().map_or(0, KeyEncoder::size)
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        let with_keys = self.encoder.is_some();
        state_of(
            std::slice::from_ref(&self.group),
            K::ARGS.series.len(),
            with_keys,
        )
        .iter()
        .map(|list| ScalarValue::try_from_array(list, 0))
        .collect()
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let with_keys = self.encoder.is_some();
        let group = std::slice::from_mut(&mut self.group);
        merge_states(states, K::ARGS.series.len(), with_keys, group, |_| 0)
    }
}

/// Every group of a GROUP BY in one accumulator: each batch is read once for all
/// groups (one cast, one key encoding) instead of once per group.
#[derive(Debug)]
struct CollectingGroups<K> {
    params: Params,
    encoder: Option<KeyEncoder>,
    groups: Vec<GroupRows>,
    kernel: PhantomData<K>,
}

impl<K: SeriesAggregate> CollectingGroups<K> {
    fn ensure_groups(&mut self, total_num_groups: usize) {
        let series = K::ARGS.series.len();
        if self.groups.len() < total_num_groups {
            self.groups
                .resize_with(total_num_groups, || GroupRows::new(series));
        }
    }
}

impl<K: SeriesAggregate> GroupsAccumulator for CollectingGroups<K> {
    fn update_batch(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        opt_filter: Option<&BooleanArray>,
        total_num_groups: usize,
    ) -> Result<()> {
        self.ensure_groups(total_num_groups);
        let batch = InputBatch::read(
            values,
            K::ARGS.series.len(),
            self.encoder.as_ref(),
            opt_filter,
        )?;
        batch.append_to(&mut self.groups, |i| group_indices[i]);
        Ok(())
    }

    fn evaluate(&mut self, emit_to: EmitTo) -> Result<ArrayRef> {
        let groups = emit_to.take_needed(&mut self.groups);
        let values = groups
            .iter()
            .map(|g| evaluate_group::<K>(g, &self.params))
            .collect::<Result<Float64Array>>()?;
        Ok(std::sync::Arc::new(values))
    }

    fn state(&mut self, emit_to: EmitTo) -> Result<Vec<ArrayRef>> {
        let groups = emit_to.take_needed(&mut self.groups);
        Ok(state_of(
            &groups,
            K::ARGS.series.len(),
            self.encoder.is_some(),
        ))
    }

    fn merge_batch(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        total_num_groups: usize,
    ) -> Result<()> {
        self.ensure_groups(total_num_groups);
        let with_keys = self.encoder.is_some();
        merge_states(
            values,
            K::ARGS.series.len(),
            with_keys,
            &mut self.groups,
            |j| group_indices[j],
        )
    }

    fn convert_to_state(
        &self,
        values: &[ArrayRef],
        opt_filter: Option<&BooleanArray>,
    ) -> Result<Vec<ArrayRef>> {
        // Each input row becomes a group of its own (empty when the row is skipped).
        let batch = InputBatch::read(
            values,
            K::ARGS.series.len(),
            self.encoder.as_ref(),
            opt_filter,
        )?;
        let num_rows = values.first().map_or(0, |a| a.len());
        let mut groups: Vec<GroupRows> = (0..num_rows)
            .map(|_| GroupRows::new(K::ARGS.series.len()))
            .collect();
        batch.append_to(&mut groups, |i| i);
        Ok(state_of(
            &groups,
            K::ARGS.series.len(),
            self.encoder.is_some(),
        ))
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self)
            + self.groups.capacity() * std::mem::size_of::<GroupRows>()
            + self.groups.iter().map(GroupRows::size).sum::<usize>()
            + self.encoder.as_ref().map_or(0, KeyEncoder::size)
    }
}
