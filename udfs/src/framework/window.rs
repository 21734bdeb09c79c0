//! Window functions over a whole ordered partition:
//! `f(x, params) OVER (PARTITION BY key ORDER BY ts)`.
//!
//! A function declares its name, arguments and documentation and supplies a kernel
//! over dense slices; [`SeriesWindowUdf`] does the rest: coercion to Float64,
//! literal parameters validated at planning, the ORDER BY requirement, missing-value
//! skipping and conversion to Arrow.

use super::adapter::KernelUdf;
use super::docs::{Causality, Doc, Family};
use super::memory::Memory;
use super::missing::{compute_on_present, Prefill};
use super::output::Output;
use super::params::{Arguments, Params};
use super::shared::{self, Shared};
use datafusion::arrow::array::{ArrayRef, Float64Array};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{internal_err, plan_err, Result};
use datafusion::logical_expr::expr::WindowFunction;
use datafusion::logical_expr::function::{
    ExpressionArgs, PartitionEvaluatorArgs, WindowFunctionSimplification, WindowUDFFieldArgs,
};
use datafusion::logical_expr::{
    Documentation, Expr, PartitionEvaluator, Signature, WindowUDF, WindowUDFImpl,
};
use datafusion::physical_expr::PhysicalExpr;
use std::fmt::Debug;
use std::marker::PhantomData;
use std::sync::Arc;

/// A window function computed on the partition's present rows in order.
pub trait SeriesWindow: Debug + Send + Sync + 'static {
    const NAME: &'static str;
    const FAMILY: Family;
    const CAUSALITY: Causality = Causality::Causal;
    const ARGS: Arguments;
    const DOC: Doc;
    /// The SQL type of the results.
    const OUTPUT: Output = Output::Float64;
    /// For one output of a computation with several (`compute` is then unused):
    /// the computation and the index of this function's output.
    const SHARED: Option<(Shared, usize)> = None;
    /// What `out` holds when `compute` starts: NaN, or (for kernels that write every
    /// row anyway) unspecified values, which saves a pass over the output.
    const PREFILL: Prefill = Prefill::Nan;

    /// How far back the value at a row reaches (see [`Memory`]); the default claims
    /// the whole partition, which is never wrong, only slower for incremental runs.
    fn memory(_params: &Params) -> Memory {
        Memory::Whole
    }

    /// Checks rules that tie parameters together (each alone is checked by its
    /// declaration); runs at planning.
    fn validate(_params: &Params) -> Result<()> {
        Ok(())
    }

    /// Fills `out` (pre-filled as [`Self::PREFILL`] says; NaN = NULL) from the dense
    /// series, one slice per series argument, all of `out`'s length. Not called for
    /// a [`Self::SHARED`] output.
    fn compute(_series: &[&[f64]], _params: &Params, _out: &mut [f64]) -> Result<()> {
        internal_err!(
            "{} has neither a kernel nor a shared computation",
            Self::NAME
        )
    }
}

/// Makes the DataFusion UDF of `K`.
pub fn window_udf<K: SeriesWindow>() -> WindowUDF {
    WindowUDF::new_from_impl(KernelUdf::<K>::new(
        K::NAME,
        K::FAMILY,
        K::CAUSALITY,
        &K::ARGS,
        &K::DOC,
    ))
}

/// The memory of a call of `K` with these arguments (the call's expressions, series
/// first); functions that look ahead need the whole partition whatever they declare.
pub fn memory_of<K: SeriesWindow>(args: &[Expr]) -> Result<Memory> {
    if K::CAUSALITY.looks_ahead() {
        return Ok(Memory::Whole);
    }
    Ok(K::memory(&K::ARGS.params_from_exprs(K::NAME, args)?))
}

impl<K: SeriesWindow> WindowUDFImpl for KernelUdf<K> {
    fn name(&self) -> &str {
        K::NAME
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        K::ARGS.coerce(K::NAME, arg_types)
    }

    /// Only the series are evaluated per row; parameters are read once as literals.
    fn expressions(&self, expr_args: ExpressionArgs) -> Vec<Arc<dyn PhysicalExpr>> {
        let n = K::ARGS.series.len().min(expr_args.input_exprs().len());
        expr_args.input_exprs()[..n].to_vec()
    }

    /// Planning-time checks: the OVER clause has an ORDER BY, parameters are valid literals.
    fn simplify(&self) -> Option<WindowFunctionSimplification> {
        Some(Box::new(|wf: WindowFunction, _| {
            require_order_by(K::NAME, &K::ARGS, &wf)?;
            K::validate(&K::ARGS.params_from_exprs(K::NAME, &wf.params.args)?)?;
            Ok(Expr::from(wf))
        }))
    }

