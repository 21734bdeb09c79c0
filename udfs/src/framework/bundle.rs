//! One collection for many aggregates of the same series.
//!
//! A collecting aggregate keeps every present row of its group, so a scorecard of
//! fifteen metrics over `ret` would keep (and ship between aggregation phases)
//! fifteen copies of the column. The optimizer rule [`BundleAggregates`] rewrites
//! such a `GROUP BY` so that all quantfusion aggregates over the same arguments,
//! FILTER and ORDER BY share one accumulator ([`BundleUdf`]) that evaluates every
//! member on the one collected copy and returns them as a struct; a projection on
//! top restores the original output columns, names and types.

use super::aggregate::Evaluate;
use super::collect::{Collected, CollectingAccumulator, CollectingGroups, GroupEvaluator};
use super::order::KeyEncoder;
use super::params::Params;
use crate::kernels::sample;
use datafusion::arrow::array::{ArrayRef, Float64Array, StructArray};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Fields};
use datafusion::common::tree_node::Transformed;
use datafusion::common::{Column, Result};
use datafusion::functions::core::expr_fn::get_field;
use datafusion::logical_expr::expr::{AggregateFunction, AggregateFunctionParams};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::utils::AggregateOrderSensitivity;
use datafusion::logical_expr::{
    Accumulator, Aggregate, AggregateUDF, AggregateUDFImpl, Expr, GroupsAccumulator, LogicalPlan,
    Projection, Signature, Volatility,
};
use datafusion::optimizer::optimizer::ApplyOrder;
use datafusion::optimizer::{OptimizerConfig, OptimizerRule};
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// What bundling needs to know of one collecting aggregate.
#[derive(Debug, Clone)]
pub struct CollectingSpec {
    pub name: &'static str,
    pub series: usize,
    pub ordered: bool,
    /// Reads the call's literal parameters (already validated at simplification).
    pub params: fn(&[Expr]) -> Result<Params>,
    pub evaluate: Evaluate,
}

/// One aggregate inside a bundle.
#[derive(Debug, Clone)]
struct Member {
    name: &'static str,
    params: Params,
    evaluate: Evaluate,
}

impl PartialEq for Member {
    /// The name identifies the kernel.
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.params == other.params
    }
}

/// The shared accumulator of a bundle: its output is a struct with one Float64
/// field per member (`m0`, `m1`, ...).
#[derive(Debug, Clone)]
pub struct BundleUdf {
    name: String,
    series: usize,
    ordered: bool,
    /// Every group's rows arrive in ORDER BY order and whole (a one-phase aggregate
    /// over input sorted so, see [`super::in_order`]): no keys are kept or checked.
    input_in_order: bool,
    members: Vec<Member>,
    signature: Signature,
}

impl PartialEq for BundleUdf {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
            && self.ordered == other.ordered
            && self.input_in_order == other.input_in_order
            && self.members == other.members
    }
}

impl Eq for BundleUdf {}

impl Hash for BundleUdf {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.name.hash(state);
    }
}

fn member_field(i: usize) -> String {
    format!("m{i}")
}

impl BundleUdf {
    /// Whether the members depend on the order of the rows.
    pub fn is_ordered(&self) -> bool {
        self.ordered
    }

    /// This bundle over input whose groups arrive whole and in ORDER BY order.
    pub fn with_input_in_order(&self) -> BundleUdf {
        BundleUdf {
            input_in_order: true,
            ..self.clone()
        }
    }

    /// Whether the groups are known to arrive whole and in order (no keys kept).
    pub fn is_input_in_order(&self) -> bool {
        self.input_in_order
    }

    fn keeps_keys(&self) -> bool {
        self.ordered && !self.input_in_order
    }

    fn output_fields(&self) -> Fields {
        (0..self.members.len())
            .map(|i| Field::new(member_field(i), DataType::Float64, true))
            .collect()
    }

    /// The number of series the members read (the call's arguments).
    pub fn series(&self) -> usize {
        self.series
    }

    /// Evaluates every member on each group's rows, as one struct per group.
    pub fn evaluator(&self) -> Box<dyn GroupEvaluator> {
        Box::new(BundleEvaluator {
            members: self.members.clone(),
            fields: self.output_fields(),
        })
    }

    fn encoder(&self, args: &AccumulatorArgs) -> Result<Option<KeyEncoder>> {
        match (self.keeps_keys(), args.order_bys) {
            (true, order_bys) if !order_bys.is_empty() => {
                Ok(Some(KeyEncoder::new(order_bys, args.schema)?))
            }
            _ => Ok(None),
        }
    }
}

