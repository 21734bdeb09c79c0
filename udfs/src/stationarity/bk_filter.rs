//! `bk_filter(x [, low [, high [, k]]])`: the Baxter-King band-pass cycle.

use crate::framework::{
    Arguments, Causality, Doc, Family, Param, ParamKind, ParamValue, Params, SeriesWindow,
};
use crate::kernels::filters::bk_filter;
use datafusion::common::{plan_err, Result};

#[derive(Debug)]
pub struct BkFilter;

impl SeriesWindow for BkFilter {
    const NAME: &'static str = "bk_filter";
    const FAMILY: Family = Family::Stationarity;
    const CAUSALITY: Causality = Causality::LooksAhead;
    const ARGS: Arguments = Arguments {
        series: super::X,
        params: &[
            Param::optional(
                "low",
                ParamKind::Float {
                    min: 2.0,
                    max: f64::INFINITY,
                    min_exclusive: false,
                    max_exclusive: false,
                },
                ParamValue::Float(6.0),
                "Shortest period kept, in rows (>= 2).",
            ),
            Param::optional(
                "high",
                ParamKind::Float {
                    min: 2.0,
                    max: f64::INFINITY,
                    min_exclusive: true,
                    max_exclusive: false,
                },
                ParamValue::Float(32.0),
                "Longest period kept, in rows (> low).",
            ),
            Param::optional(
                "k",
                ParamKind::int_at_least(1),
                ParamValue::Int(12),
                "Leads and lags of the filter: 2k+1 weights.",
            ),
        ],
    };
    const DOC: Doc = Doc {
        description: "Baxter-King band-pass filter of the periods between low and high rows, as \
                      statsmodels bkfilter: the ideal filter's 2k+1 central weights, shifted to \
                      sum to 0, applied to the k rows on each side. The first and last k rows are \
                      NULL, and so is a partition shorter than 2k+1 rows.",
        example: "SELECT ts, bk_filter(close, 6, 32, 12) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    fn validate(p: &Params) -> Result<()> {
        if p.f64(1) <= p.f64(0) {
            return plan_err!("bk_filter: high must be greater than low");
        }
        Ok(())
    }

    fn compute(s: &[&[f64]], p: &Params, out: &mut [f64]) -> Result<()> {
        bk_filter(s[0], p.f64(0), p.f64(1), p.usize(2), out);
        Ok(())
    }
}
