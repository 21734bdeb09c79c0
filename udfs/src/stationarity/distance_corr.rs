//! `distance_corr(x, y)` and `rolling_distance_corr(x, y, n)`: distance correlation,
//! which is 0 only for independent series and sees non-linear dependence.

use crate::framework::{
    Arguments, Doc, Family, Memory, Param, ParamKind, Params, SeriesAggregate, SeriesWindow,
};
use crate::kernels::distance::{distance_correlation, rolling_distance_correlation};
use datafusion::common::Result;

#[derive(Debug)]
pub struct DistanceCorr;

impl SeriesAggregate for DistanceCorr {
    const NAME: &'static str = "distance_corr";
    const FAMILY: Family = Family::Stationarity;
    const ARGS: Arguments = Arguments {
        series: super::XY,
        params: &[],
    };
    const DOC: Doc = Doc {
        description: "Distance correlation of x and y (biased V-statistic, exponent 1), as \
                      dcor.distance_correlation: in [0, 1], 0 only under independence. A row is \
                      skipped when either value is missing; NULL when either series is \
                      constant. O(n²) time and O(n) memory.",
        example: "SELECT symbol, distance_corr(high - low, volume) FROM bars GROUP BY symbol",
    };

    fn evaluate(s: &[&[f64]], _: &Params) -> Result<Option<f64>> {
        Ok(distance_correlation(s[0], s[1]))
    }
}

#[derive(Debug)]
pub struct RollingDistanceCorr;

impl SeriesWindow for RollingDistanceCorr {
    const NAME: &'static str = "rolling_distance_corr";
    const FAMILY: Family = Family::Stationarity;
    const ARGS: Arguments = Arguments {
        series: super::XY,
        params: &[Param::required(
            "n",
            ParamKind::Int {
                min: 2,
                max: 100_000,
            },
            "Window length in rows.",
        )],
    };
    const DOC: Doc = Doc {
        description: "distance_corr of the last n rows. The first n-1 rows are NULL, and so is a \
                      window where either series is constant. O(n²) per row.",
        example: "SELECT ts, rolling_distance_corr(ret, volume, 60) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    fn memory(p: &Params) -> Memory {
        Memory::Rows(p.usize(0))
    }

    fn compute(s: &[&[f64]], p: &Params, out: &mut [f64]) -> Result<()> {
        rolling_distance_correlation(s[0], s[1], p.usize(0), out);
        Ok(())
    }
}
