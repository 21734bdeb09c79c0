//! `adf_stat`, `adf_pvalue`, `adf_used_lag(x, max_lag [, regression] ORDER BY ts)`:
//! the augmented Dickey-Fuller unit-root test.

use crate::framework::{
    Arguments, Causality, Doc, Family, Param, ParamKind, ParamValue, Params, SeriesAggregate,
};
use crate::kernels::adf::{adf, Adf, AdfTrend};
use datafusion::common::Result;

const ARGS: Arguments = Arguments {
    series: super::X,
    params: &[
        Param::required(
            "max_lag",
            ParamKind::int_at_least(0),
            "Largest number of lagged differences tried; the lag is chosen by AIC.",
        ),
        Param::optional(
            "regression",
            ParamKind::Choice(&["c", "ct", "ctt", "n"]),
            ParamValue::Choice("c"),
            "Deterministic terms: 'c' constant, 'ct' constant and trend, 'ctt' plus a \
             quadratic trend, 'n' none.",
        ),
    ],
};

fn test(s: &[&[f64]], p: &Params) -> Option<Adf> {
    let trend = match p.choice(1) {
        "n" => AdfTrend::None,
        "ct" => AdfTrend::ConstantTrend,
        "ctt" => AdfTrend::ConstantTrendSquared,
        _ => AdfTrend::Constant,
    };
    adf(s[0], p.usize(0), trend)
}

/// A description followed by the rules the three functions share.
macro_rules! with_rules {
    ($head:literal) => {
        concat!(
            $head,
            " As statsmodels adfuller(x, maxlag, regression, autolag='AIC'): the lag is \
             chosen by AIC among 0..max_lag fitted on the same rows, then refitted on all the \
             rows it allows. NULL for a constant series or a max_lag above \
             n/2 - 1 - (number of deterministic terms). Needs the order inside the call."
        )
    };
}

#[derive(Debug)]
pub struct AdfStat;

impl SeriesAggregate for AdfStat {
    const NAME: &'static str = "adf_stat";
    const FAMILY: Family = Family::Stationarity;
    const CAUSALITY: Causality = Causality::LooksAhead;
    const ORDERED: bool = true;
    const ARGS: Arguments = ARGS;
    const DOC: Doc = Doc {
        description: with_rules!(
            "Augmented Dickey-Fuller statistic: the t-value of the lagged level (null \
             hypothesis: a unit root)."
        ),
        example: "SELECT symbol, adf_stat(close, 12 ORDER BY ts) FROM bars GROUP BY symbol",
    };

    fn evaluate(s: &[&[f64]], p: &Params) -> Result<Option<f64>> {
        Ok(test(s, p).map(|t| t.stat))
    }
}

#[derive(Debug)]
pub struct AdfPvalue;

impl SeriesAggregate for AdfPvalue {
    const NAME: &'static str = "adf_pvalue";
    const FAMILY: Family = Family::Stationarity;
    const CAUSALITY: Causality = Causality::LooksAhead;
    const ORDERED: bool = true;
    const ARGS: Arguments = ARGS;
    const DOC: Doc = Doc {
        description: with_rules!("MacKinnon's (1994, 2010) approximate p-value of adf_stat."),
        example: "SELECT symbol, adf_pvalue(close, 12 ORDER BY ts) FROM bars GROUP BY symbol",
    };

    fn evaluate(s: &[&[f64]], p: &Params) -> Result<Option<f64>> {
        Ok(test(s, p).map(|t| t.p_value))
    }
}

#[derive(Debug)]
pub struct AdfUsedLag;

impl SeriesAggregate for AdfUsedLag {
    const NAME: &'static str = "adf_used_lag";
    const FAMILY: Family = Family::Stationarity;
    const CAUSALITY: Causality = Causality::LooksAhead;
    const ORDERED: bool = true;
    const ARGS: Arguments = ARGS;
    const DOC: Doc = Doc {
        description: with_rules!("The number of lagged differences adf_stat used."),
        example: "SELECT symbol, adf_used_lag(close, 12 ORDER BY ts) FROM bars GROUP BY symbol",
    };

    fn evaluate(s: &[&[f64]], p: &Params) -> Result<Option<f64>> {
        Ok(test(s, p).map(|t| t.used_lag as f64))
    }
}
