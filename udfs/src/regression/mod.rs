//! Rolling least-squares lines on the row index: TA-Lib's LINEARREG family and the
//! fit statistics, all from one sliding fit (`kernels::linreg`).

mod linreg;
mod linreg_angle;
mod linreg_intercept;
mod linreg_r2;
mod linreg_rmse;
mod linreg_slope;
mod tsf;

pub use linreg::Linreg;
pub use linreg_angle::LinregAngle;
pub use linreg_intercept::LinregIntercept;
pub use linreg_r2::LinregR2;
pub use linreg_rmse::LinregRmse;
pub use linreg_slope::LinregSlope;
pub use tsf::Tsf;

use crate::framework::{Arguments, Param, ParamKind, Params, Shared};
use crate::kernels::linreg as fit;
use crate::registry::{window, QfFunction};
use datafusion::common::Result;

pub fn functions() -> Vec<QfFunction> {
    vec![
        window::<LinregSlope>(),
        window::<LinregIntercept>(),
        window::<Linreg>(),
        window::<Tsf>(),
        window::<LinregAngle>(),
        window::<LinregR2>(),
        window::<LinregRmse>(),
    ]
}

/// Every statistic of the rolling fit from one pass: slope, intercept, R², RMSE;
/// then the line at the current row and one row ahead, made when asked for.
const LINREG: Shared = Shared {
    id: "linreg",
    outputs: 4,
    compute: linreg_all,
    writes_every_row: true,
    computed_from: None,
    derived: &[line_at_current_row, line_one_row_ahead],
};

fn line_at_current_row(p: &Params, _x: &[&[f64]], fit: &[&[f64]], out: &mut [f64]) {
    fit::line_at(fit[0], fit[1], p.usize(0) as f64 - 1.0, out);
}

fn line_one_row_ahead(p: &Params, _x: &[&[f64]], fit: &[&[f64]], out: &mut [f64]) {
    fit::line_at(fit[0], fit[1], p.usize(0) as f64, out);
}

fn linreg_all(s: &[&[f64]], p: &Params, outs: &mut [&mut [f64]]) -> Result<()> {
    fit::linreg_all(s[0], p.usize(0), outs);
    Ok(())
}

const ARGS: Arguments = Arguments {
    series: &[("x", "Price or any numeric series.")],
    params: &[Param::required(
        "period",
        ParamKind::int_at_least(2),
        "Number of rows the line is fitted to.",
    )],
};
