//! `frac_diff(x, d [, threshold])`: fixed-width-window fractional differentiation.

use crate::framework::{
    Arguments, Doc, Family, Memory, Param, ParamKind, ParamValue, Params, Prefill, SeriesWindow,
};
use crate::kernels::frac_diff::frac_diff;
use datafusion::common::Result;

#[derive(Debug)]
pub struct FracDiff;

impl SeriesWindow for FracDiff {
    const NAME: &'static str = "frac_diff";
    const FAMILY: Family = Family::Stationarity;
    const PREFILL: Prefill = Prefill::Nothing;
    const ARGS: Arguments = Arguments {
        series: super::X,
        params: &[
            Param::required(
                "d",
                ParamKind::Float {
                    min: 0.0,
                    max: f64::INFINITY,
                    min_exclusive: false,
                    max_exclusive: false,
                },
                "Order of differentiation (0 keeps the series, 1 is the first difference).",
            ),
            Param::optional(
                "threshold",
                ParamKind::Float {
                    min: 0.0,
                    max: 1.0,
                    min_exclusive: true,
                    max_exclusive: true,
                },
                ParamValue::Float(1e-5),
                "Weights smaller than this in absolute value are dropped, fixing the window.",
            ),
        ],
    };
    const DOC: Doc = Doc {
        description: "Fixed-width-window fractional differentiation (López de Prado, AFML 5.3): \
                      sum_k w_k x_(t-k) with w_0 = 1, w_k = -w_(k-1) (d-k+1)/k, the weights kept \
                      while |w_k| >= threshold. NULL until the window is full (a partition \
                      shorter than the window is all NULL).",
        example:
            "SELECT ts, frac_diff(ln(close), 0.4) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    fn memory(p: &Params) -> Memory {
        const LIMIT: usize = 10_000_000;
        match crate::kernels::frac_diff::frac_diff_weights(p.f64(0), p.f64(1), LIMIT).len() {
            LIMIT => Memory::Whole,
            width => Memory::Rows(width - 1),
        }
    }

    fn compute(s: &[&[f64]], p: &Params, out: &mut [f64]) -> Result<()> {
        frac_diff(s[0], p.f64(0), p.f64(1), out);
        Ok(())
    }
}
