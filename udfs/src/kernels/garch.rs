//! GARCH(1,1) with a constant mean and normal errors, fitted by maximum likelihood
//! as `arch_model(y, mean='Constant', vol='GARCH', p=1, q=1, dist='normal').fit()`:
//!
//! `e_t = y_t - mu`, `s2_t = omega + alpha e_(t-1)^2 + beta s2_(t-1)`, with the
//! first variance `omega + (alpha + beta) backcast`, where the backcast is arch's
//! exponentially weighted (0.94^i) mean of the first 75 squared residuals of the
//! sample mean, fixed during the fit; log-likelihood
//! `-1/2 sum(ln 2pi + ln s2_t + e_t^2 / s2_t)`.
//!
//! The optimiser is BFGS with an Armijo line search on an unconstrained
//! reparametrisation (`omega = exp(u1)`; `alpha`, `beta` and the slack
//! `1 - alpha - beta` a softmax of `(u2, u3, 0)`), so every trial point is a valid
//! stationary model, with the analytic gradient from the variance recursion's
//! derivatives. It starts from the best point of arch's starting grid.

/// Fitted parameters and the maximised log-likelihood.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Garch11 {
    pub mu: f64,
    pub omega: f64,
    pub alpha: f64,
    pub beta: f64,
    pub loglik: f64,
}

/// arch's variance backcast: `sum_i w_i e_i^2` over the first 75 residuals,
/// `w_i` proportional to 0.94^i.
fn backcast(residuals: &[f64]) -> f64 {
    let tau = residuals.len().min(75);
    let (mut weighted, mut total, mut w) = (0.0, 0.0, 1.0);
    for e in &residuals[..tau] {
        weighted += w * e * e;
        total += w;
        w *= 0.94;
    }
    weighted / total
}

/// `sum ln v` with one logarithm per run of products instead of one per value
/// (the products are flushed before they can leave f64's range).
struct LogSum {
    sum: f64,
    product: f64,
}

impl LogSum {
    fn new() -> Self {
        LogSum {
            sum: 0.0,
            product: 1.0,
        }
    }

    #[inline(always)]
    fn add(&mut self, v: f64) {
        self.product *= v;
        if !(1e-150..=1e150).contains(&self.product) {
            self.sum += self.product.ln();
            self.product = 1.0;
        }
    }

    fn total(&self) -> f64 {
        self.sum + self.product.ln()
    }
}

/// Natural parameters (mu, omega, alpha, beta).
type Natural = [f64; 4];

/// Log-likelihood alone (for the starting grid).
fn loglik(y: &[f64], backcast: f64, p: &Natural) -> f64 {
    let [mu, omega, alpha, beta] = *p;
    let mut s2 = omega + (alpha + beta) * backcast;
    let (mut sum_ln, mut sum_ratio) = (LogSum::new(), 0.0);
    let mut e_prev = 0.0;
    for (t, &yt) in y.iter().enumerate() {
        if t > 0 {
            s2 = omega + alpha * e_prev * e_prev + beta * s2;
        }
        let e = yt - mu;
        sum_ln.add(s2);
        sum_ratio += e * e / s2;
        e_prev = e;
    }
    -0.5 * (y.len() as f64 * (2.0 * std::f64::consts::PI).ln() + sum_ln.total() + sum_ratio)
}

