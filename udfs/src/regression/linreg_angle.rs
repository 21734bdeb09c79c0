//! `linreg_angle(x, period)`: the rolling slope as an angle in degrees.

use crate::framework::{Arguments, Doc, Family, Memory, Params, SeriesWindow};
use crate::kernels::linreg::linreg_angle;
use datafusion::common::Result;

#[derive(Debug)]
pub struct LinregAngle;

impl SeriesWindow for LinregAngle {
    const NAME: &'static str = "linreg_angle";
    const FAMILY: Family = Family::Technical;
    const ARGS: Arguments = super::ARGS;
    const DOC: Doc = Doc {
        description: "Angle in degrees of the slope per row of the least-squares line through the last `period` rows, in price units (TA-Lib LINEARREG_ANGLE). The first period-1 rows are NULL.",
        example: "SELECT ts, linreg_angle(close, 14) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    fn memory(p: &Params) -> Memory {
        Memory::Rows(p.usize(0))
    }

    fn compute(s: &[&[f64]], p: &Params, out: &mut [f64]) -> Result<()> {
        linreg_angle(s[0], p.usize(0), out);
        Ok(())
    }
}
