//! `t3`: Tillson T3 moving average.

use crate::framework::{
    Arguments, Doc, Family, Memory, Param, ParamKind, ParamValue, Params, SeriesWindow,
};
use crate::kernels::oscillators;
use datafusion::common::Result;

#[derive(Debug)]
pub struct T3;

impl SeriesWindow for T3 {
    const NAME: &'static str = "t3";
    const FAMILY: Family = Family::Technical;
    const ARGS: Arguments = Arguments {
        series: super::X,
        params: &[
            super::period(5, 2),
            Param::optional(
                "vfactor",
                ParamKind::Float {
                    min: 0.0,
                    max: 1.0,
                    min_exclusive: false,
                    max_exclusive: false,
                },
                ParamValue::Float(0.7),
                "Volume factor in [0, 1].",
            ),
        ],
    };
    const DOC: Doc = Doc {
        description: "Tillson T3 moving average of six chained EMAs with volume factor vfactor (TA-Lib T3). The first 6(period-1) rows are NULL.",
        example: "SELECT ts, t3(close, 10, 0.5) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    fn memory(p: &Params) -> Memory {
        Memory::ema(p.usize(0), 6, 6 * p.usize(0))
    }

    fn compute(s: &[&[f64]], p: &Params, out: &mut [f64]) -> Result<()> {
        oscillators::t3(s[0], p.usize(0), p.f64(1), out);
        Ok(())
    }
}
