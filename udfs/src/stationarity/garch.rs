//! GARCH(1,1): `garch11_mu`, `garch11_omega`, `garch11_alpha`, `garch11_beta`,
//! `garch11_loglik(y ORDER BY ts)` fit the model to a group; `garch11_vol(y [, omega,
//! alpha, beta])` gives the conditional volatility path.

use crate::framework::{
    Arguments, Causality, Doc, Family, Param, ParamKind, ParamValue, Params, SeriesAggregate,
    SeriesWindow,
};
use crate::kernels::garch::{fit_garch11, fitted_volatility, given_volatility, Garch11};
use datafusion::common::{plan_err, Result};

const Y: &[(&str, &str)] = &[(
    "y",
    "Returns, best scaled to percent (100 * ret) as arch recommends.",
)];

const FIT_ARGS: Arguments = Arguments {
    series: Y,
    params: &[],
};

/// The shared description of the fit.
macro_rules! fit_doc {
    ($what:literal) => {
        concat!(
            $what,
            " of the GARCH(1,1) model with a constant mean and normal errors fitted by maximum \\
             likelihood to the group's series, as arch_model(y, mean='Constant', vol='GARCH', \\
             p=1, q=1, dist='normal').fit(): s2_t = omega + alpha e_(t-1)^2 + beta s2_(t-1), \\
             started from arch's backcast. NULL for fewer than 10 values, a constant series, or \\
             a fit whose optimiser does not converge (1,000 BFGS iterations, or a line \\
             search that stalls away from a stationary point). \\
             Needs the order inside the call."
        )
    };
}

/// Defines one fitted-parameter aggregate.
macro_rules! fit_aggregate {
    ($type:ident, $name:literal, $field:ident, $what:literal) => {
        #[derive(Debug)]
        pub struct $type;

        impl SeriesAggregate for $type {
            const NAME: &'static str = $name;
            const FAMILY: Family = Family::Stationarity;
            const CAUSALITY: Causality = Causality::LooksAhead;
            const ORDERED: bool = true;
            const ARGS: Arguments = FIT_ARGS;
            const DOC: Doc = Doc {
                description: fit_doc!($what),
                example: concat!(
                    "SELECT symbol, ",
                    $name,
                    "(100 * ret ORDER BY ts) FROM daily_returns GROUP BY symbol"
                ),
            };

            fn evaluate(s: &[&[f64]], _: &Params) -> Result<Option<f64>> {
                Ok(fit_garch11(s[0]).map(|f: Garch11| f.$field))
            }
        }
    };
}

fit_aggregate!(Garch11Mu, "garch11_mu", mu, "The constant mean mu");
fit_aggregate!(
    Garch11Omega,
    "garch11_omega",
    omega,
    "The variance constant omega"
);
fit_aggregate!(
    Garch11Alpha,
    "garch11_alpha",
    alpha,
    "The ARCH coefficient alpha"
);
fit_aggregate!(
    Garch11Beta,
    "garch11_beta",
    beta,
    "The GARCH coefficient beta"
);
fit_aggregate!(
    Garch11Loglik,
    "garch11_loglik",
    loglik,
    "The maximised log-likelihood (with the ln 2pi constant)"
);

const UNIT: ParamKind = ParamKind::Float {
    min: 0.0,
    max: 1.0,
    min_exclusive: false,
    max_exclusive: true,
};

#[derive(Debug)]
pub struct Garch11Vol;

impl SeriesWindow for Garch11Vol {
    const NAME: &'static str = "garch11_vol";
    const FAMILY: Family = Family::Stationarity;
    const CAUSALITY: Causality = Causality::LooksAhead;
    const ARGS: Arguments = Arguments {
        series: Y,
        params: &[
            Param::optional(
                "omega",
                ParamKind::positive(),
                ParamValue::Automatic,
                "Variance constant; give omega, alpha and beta together, or none to fit them.",
            ),
            Param::optional("alpha", UNIT, ParamValue::Automatic, "ARCH coefficient."),
            Param::optional("beta", UNIT, ParamValue::Automatic, "GARCH coefficient."),
        ],
    };
    const DOC: Doc = Doc {
        description: "Conditional volatility sqrt(s2_t) of GARCH(1,1). garch11_vol(y) fits the \
                      model to the whole partition (looks ahead) and follows arch's recursion \
                      from its backcast; garch11_vol(y, omega, alpha, beta) uses the given \
                      parameters and is causal: y is taken as zero-mean residuals and the \
                      recursion starts at the unconditional variance omega / (1 - alpha - beta).",
        example: "SELECT ts, garch11_vol(100 * ret) OVER (PARTITION BY symbol ORDER BY ts) FROM daily_returns",
    };

    fn validate(p: &Params) -> Result<()> {
        let given = (0..3).filter(|&i| !p.is_automatic(i)).count();
        if given != 0 && given != 3 {
            return plan_err!("garch11_vol: give omega, alpha and beta together, or none");
        }
        if given == 3 && p.f64(1) + p.f64(2) >= 1.0 {
            return plan_err!("garch11_vol: alpha + beta must be below 1 (a stationary model)");
        }
        Ok(())
    }

    fn compute(s: &[&[f64]], p: &Params, out: &mut [f64]) -> Result<()> {
        if p.is_automatic(0) {
            fitted_volatility(s[0], out);
        } else {
            given_volatility(s[0], p.f64(0), p.f64(1), p.f64(2), out);
        }
        Ok(())
    }
}