/// Log-likelihood and its gradient with respect to the natural parameters.
fn loglik_and_gradient(y: &[f64], backcast: f64, p: &Natural) -> (f64, Natural) {
    let [mu, omega, alpha, beta] = *p;
    let mut s2 = omega + (alpha + beta) * backcast;
    // d s2 / d(mu, omega, alpha, beta)
    let mut ds2: Natural = [0.0, 1.0, backcast, backcast];
    let (mut sum_ln, mut sum_ratio, mut grad) = (LogSum::new(), 0.0, [0.0; 4]);
    for (t, &yt) in y.iter().enumerate() {
        if t > 0 {
            let e_prev = y[t - 1] - mu;
            let s2_prev = s2;
            s2 = omega + alpha * e_prev * e_prev + beta * s2_prev;
            ds2 = [
                -2.0 * alpha * e_prev + beta * ds2[0],
                1.0 + beta * ds2[1],
                e_prev * e_prev + beta * ds2[2],
                s2_prev + beta * ds2[3],
            ];
        }
        let e = yt - mu;
        sum_ln.add(s2);
        sum_ratio += e * e / s2;
        let common = -0.5 * (1.0 / s2 - e * e / (s2 * s2));
        for (g, d) in grad.iter_mut().zip(&ds2) {
            *g += common * d;
        }
        grad[0] += e / s2;
    }
    let ln_2pi = (2.0 * std::f64::consts::PI).ln();
    let ll = -0.5 * (y.len() as f64 * ln_2pi + sum_ln.total() + sum_ratio);
    (ll, grad)
}

/// The unconstrained point `u` as natural parameters.
fn natural(u: &[f64; 4]) -> Natural {
    let (ea, eb) = (u[2].exp(), u[3].exp());
    let z = 1.0 + ea + eb;
    [u[0], u[1].exp(), ea / z, eb / z]
}

/// The unconstrained point of valid natural parameters.
fn unconstrained(p: &Natural) -> [f64; 4] {
    let slack = 1.0 - p[2] - p[3];
    [p[0], p[1].ln(), (p[2] / slack).ln(), (p[3] / slack).ln()]
}

/// Negative log-likelihood and its gradient in `u`.
fn objective(y: &[f64], backcast: f64, u: &[f64; 4]) -> (f64, [f64; 4]) {
    let p = natural(u);
    let (ll, g) = loglik_and_gradient(y, backcast, &p);
    let (alpha, beta) = (p[2], p[3]);
    // Softmax Jacobian: d alpha/d u2 = alpha (1 - alpha), d alpha/d u3 = -alpha beta, ...
    let du = [
        g[0],
        g[1] * p[1],
        g[2] * alpha * (1.0 - alpha) - g[3] * alpha * beta,
        g[3] * beta * (1.0 - beta) - g[2] * alpha * beta,
    ];
    (-ll, du.map(|v| -v))
}