    fn partition_evaluator(
        &self,
        args: PartitionEvaluatorArgs,
    ) -> Result<Box<dyn PartitionEvaluator>> {
        let params = K::ARGS.params_from_physical(K::NAME, args.input_exprs())?;
        K::validate(&params)?;
        Ok(Box::new(SeriesEvaluator::<K> {
            params,
            kernel: PhantomData,
        }))
    }

    fn field(&self, field_args: WindowUDFFieldArgs) -> Result<FieldRef> {
        Ok(Arc::new(Field::new(
            field_args.name(),
            K::OUTPUT.data_type(),
            true,
        )))
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&self.documentation)
    }
}

fn require_order_by(name: &str, args: &Arguments, wf: &WindowFunction) -> Result<()> {
    if wf.params.order_by.is_empty() {
        let call = args.syntax(name);
        return plan_err!(
            "{name}: window function needs ORDER BY in its OVER clause, \
             e.g. {call} OVER (PARTITION BY symbol ORDER BY ts)"
        );
    }
    Ok(())
}

#[derive(Debug)]
struct SeriesEvaluator<K> {
    params: Params,
    kernel: PhantomData<K>,
}

impl<K: SeriesWindow> PartitionEvaluator for SeriesEvaluator<K> {
    fn evaluate_all(&mut self, values: &[ArrayRef], num_rows: usize) -> Result<ArrayRef> {
        let columns = values
            .iter()
            .map(|v| cast(v, &DataType::Float64))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        if let Some((computation, index)) = &K::SHARED {
            let out = shared::output(computation, *index, &self.params, &columns, num_rows)?;
            return K::OUTPUT.present(out);
        }
        let columns: Vec<&Float64Array> = columns
            .iter()
            .map(|c| datafusion::common::cast::as_float64_array(c))
            .collect::<Result<_>>()?;
        let out = compute_on_present(&columns, num_rows, K::PREFILL, |series, out| {
            K::compute(series, &self.params, out)
        })?;
        K::OUTPUT.present(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::prelude::SessionContext;

    /// A toy function: running count of present rows, with a `start` parameter.
    #[derive(Debug)]
    struct RowNumberFrom;
    impl SeriesWindow for RowNumberFrom {
        const NAME: &'static str = "row_number_from";
        const FAMILY: Family = Family::Rolling;
        const ARGS: Arguments = Arguments {
            series: &[("x", "any series")],
            params: &[super::super::params::Param::required(
                "start",
                super::super::params::ParamKind::int_at_least(0),
                "first number",
            )],
        };
        const DOC: Doc = Doc {
            description: "test",
            example: "",
        };
        fn compute(series: &[&[f64]], params: &Params, out: &mut [f64]) -> Result<()> {
            let start = params.f64(0);
            for (i, o) in out.iter_mut().enumerate().take(series[0].len()) {
                *o = start + i as f64;
            }
            Ok(())
        }
    }

    async fn run(sql: &str) -> Result<Vec<Option<f64>>> {
        let ctx = SessionContext::new();
        ctx.register_udwf(window_udf::<RowNumberFrom>());
        let batches = ctx
            .sql(&format!(
                "SELECT {sql} AS v FROM (VALUES (3, 1.0), (1, NULL), (2, 2.0), (4, 'NaN'::double)) t(ts, x)"
            ))
            .await?
            .collect()
            .await?;
        let mut out = vec![];
        for b in batches {
            let a = datafusion::common::cast::as_float64_array(b.column(0))?;
            out.extend(a.iter());
        }
        Ok(out)
    }

    #[tokio::test]
    async fn skips_missing_rows_in_order() {
        let v = run("row_number_from(x, 10) OVER (ORDER BY ts)")
            .await
            .unwrap();
        // ordered by ts: 1 NULL, 2 -> 10, 3 -> 11, 4 NaN
        assert_eq!(v, vec![None, Some(10.0), Some(11.0), None]);
    }

    #[tokio::test]
    async fn missing_order_by_is_a_planning_error() {
        let err = run("row_number_from(x, 1) OVER ()")
            .await
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("row_number_from: window function needs ORDER BY"),
            "{err}"
        );
    }

    #[tokio::test]
    async fn bad_parameter_is_a_planning_error() {
        let err = run("row_number_from(x, -1) OVER (ORDER BY ts)")
            .await
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("row_number_from: start must be an integer >= 0, got -1"),
            "{err}"
        );
        let err = run("row_number_from(x, ts) OVER (ORDER BY ts)")
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("start must be a constant"), "{err}");
    }
}
