//! `cross_above(a, b)` and `cross_below(a, b)`: true on the row where one series
//! crosses another, e.g. a fast moving average crossing a slow one.

use crate::framework::{Arguments, Doc, Family, Memory, Output, Params, SeriesWindow};
use crate::kernels::signals;
use datafusion::common::Result;

const ARGS: Arguments = Arguments {
    series: &[
        ("a", "The series that crosses (e.g. a fast moving average)."),
        (
            "b",
            "The series crossed (e.g. a slow moving average, or a level).",
        ),
    ],
    params: &[],
};

#[derive(Debug)]
pub struct CrossAbove;

impl SeriesWindow for CrossAbove {
    const NAME: &'static str = "cross_above";
    const FAMILY: Family = Family::PriceFeatures;
    const ARGS: Arguments = ARGS;
    const OUTPUT: Output = Output::Boolean;
    const DOC: Doc = Doc {
        description: "True on the row where a is above b and was at or below it on the \
                      previous row, false elsewhere. NULL on the first row and where a or b \
                      is missing; after a missing row the previous present row is compared, \
                      so a moving average's warm-up (NULL) never fires a signal.",
        example: "WITH ma AS (SELECT symbol, ts, sma(close, 24) OVER w AS fast, \
                  sma(close, 120) OVER w AS slow FROM bars \
                  WINDOW w AS (PARTITION BY symbol ORDER BY ts)) \
                  SELECT symbol, ts, cross_above(fast, slow) OVER (PARTITION BY symbol ORDER BY ts) \
                  AS golden_cross FROM ma",
    };

    fn memory(_p: &Params) -> Memory {
        Memory::Rows(1)
    }

    fn compute(series: &[&[f64]], _params: &Params, out: &mut [f64]) -> Result<()> {
        signals::cross_above(series[0], series[1], out);
        Ok(())
    }
}

#[derive(Debug)]
pub struct CrossBelow;

impl SeriesWindow for CrossBelow {
    const NAME: &'static str = "cross_below";
    const FAMILY: Family = Family::PriceFeatures;
    const ARGS: Arguments = ARGS;
    const OUTPUT: Output = Output::Boolean;
    const DOC: Doc = Doc {
        description: "True on the row where a is below b and was at or above it on the \
                      previous row, false elsewhere; NULL rules as cross_above.",
        example: "SELECT ts, cross_below(close, 100) OVER (PARTITION BY symbol ORDER BY ts) \
                  FROM bars",
    };

    fn memory(_p: &Params) -> Memory {
        Memory::Rows(1)
    }

    fn compute(series: &[&[f64]], _params: &Params, out: &mut [f64]) -> Result<()> {
        signals::cross_below(series[0], series[1], out);
        Ok(())
    }
}
