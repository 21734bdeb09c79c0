//! Row-wise scalar functions: `f(x, params)` computed independently on each row.
//!
//! Same declaration as window and aggregate functions; missing inputs give NULL.

use super::adapter::KernelUdf;
use super::docs::{Causality, Doc, Family};
use super::missing::{compute_on_present, Prefill};
use super::output::Output;
use super::params::{Arguments, Params};
use datafusion::arrow::array::Float64Array;
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::cast::as_float64_array;
use datafusion::common::{plan_err, Result};
use datafusion::logical_expr::simplify::{ExprSimplifyResult, SimplifyContext};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, Expr, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
};
use std::fmt::Debug;

/// A row-wise function of numeric series and literal parameters.
pub trait SeriesScalar: Debug + Send + Sync + 'static {
    const NAME: &'static str;
    const FAMILY: Family;
    const ARGS: Arguments;
    const DOC: Doc;
    /// The SQL type of the results.
    const OUTPUT: Output = Output::Float64;

    /// Fills `out[i]` from row `i` of the dense series (NaN = NULL).
    fn compute(series: &[&[f64]], params: &Params, out: &mut [f64]) -> Result<()>;
}

/// Makes the DataFusion UDF of `K`.
pub fn scalar_udf<K: SeriesScalar>() -> ScalarUDF {
    ScalarUDF::new_from_impl(KernelUdf::<K>::new(
        K::NAME,
        K::FAMILY,
        Causality::Causal,
        &K::ARGS,
        &K::DOC,
    ))
}

impl<K: SeriesScalar> ScalarUDFImpl for KernelUdf<K> {
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
        Ok(K::OUTPUT.data_type())
    }

    /// Planning-time check of the literal parameters.
    fn simplify(&self, args: Vec<Expr>, _info: &SimplifyContext) -> Result<ExprSimplifyResult> {
        K::ARGS.params_from_exprs(K::NAME, &args)?;
        Ok(ExprSimplifyResult::Original(args))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let n_series = K::ARGS.series.len();
        let literals = args.args[n_series..]
            .iter()
            .zip(K::ARGS.params)
            .map(|(a, p)| match a {
                ColumnarValue::Scalar(v) => Ok(v.clone()),
                ColumnarValue::Array(_) => {
                    plan_err!("{}: {} must be a constant, not a column", K::NAME, p.name)
                }
            })
            .collect::<Result<Vec<_>>>()?;
        let params = K::ARGS.params_from_values(K::NAME, &literals)?;
        let arrays = args.args[..n_series]
            .iter()
            .map(|a| Ok(cast(&a.to_array(args.number_rows)?, &DataType::Float64)?))
            .collect::<Result<Vec<_>>>()?;
        let columns = arrays
            .iter()
            .map(|a| as_float64_array(a))
            .collect::<Result<Vec<&Float64Array>>>()?;
        let out = compute_on_present(&columns, args.number_rows, Prefill::Nan, |series, out| {
            K::compute(series, &params, out)
        })?;
        Ok(ColumnarValue::Array(K::OUTPUT.present(out)?))
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&self.documentation)
    }
}
