//! `kpss_stat` and `kpss_pvalue(x [, regression [, lags]] ORDER BY ts)`: the KPSS
//! stationarity test.

use crate::framework::{
    Arguments, Causality, Doc, Family, Param, ParamKind, ParamValue, Params, SeriesAggregate,
};
use crate::kernels::kpss::{kpss, Deterministic, Kpss};
use datafusion::common::Result;

const ARGS: Arguments = Arguments {
    series: super::X,
    params: &[
        Param::optional(
            "regression",
            ParamKind::Choice(&["c", "ct"]),
            ParamValue::Choice("c"),
            "'c': stationary around a level; 'ct': around a linear trend.",
        ),
        Param::optional(
            "lags",
            ParamKind::int_at_least(0),
            ParamValue::Automatic,
            "Bartlett-kernel lag truncation of the long-run variance, smaller than the row \
             count; when left out, Hobijn et al. (1998)'s automatic choice.",
        ),
    ],
};

fn test(s: &[&[f64]], p: &Params) -> Option<Kpss> {
    let deterministic = match p.choice(0) {
        "ct" => Deterministic::ConstantAndTrend,
        _ => Deterministic::Constant,
    };
    kpss(s[0], deterministic, p.usize_or_automatic(1))
}

#[derive(Debug)]
pub struct KpssStat;

impl SeriesAggregate for KpssStat {
    const NAME: &'static str = "kpss_stat";
    const FAMILY: Family = Family::Stationarity;
    const CAUSALITY: Causality = Causality::LooksAhead;
    const ORDERED: bool = true;
    const ARGS: Arguments = ARGS;
    const DOC: Doc = Doc {
        description: "KPSS statistic of the group's series (null hypothesis: stationary), as \
                      statsmodels kpss(x, regression, nlags='auto' or lags): sum of squared \
                      partial sums of the residuals / n² over the Newey-West long-run variance. \
                      NULL for fewer than 2 values, lags >= n, or no variation around the level \
                      or trend. Needs the order inside the call.",
        example: "SELECT symbol, kpss_stat(close ORDER BY ts), kpss_stat(close, 'ct' ORDER BY ts) FROM bars GROUP BY symbol",
    };

    fn evaluate(s: &[&[f64]], p: &Params) -> Result<Option<f64>> {
        Ok(test(s, p).map(|t| t.stat))
    }
}

#[derive(Debug)]
pub struct KpssPvalue;

impl SeriesAggregate for KpssPvalue {
    const NAME: &'static str = "kpss_pvalue";
    const FAMILY: Family = Family::Stationarity;
    const CAUSALITY: Causality = Causality::LooksAhead;
    const ORDERED: bool = true;
    const ARGS: Arguments = ARGS;
    const DOC: Doc = Doc {
        description: "p-value of kpss_stat, interpolated in Kwiatkowski et al.'s table as \
                      statsmodels does, and like statsmodels clipped to [0.01, 0.10] outside it \
                      (a 0.01 means 'at most 0.01', a 0.10 'at least 0.10'). Needs the order \
                      inside the call.",
        example: "SELECT symbol, kpss_pvalue(close ORDER BY ts) FROM bars GROUP BY symbol",
    };

    fn evaluate(s: &[&[f64]], p: &Params) -> Result<Option<f64>> {
        Ok(test(s, p).map(|t| t.p_value))
    }
}