impl AggregateUDFImpl for BundleUdf {
    fn name(&self) -> &str {
        &self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Struct(self.output_fields()))
    }

    fn order_sensitivity(&self) -> AggregateOrderSensitivity {
        if self.ordered {
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
        let list = |inner: DataType| DataType::List(Arc::new(Field::new_list_field(inner, true)));
        let mut fields: Vec<FieldRef> = (0..self.series)
            .map(|s| {
                Arc::new(Field::new(
                    format!("{}[series {s}]", args.name),
                    list(DataType::Float64),
                    true,
                ))
            })
            .collect();
        if self.keeps_keys() && !args.ordering_fields.is_empty() {
            fields.push(Arc::new(Field::new(
                format!("{}[order keys]", args.name),
                list(DataType::Binary),
                true,
            )));
        }
        Ok(fields)
    }

    fn accumulator(&self, args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        Ok(Box::new(CollectingAccumulator::new(
            self.series,
            self.encoder(&args)?,
            self.evaluator(),
        )))
    }

    fn groups_accumulator_supported(&self, _args: AccumulatorArgs) -> bool {
        true
    }

    fn create_groups_accumulator(
        &self,
        args: AccumulatorArgs,
    ) -> Result<Box<dyn GroupsAccumulator>> {
        let groups = CollectingGroups::new(self.series, self.encoder(&args)?, self.evaluator());
        Ok(Box::new(if self.input_in_order {
            groups.sharing_input_rows()
        } else {
            groups
        }))
    }
}

/// Evaluates every member on each group's one collected copy.
#[derive(Debug)]
struct BundleEvaluator {
    members: Vec<Member>,
    fields: Fields,
}

impl GroupEvaluator for BundleEvaluator {
    fn evaluate(&self, groups: Collected<'_>) -> Result<ArrayRef> {
        let mut values = vec![Vec::with_capacity(groups.len()); self.members.len()];
        for g in 0..groups.len() {
            // Put the group in order once for all members, and let them share what
            // they compute of its first series (its mean, drawdown, percentiles).
            let in_order = groups.series_in_order(g);
            let series: Vec<&[f64]> = in_order.iter().map(|s| s.as_ref()).collect();
            let first = series.first().copied().unwrap_or_default();
            sample::with_sample(first, || {
                for (m, out) in self.members.iter().zip(values.iter_mut()) {
                    out.push((m.evaluate)(&series, &m.params)?.filter(|v| v.is_finite()));
                }
                Ok::<_, datafusion::error::DataFusionError>(())
            })?;
        }
        let columns = values
            .into_iter()
            .map(|v| Arc::new(Float64Array::from(v)) as ArrayRef)
            .collect();
        Ok(Arc::new(StructArray::try_new(
            self.fields.clone(),
            columns,
            None,
        )?))
    }
}

/// The optimizer rule that bundles collecting aggregates (see the module docs).
#[derive(Debug)]
pub struct BundleAggregates {
    /// Each registered collecting aggregate with its spec; matched by identity, so a
    /// user's own function of the same name is never bundled.
    known: Vec<(Arc<AggregateUDF>, CollectingSpec)>,
}

impl BundleAggregates {
    pub fn new(known: Vec<(Arc<AggregateUDF>, CollectingSpec)>) -> Self {
        BundleAggregates { known }
    }

    fn spec_of(&self, udf: &AggregateUDF) -> Option<&CollectingSpec> {
        self.known
            .iter()
            .find(|(known, _)| Arc::ptr_eq(known.inner(), udf.inner()))
            .map(|(_, spec)| spec)
    }

    /// The bundleable call behind aggregate expression `expr`, if any.
    fn candidate<'a>(
        &self,
        expr: &'a Expr,
    ) -> Option<(&'a AggregateFunctionParams, &CollectingSpec, Params)> {
        // Common-subexpression elimination may have aliased the call.
        let call = match expr {
            Expr::Alias(alias) => alias.expr.as_ref(),
            other => other,
        };
        let Expr::AggregateFunction(AggregateFunction { func, params }) = call else {
            return None;
        };
        let spec = self.spec_of(func)?;
        if params.distinct || params.null_treatment.is_some() || params.args.len() < spec.series {
            return None;
        }
        let values = (spec.params)(&params.args).ok()?;
        Some((params, spec, values))
    }
}

/// Members that can share one collection: the same series, FILTER, and ORDER BY
/// (unordered members join whatever order the ordered ones use).
struct Bundle<'a> {
    series: &'a [Expr],
    filter: &'a Option<Box<Expr>>,
    order_by: Option<&'a Vec<datafusion::logical_expr::SortExpr>>,
    /// (index in the aggregate list, member)
    members: Vec<(usize, Member, bool)>,
}

impl OptimizerRule for BundleAggregates {
    fn name(&self) -> &str {
        "quantfusion_bundle_aggregates"
    }

    fn apply_order(&self) -> Option<ApplyOrder> {
        Some(ApplyOrder::BottomUp)
    }

