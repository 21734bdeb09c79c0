//! `emd_imf(x, k)`: the k-th intrinsic mode function of empirical mode decomposition.

use crate::framework::{Arguments, Causality, Doc, Family, Param, ParamKind, Params, SeriesWindow};
use crate::kernels::emd::emd_imf;
use datafusion::common::Result;

#[derive(Debug)]
pub struct EmdImf;

impl SeriesWindow for EmdImf {
    const NAME: &'static str = "emd_imf";
    const FAMILY: Family = Family::Stationarity;
    const CAUSALITY: Causality = Causality::LooksAhead;
    const ARGS: Arguments = Arguments {
        series: super::X,
        params: &[Param::required(
            "k",
            ParamKind::Int { min: 1, max: 64 },
            "Which intrinsic mode function: 1 is the fastest oscillation.",
        )],
    };
    const DOC: Doc = Doc {
        description: "The k-th intrinsic mode function of the empirical mode decomposition \
                      of the partition (Huang 1998), with the defaults of the EMD-signal \
                      package (PyEMD EMD()): cubic-spline envelopes through the extrema with \
                      two extrema mirrored at each end, sifting until the IMF conditions and \
                      PyEMD's Cauchy-type tests hold (at most 1,000 sifts). The whole column \
                      is NULL when the series has fewer than k IMFs.",
        example:
            "SELECT ts, emd_imf(close, 1) OVER (PARTITION BY pair ORDER BY ts) AS imf1 FROM bars",
    };

    fn compute(s: &[&[f64]], p: &Params, out: &mut [f64]) -> Result<()> {
        emd_imf(s[0], p.usize(0), out);
        Ok(())
    }
}
