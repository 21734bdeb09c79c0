//! `hp_trend(x [, lambda])` and `hp_cycle(x [, lambda])`: the Hodrick-Prescott filter.

use crate::framework::{Arguments, Causality, Doc, Family, Params, SeriesWindow};
use crate::kernels::filters::{hp_cycle, hp_trend};
use datafusion::common::Result;

const ARGS: Arguments = Arguments {
    series: super::X,
    params: &[super::LAMBDA],
};

#[derive(Debug)]
pub struct HpTrend;

impl SeriesWindow for HpTrend {
    const NAME: &'static str = "hp_trend";
    const FAMILY: Family = Family::Stationarity;
    const CAUSALITY: Causality = Causality::LooksAhead;
    const ARGS: Arguments = ARGS;
    const DOC: Doc = Doc {
        description: "Hodrick-Prescott trend over the whole partition: the solution of \
                      (I + lambda D'D) trend = x, D the second difference, as statsmodels \
                      hpfilter (solved exactly in O(n) by a banded Cholesky factorisation).",
        example: "SELECT ts, hp_trend(gdp, 1600) OVER (ORDER BY ts) FROM macro",
    };

    fn compute(s: &[&[f64]], p: &Params, out: &mut [f64]) -> Result<()> {
        hp_trend(s[0], p.f64(0), out);
        Ok(())
    }
}

#[derive(Debug)]
pub struct HpCycle;

impl SeriesWindow for HpCycle {
    const NAME: &'static str = "hp_cycle";
    const FAMILY: Family = Family::Stationarity;
    const CAUSALITY: Causality = Causality::LooksAhead;
    const ARGS: Arguments = ARGS;
    const DOC: Doc = Doc {
        description: "Hodrick-Prescott cycle x - hp_trend(x, lambda) over the whole partition, \
                      as statsmodels hpfilter.",
        example: "SELECT ts, hp_cycle(gdp, 1600) OVER (ORDER BY ts) FROM macro",
    };

    fn compute(s: &[&[f64]], p: &Params, out: &mut [f64]) -> Result<()> {
        hp_cycle(s[0], p.f64(0), out);
        Ok(())
    }
}