fn dot(a: &[f64; 4], b: &[f64; 4]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// BFGS iterations allowed before a fit is declared not converged.
const MAX_ITERATIONS: usize = 1_000;

/// Minimises `objective` from `u` by BFGS with a backtracking Armijo line search;
/// `None` when it does not converge: `max_iterations` pass without meeting the
/// tolerance, or the line search stalls where the gradient is not near zero.
fn bfgs(y: &[f64], backcast: f64, mut u: [f64; 4], max_iterations: usize) -> Option<[f64; 4]> {
    let (mut f, mut g) = objective(y, backcast, &u);
    let mut h = [[0.0; 4]; 4];
    for (i, row) in h.iter_mut().enumerate() {
        row[i] = 1.0 / (1.0 + dot(&g, &g).sqrt());
    }
    for _ in 0..max_iterations {
        let direction: [f64; 4] = std::array::from_fn(|i| -dot(&h[i], &g));
        let slope = dot(&g, &direction);
        if slope >= 0.0 {
            // Lost descent: restart from the steepest direction.
            h = [[0.0; 4]; 4];
            for (i, row) in h.iter_mut().enumerate() {
                row[i] = 1e-3;
            }
            continue;
        }
        let mut step = 1.0;
        let (next, f_next, g_next) = loop {
            let candidate: [f64; 4] = std::array::from_fn(|i| u[i] + step * direction[i]);
            let (fc, gc) = objective(y, backcast, &candidate);
            if fc.is_finite() && fc <= f + 1e-4 * step * slope {
                break (candidate, fc, gc);
            }
            step *= 0.5;
            if step < 1e-20 {
                // No lower point along the direction: a minimum only if flat here.
                let stationary = dot(&g, &g).sqrt() <= 1e-4 * f.abs().max(1.0);
                return stationary.then_some(u);
            }
        };
        let s: [f64; 4] = std::array::from_fn(|i| next[i] - u[i]);
        let d: [f64; 4] = std::array::from_fn(|i| g_next[i] - g[i]);
        let converged = (f - f_next).abs() <= 1e-15 * f.abs().max(1.0)
            && dot(&g_next, &g_next).sqrt() <= 1e-7 * f.abs().max(1.0);
        u = next;
        f = f_next;
        g = g_next;
        if converged {
            return Some(u);
        }
        let sd = dot(&s, &d);
        if sd > 1e-300 {
            // Inverse-Hessian update: H = (I - rho s d') H (I - rho d s') + rho s s'.
            let rho = 1.0 / sd;
            let hd: [f64; 4] = std::array::from_fn(|i| dot(&h[i], &d));
            let dhd = dot(&d, &hd);
            for i in 0..4 {
                for j in 0..4 {
                    h[i][j] += -rho * (s[i] * hd[j] + hd[i] * s[j])
                        + (rho * rho * dhd + rho) * s[i] * s[j];
                }
            }
        }
    }
    None
}

/// Fits GARCH(1,1); `None` for fewer than 10 observations, a constant series, or
/// when the optimiser does not converge.
pub fn fit_garch11(y: &[f64]) -> Option<Garch11> {
    fit_with_backcast(y, MAX_ITERATIONS).map(|(fit, _)| fit)
}

/// The fit and the variance backcast it started from.
fn fit_with_backcast(y: &[f64], max_iterations: usize) -> Option<(Garch11, f64)> {
    let n = y.len();
    if n < 10 {
        return None;
    }
    let mean = y.iter().sum::<f64>() / n as f64;
    let residuals: Vec<f64> = y.iter().map(|v| v - mean).collect();
    let variance = residuals.iter().map(|e| e * e).sum::<f64>() / n as f64;
    if variance <= 0.0 {
        return None;
    }
    let bc = backcast(&residuals);
    // arch's starting grid: alpha and persistence alpha + beta, omega from the
    // unconditional variance.
    let mut start: Option<(f64, Natural)> = None;
    for alpha in [0.01, 0.05, 0.1, 0.2] {
        for persistence in [0.5, 0.7, 0.9, 0.98] {
            let beta = persistence - alpha;
            if beta <= 0.0 {
                continue;
            }
            let p = [mean, variance * (1.0 - persistence), alpha, beta];
            let ll = loglik(y, bc, &p);
            if ll.is_finite() && start.is_none_or(|(best, _)| ll > best) {
                start = Some((ll, p));
            }
        }
    }
    let (_, start) = start?;
    let p = natural(&bfgs(y, bc, unconstrained(&start), max_iterations)?);
    let fit = Garch11 {
        mu: p[0],
        omega: p[1],
        alpha: p[2],
        beta: p[3],
        loglik: loglik(y, bc, &p),
    };
    Some((fit, bc))
}

/// The conditional volatility path `sqrt(s2_t)` under the fitted parameters (the
/// backcast start included).
pub fn fitted_volatility(y: &[f64], out: &mut [f64]) {
    let Some((fit, bc)) = fit_with_backcast(y, MAX_ITERATIONS) else {
        return;
    };
    let first = fit.omega + (fit.alpha + fit.beta) * bc;
    volatility_path(y, fit.mu, fit.omega, fit.alpha, fit.beta, first, out);
}

/// The volatility path under given parameters, causally: `y` taken as zero-mean
/// residuals and the recursion started at the unconditional variance
/// `omega / (1 - alpha - beta)`.
pub fn given_volatility(y: &[f64], omega: f64, alpha: f64, beta: f64, out: &mut [f64]) {
    let first = omega / (1.0 - alpha - beta);
    volatility_path(y, 0.0, omega, alpha, beta, first, out);
}

fn volatility_path(
    y: &[f64],
    mu: f64,
    omega: f64,
    alpha: f64,
    beta: f64,
    first: f64,
    out: &mut [f64],
) {
    let mut s2 = first;
    for (t, o) in out.iter_mut().enumerate() {
        if t > 0 {
            let e = y[t - 1] - mu;
            s2 = omega + alpha * e * e + beta * s2;
        }
        *o = s2.sqrt();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A GARCH(1,1) path from known parameters (deterministic normal draws by
    /// Box-Muller over an xorshift generator).
    fn simulate(n: usize, mu: f64, omega: f64, alpha: f64, beta: f64) -> Vec<f64> {
        let mut state = 0x1234_5678_9abc_def1u64;
        let mut uniform = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let mut s2 = omega / (1.0 - alpha - beta);
        let mut y = Vec::with_capacity(n);
        for _ in 0..n {
            let z = (-2.0 * uniform().max(1e-300).ln()).sqrt()
                * (2.0 * std::f64::consts::PI * uniform()).cos();
            let e = s2.sqrt() * z;
            y.push(mu + e);
            s2 = omega + alpha * e * e + beta * s2;
        }
        y
    }

    #[test]
    fn gradient_matches_finite_differences() {
        let y = simulate(300, 0.05, 0.1, 0.1, 0.8);
        let bc = backcast(&y);
        let p = [0.04, 0.12, 0.08, 0.85];
        let (_, g) = loglik_and_gradient(&y, bc, &p);
        for i in 0..4 {
            let h = 1e-6;
            let (mut up, mut down) = (p, p);
            up[i] += h;
            down[i] -= h;
            let numeric = (loglik_and_gradient(&y, bc, &up).0
                - loglik_and_gradient(&y, bc, &down).0)
                / (2.0 * h);
            assert!(
                (numeric - g[i]).abs() < 1e-4 * g[i].abs().max(1.0),
                "{i}: {numeric} vs {}",
                g[i]
            );
        }
    }

    #[test]
    fn both_likelihood_paths_agree() {
        let y = simulate(500, 0.05, 0.1, 0.1, 0.8);
        let p = [0.04, 0.12, 0.08, 0.85];
        let bc = backcast(&y);
        let (with_gradient, _) = loglik_and_gradient(&y, bc, &p);
        assert!((loglik(&y, bc, &p) - with_gradient).abs() < 1e-9 * with_gradient.abs());
    }

    #[test]
    fn recovers_simulated_parameters() {
        let y = simulate(20_000, 0.05, 0.05, 0.08, 0.9);
        let fit = fit_garch11(&y).unwrap();
        assert!((fit.alpha - 0.08).abs() < 0.02, "{fit:?}");
        assert!((fit.beta - 0.9).abs() < 0.03, "{fit:?}");
        assert!((fit.mu - 0.05).abs() < 0.03, "{fit:?}");
        // A maximum: nudging any parameter lowers the likelihood.
        let bc = backcast(
            &y.iter()
                .map(|v| v - y.iter().sum::<f64>() / y.len() as f64)
                .collect::<Vec<_>>(),
        );
        let best = [fit.mu, fit.omega, fit.alpha, fit.beta];
        for i in 0..4 {
            for delta in [-1e-3, 1e-3] {
                let mut p = best;
                p[i] *= 1.0 + delta;
                assert!(loglik_and_gradient(&y, bc, &p).0 <= fit.loglik + 1e-9);
            }
        }
    }

    #[test]
    fn an_optimiser_that_does_not_converge_gives_no_fit() {
        let y = simulate(2_000, 0.05, 0.05, 0.08, 0.9);
        assert!(fit_with_backcast(&y, 3).is_none());
        assert!(fit_with_backcast(&y, MAX_ITERATIONS).is_some());
    }

    #[test]
    fn short_or_flat_series_have_no_fit() {
        assert_eq!(fit_garch11(&[1.0; 5]), None);
        assert_eq!(fit_garch11(&[2.0; 50]), None);
    }
}