    fn supports_rewrite(&self) -> bool {
        true
    }

    fn rewrite(
        &self,
        plan: LogicalPlan,
        _config: &dyn OptimizerConfig,
    ) -> Result<Transformed<LogicalPlan>> {
        let LogicalPlan::Aggregate(aggregate) = &plan else {
            return Ok(Transformed::no(plan));
        };
        if aggregate
            .group_expr
            .iter()
            .any(|e| matches!(e, Expr::GroupingSet(_)))
        {
            return Ok(Transformed::no(plan));
        }
        let bundles = self.bundles(aggregate);
        if bundles.is_empty() {
            return Ok(Transformed::no(plan));
        }
        Ok(Transformed::yes(rewrite_with_bundles(aggregate, bundles)?))
    }
}

impl BundleAggregates {
    fn bundles<'a>(&self, aggregate: &'a Aggregate) -> Vec<Bundle<'a>> {
        let mut bundles: Vec<Bundle<'a>> = Vec::new();
        for (index, expr) in aggregate.aggr_expr.iter().enumerate() {
            let Some((params, spec, values)) = self.candidate(expr) else {
                continue;
            };
            let series = &params.args[..spec.series];
            let order_by = spec.ordered.then_some(&params.order_by);
            let member = Member {
                name: spec.name,
                params: values,
                evaluate: spec.evaluate,
            };
            let fits = |b: &Bundle| {
                b.series == series
                    && b.filter == &params.filter
                    && (order_by.is_none() || b.order_by.is_none() || b.order_by == order_by)
            };
            match bundles.iter_mut().find(|b| fits(b)) {
                Some(bundle) => {
                    bundle.order_by = bundle.order_by.or(order_by);
                    bundle.members.push((index, member, spec.ordered));
                }
                None => bundles.push(Bundle {
                    series,
                    filter: &params.filter,
                    order_by,
                    members: vec![(index, member, spec.ordered)],
                }),
            }
        }
        bundles.retain(|b| b.members.len() > 1);
        bundles
    }
}

/// `Projection(original columns) <- Aggregate(group by, other aggregates, bundles)`.
fn rewrite_with_bundles(aggregate: &Aggregate, bundles: Vec<Bundle>) -> Result<LogicalPlan> {
    // Where each bundled aggregate's value now comes from: (bundle alias, field).
    let mut source: Vec<Option<(String, String)>> = vec![None; aggregate.aggr_expr.len()];
    let mut bundle_exprs = Vec::new();
    for (b, bundle) in bundles.into_iter().enumerate() {
        let alias = format!("__quantfusion_bundle_{b}");
        let names: Vec<&str> = bundle.members.iter().map(|(_, m, _)| m.name).collect();
        for (i, (index, _, _)) in bundle.members.iter().enumerate() {
            source[*index] = Some((alias.clone(), member_field(i)));
        }
        let udf = BundleUdf {
            name: format!("quantfusion_bundle({})", names.join(", ")),
            series: bundle.series.len(),
            ordered: bundle.members.iter().any(|(_, _, ordered)| *ordered),
            input_in_order: false,
            members: bundle.members.into_iter().map(|(_, m, _)| m).collect(),
            signature: Signature::any(bundle.series.len(), Volatility::Immutable),
        };
        let call = Expr::AggregateFunction(AggregateFunction::new_udf(
            Arc::new(AggregateUDF::new_from_impl(udf)),
            bundle.series.to_vec(),
            false,
            bundle.filter.clone(),
            bundle.order_by.cloned().unwrap_or_default(),
            None,
        ));
        bundle_exprs.push(call.alias(alias));
    }

    let kept: Vec<Expr> = aggregate
        .aggr_expr
        .iter()
        .zip(&source)
        .filter(|(_, s)| s.is_none())
        .map(|(e, _)| e.clone())
        .chain(bundle_exprs)
        .collect();
    let inner = Aggregate::try_new(aggregate.input.clone(), aggregate.group_expr.clone(), kept)?;

    let group_columns = aggregate.group_expr.len();
    let projection = aggregate
        .schema
        .iter()
        .enumerate()
        .map(|(i, (qualifier, field))| {
            let bundled = i
                .checked_sub(group_columns)
                .and_then(|j| source[j].as_ref());
            match bundled {
                None => Expr::Column(Column::new(qualifier.cloned(), field.name())),
                Some((alias, member)) => get_field(
                    Expr::Column(Column::from_name(alias.as_str())),
                    member.as_str(),
                )
                .alias_qualified(qualifier.cloned(), field.name()),
            }
        })
        .collect::<Vec<_>>();
    Ok(LogicalPlan::Projection(Projection::try_new(
        projection,
        Arc::new(LogicalPlan::Aggregate(inner)),
    )?))
}
