//! Empirical mode decomposition (Huang et al. 1998) with the defaults of the
//! `EMD-signal` package (PyEMD `EMD()`), so its intrinsic mode functions can be
//! compared one for one:
//!
//! - extrema: points strictly above (below) both neighbours, plus the middle of a
//!   flat run that rises before and falls after (or the reverse);
//! - envelopes: cubic splines with not-a-knot ends (scipy's `CubicSpline`) through
//!   the maxima and through the minima, each list extended beyond both ends by
//!   mirroring two extrema about the end extremum or the end point (PyEMD's
//!   `nbsym = 2` rule); three knots give the natural spline;
//! - sifting: subtract the envelopes' mean until the candidate has maxima above 0 and
//!   minima below 0, extrema and zero crossings differ by at most one, and one of the
//!   Cauchy-type tests passes (scaled variance < 0.001, sum of squared relative
//!   change < 0.2, or energy ratio < 0.2), at most 1,000 sifts;
//! - decomposition: IMFs are extracted from the residue until it has two extrema or
//!   fewer, or its range falls below 0.001, or its absolute sum below 0.005 (PyEMD's
//!   absolute thresholds, in the units of the data).

/// PyEMD's `MAX_ITERATION`.
const MAX_SIFTS: usize = 1000;
/// Points mirrored beyond each end (PyEMD's `nbsym`).
const MIRRORED: usize = 2;
const SCALED_VARIANCE_MAX: f64 = 0.001;
const RELATIVE_CHANGE_MAX: f64 = 0.2;
const ENERGY_RATIO_MAX: f64 = 0.2;
const RANGE_MIN: f64 = 0.001;
const TOTAL_POWER_MIN: f64 = 0.005;

/// Writes the `k`-th intrinsic mode function (1 = the fastest oscillation) of `x`
/// into `out`; leaves `out` untouched (NaN) when `x` has fewer than `k` IMFs.
pub fn emd_imf(x: &[f64], k: usize, out: &mut [f64]) {
    if k == 0 {
        return;
    }
    let mut residue = x.to_vec();
    for found in 1..=k {
        let Some(imf) = sift(&residue) else { return };
        if found == k {
            out.copy_from_slice(&imf);
            return;
        }
        for (r, v) in residue.iter_mut().zip(&imf) {
            *r -= v;
        }
        if finished(&residue) {
            return;
        }
    }
}

/// PyEMD's end condition on the residue after an IMF.
fn finished(residue: &[f64]) -> bool {
    let (lo, hi) = residue
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    hi - lo < RANGE_MIN || residue.iter().map(|v| v.abs()).sum::<f64>() < TOTAL_POWER_MIN
}

/// Sifts one IMF out of `signal`; `None` when `signal` is a trend (two extrema or
/// fewer) or its envelopes cannot be built.
fn sift(signal: &[f64]) -> Option<Vec<f64>> {
    let mut imf = signal.to_vec();
    let mut mean = vec![0.0; signal.len()];
    let mut old = vec![0.0; signal.len()];
    for _ in 1..MAX_SIFTS {
        let extrema = Extrema::of(&imf);
        if extrema.count() <= 2 {
            return None;
        }
        let (upper, lower) = envelopes(&imf, &extrema)?;
        old.copy_from_slice(&imf);
        for i in 0..imf.len() {
            mean[i] = 0.5 * (upper.values[i] + lower.values[i]);
            imf[i] -= mean[i];
        }
        let after = Extrema::of(&imf);
        let proto_imf = after.count().abs_diff(after.zero_crossings) < 2;
        if proto_imf && converged(&imf, &old, &upper.knots_y, &lower.knots_y) {
            break;
        }
    }
    Some(imf)
}

/// PyEMD's `check_imf`.
fn converged(new: &[f64], old: &[f64], max_knots: &[f64], min_knots: &[f64]) -> bool {
    if max_knots.iter().any(|&v| v < 0.0) || min_knots.iter().any(|&v| v > 0.0) {
        return false;
    }
    if new.iter().map(|v| v * v).sum::<f64>() < 1e-10 {
        return false;
    }
    let diff_sq: f64 = new.iter().zip(old).map(|(n, o)| (n - o) * (n - o)).sum();
    let (lo, hi) = old
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    if diff_sq / (hi - lo) < SCALED_VARIANCE_MAX {
        return true;
    }
    let relative: f64 = new
        .iter()
        .zip(old)
        .map(|(n, o)| ((n - o) / n).powi(2))
        .sum();
    if relative < RELATIVE_CHANGE_MAX {
        return true;
    }
    diff_sq / old.iter().map(|v| v * v).sum::<f64>() < ENERGY_RATIO_MAX
}

/// Local extrema and the number of zero crossings of a series.
struct Extrema {
    maxima: Vec<usize>,
    minima: Vec<usize>,
    zero_crossings: usize,
}

impl Extrema {
    fn of(s: &[f64]) -> Self {
        let n = s.len();
        let mut zero_crossings = s.windows(2).filter(|w| w[0] * w[1] < 0.0).count();
        // each run of exact zeros counts once
        zero_crossings += s
            .iter()
            .enumerate()
            .filter(|&(i, &v)| v == 0.0 && (i == 0 || s[i - 1] != 0.0))
            .count();
        let d: Vec<f64> = s.windows(2).map(|w| w[1] - w[0]).collect();
        let mut maxima = Vec::new();
        let mut minima = Vec::new();
        for i in 1..d.len() {
            if d[i - 1] * d[i] < 0.0 {
                if d[i - 1] < 0.0 {
                    minima.push(i);
                } else {
                    maxima.push(i);
                }
            }
        }
        // Flat runs (d == 0 over d[start..end]) that turn: their middle is an extremum.
        let mut runs = Vec::new();
        let mut i = 0;
        while i < d.len() {
            if d[i] == 0.0 {
                let start = i;
                while i < d.len() && d[i] == 0.0 {
                    i += 1;
                }
                runs.push((start, i));
            } else {
                i += 1;
            }
        }
        // PyEMD skips a run starting at d[1] and a run reaching the last point.
        if runs.first().is_some_and(|&(start, _)| start == 1) {
            runs.remove(0);
        }
        if runs.last().is_some_and(|&(_, end)| end == n - 1) {
            runs.pop();
        }
        let mut added = false;
        for (start, end) in runs {
            // numpy's d[start - 1] wraps to the last difference when start is 0
            let before = d[(start + d.len() - 1) % d.len()];
            let after = d[end];
            let middle = ((start + end) as f64 / 2.0).round_ties_even() as usize;
            if before > 0.0 && after < 0.0 {
                maxima.push(middle);
                added = true;
            } else if before < 0.0 && after > 0.0 {
                minima.push(middle);
                added = true;
            }
        }
        if added {
            maxima.sort_unstable();
            minima.sort_unstable();
        }
        Extrema {
            maxima,
            minima,
            zero_crossings,
        }
    }

    fn count(&self) -> usize {
        self.maxima.len() + self.minima.len()
    }
}

/// A spline envelope: its knots' values and its values at every row.
struct Envelope {
    knots_y: Vec<f64>,
    values: Vec<f64>,
}

/// Upper and lower envelopes, or `None` when the extrema cannot be mirrored.
fn envelopes(s: &[f64], e: &Extrema) -> Option<(Envelope, Envelope)> {
    if e.maxima.is_empty() || e.minima.is_empty() {
        return None;
    }
    let (max_knots, min_knots) = mirrored_knots(s, &e.maxima, &e.minima)?;
    let build = |knots: Vec<(f64, f64)>| {
        let (xs, ys): (Vec<f64>, Vec<f64>) = knots.into_iter().unzip();
        let values = spline(&xs, &ys, s.len());
        Envelope {
            knots_y: ys,
            values,
        }
    };
    Some((build(max_knots), build(min_knots)))
}

/// `v[start..end]` reversed, with Python's clamping of slice bounds.
fn rev_slice(v: &[usize], start: usize, end: usize) -> Vec<usize> {
    let end = end.min(v.len());
    let start = start.min(end);
    v[start..end].iter().rev().copied().collect()
}

/// The knots (position, value) of the upper and lower envelopes: the extrema plus
/// `MIRRORED` of them reflected beyond each end, as PyEMD's `prepare_points_simple`.
#[allow(clippy::type_complexity)]
fn mirrored_knots(
    s: &[f64],
    maxima: &[usize],
    minima: &[usize],
) -> Option<(Vec<(f64, f64)>, Vec<(f64, f64)>)> {
    let n = s.len();
    let last = n - 1;
    let (end_max, end_min) = (maxima.len(), minima.len());
    let nb = MIRRORED;

    // Left end: mirror about the first extremum, or about row 0 (which then joins
    // the list of the kind it would be).
    let (mut lmax, mut lmin, mut lsym);
    if maxima[0] < minima[0] {
        if s[0] > s[minima[0]] {
            lmax = rev_slice(maxima, 1, nb + 1);
            lmin = rev_slice(minima, 0, nb);
            lsym = maxima[0];
        } else {
            lmax = rev_slice(maxima, 0, nb);
            lmin = rev_slice(minima, 0, nb - 1);
            lmin.push(0);
            lsym = 0;
        }
    } else if s[0] < s[maxima[0]] {
        lmax = rev_slice(maxima, 0, nb);
        lmin = rev_slice(minima, 1, nb + 1);
        lsym = minima[0];
    } else {
        lmax = rev_slice(maxima, 0, nb - 1);
        lmax.push(0);
        lmin = rev_slice(minima, 0, nb);
        lsym = 0;
    }

    // Right end, symmetrically.
    let (mut rmax, mut rmin, mut rsym);
    if maxima[end_max - 1] < minima[end_min - 1] {
        if s[last] < s[maxima[end_max - 1]] {
            rmax = rev_slice(maxima, end_max.saturating_sub(nb), end_max);
            rmin = rev_slice(minima, end_min.saturating_sub(nb + 1), end_min - 1);
            rsym = minima[end_min - 1];
        } else {
            rmax = vec![last];
            rmax.extend(rev_slice(maxima, (end_max + 1).saturating_sub(nb), end_max));
            rmin = rev_slice(minima, end_min.saturating_sub(nb), end_min);
            rsym = last;
        }
    } else if s[last] > s[minima[end_min - 1]] {
        rmax = rev_slice(maxima, end_max.saturating_sub(nb + 1), end_max - 1);
        rmin = rev_slice(minima, end_min.saturating_sub(nb), end_min);
        rsym = maxima[end_max - 1];
    } else {
        rmax = rev_slice(maxima, end_max.saturating_sub(nb), end_max);
        rmin = vec![last];
        rmin.extend(rev_slice(minima, (end_min + 1).saturating_sub(nb), end_min));
        rsym = last;
    }

    for (side, all) in [
        (&mut lmin, minima),
        (&mut rmin, minima),
        (&mut lmax, maxima),
        (&mut rmax, maxima),
    ] {
        if side.is_empty() {
            *side = all.to_vec();
        }
    }

    let reflect = |about: usize, idx: &[usize]| -> Vec<f64> {
        idx.iter().map(|&i| 2.0 * about as f64 - i as f64).collect()
    };
    let (mut tlmin, mut tlmax) = (reflect(lsym, &lmin), reflect(lsym, &lmax));
    if tlmin[0] > 0.0 || tlmax[0] > 0.0 {
        // Mirrored points would not reach past the start: mirror about row 0 instead.
        if lsym == maxima[0] {
            lmax = rev_slice(maxima, 0, nb);
        } else {
            lmin = rev_slice(minima, 0, nb);
        }
        if lsym == 0 {
            return None;
        }
        lsym = 0;
        tlmin = reflect(lsym, &lmin);
        tlmax = reflect(lsym, &lmax);
    }
    let (mut trmin, mut trmax) = (reflect(rsym, &rmin), reflect(rsym, &rmax));
    if trmin[trmin.len() - 1] < last as f64 || trmax[trmax.len() - 1] < last as f64 {
        if rsym == maxima[end_max - 1] {
            rmax = rev_slice(maxima, end_max.saturating_sub(nb), end_max);
        } else {
            rmin = rev_slice(minima, end_min.saturating_sub(nb), end_min);
        }
        if rsym == last {
            return None;
        }
        rsym = last;
        trmin = reflect(rsym, &rmin);
        trmax = reflect(rsym, &rmax);
    }

    let knots = |tl: &[f64], li: &[usize], inner: &[usize], tr: &[f64], ri: &[usize]| {
        let mut k: Vec<(f64, f64)> = tl.iter().zip(li).map(|(&t, &i)| (t, s[i])).collect();
        k.extend(inner.iter().map(|&i| (i as f64, s[i])));
        k.extend(tr.iter().zip(ri).map(|(&t, &i)| (t, s[i])));
        // Of two knots at one position, the later one is kept.
        let mut kept: Vec<(f64, f64)> = Vec::with_capacity(k.len());
        for (j, &p) in k.iter().enumerate() {
            if k.get(j + 1).is_none_or(|next| next.0 != p.0) {
                kept.push(p);
            }
        }
        kept
    };
    Some((
        knots(&tlmax, &lmax, maxima, &trmax, &rmax),
        knots(&tlmin, &lmin, minima, &trmin, &rmin),
    ))
}

/// Values at rows `0..rows` of the cubic spline through the knots: not-a-knot ends
/// for four knots or more (scipy's default), the natural spline for three (PyEMD's
/// three-point rule), a line for two.
fn spline(xs: &[f64], ys: &[f64], rows: usize) -> Vec<f64> {
    let m = xs.len();
    let slopes = match m {
        0 => return vec![f64::NAN; rows],
        1 => return vec![ys[0]; rows],
        2 => vec![(ys[1] - ys[0]) / (xs[1] - xs[0]); 2],
        3 => natural_three_point_slopes(xs, ys),
        _ => not_a_knot_slopes(xs, ys),
    };
    let mut out = Vec::with_capacity(rows);
    let mut j = 0;
    for row in 0..rows {
        let t = row as f64;
        while j + 2 < m && t > xs[j + 1] {
            j += 1;
        }
        let h = xs[j + 1] - xs[j];
        let secant = (ys[j + 1] - ys[j]) / h;
        let c2 = (3.0 * secant - 2.0 * slopes[j] - slopes[j + 1]) / h;
        let c3 = (slopes[j] + slopes[j + 1] - 2.0 * secant) / (h * h);
        let u = t - xs[j];
        out.push(ys[j] + u * (slopes[j] + u * (c2 + u * c3)));
    }
    out
}

/// Knot slopes of the not-a-knot cubic spline (third derivative continuous at the
/// second and second-to-last knots): a tridiagonal system, as scipy sets it up.
fn not_a_knot_slopes(x: &[f64], y: &[f64]) -> Vec<f64> {
    let m = x.len();
    let dx: Vec<f64> = x.windows(2).map(|w| w[1] - w[0]).collect();
    let secant: Vec<f64> = (0..m - 1).map(|i| (y[i + 1] - y[i]) / dx[i]).collect();
    // rows: sub[i] s[i-1] + diag[i] s[i] + sup[i] s[i+1] = rhs[i]
    let mut sub = vec![0.0; m];
    let mut diag = vec![0.0; m];
    let mut sup = vec![0.0; m];
    let mut rhs = vec![0.0; m];
    for i in 1..m - 1 {
        sub[i] = dx[i];
        diag[i] = 2.0 * (dx[i - 1] + dx[i]);
        sup[i] = dx[i - 1];
        rhs[i] = 3.0 * (dx[i] * secant[i - 1] + dx[i - 1] * secant[i]);
    }
    let d = x[2] - x[0];
    diag[0] = dx[1];
    sup[0] = d;
    rhs[0] = ((dx[0] + 2.0 * d) * dx[1] * secant[0] + dx[0] * dx[0] * secant[1]) / d;
    let d = x[m - 1] - x[m - 3];
    diag[m - 1] = dx[m - 3];
    sub[m - 1] = d;
    rhs[m - 1] = (dx[m - 2] * dx[m - 2] * secant[m - 3]
        + (2.0 * d + dx[m - 2]) * dx[m - 3] * secant[m - 2])
        / d;
    solve_tridiagonal(&sub, &diag, &sup, &mut rhs);
    rhs
}

/// Slopes of the natural cubic spline through three knots.
fn natural_three_point_slopes(x: &[f64], y: &[f64]) -> Vec<f64> {
    let (a, b) = (1.0 / (x[1] - x[0]), 1.0 / (x[2] - x[1]));
    let v1 = 3.0 * (y[1] - y[0]) * a * a;
    let v3 = 3.0 * (y[2] - y[1]) * b * b;
    let sub = [0.0, a, b];
    let diag = [2.0 * a, 2.0 * (a + b), 2.0 * b];
    let sup = [a, b, 0.0];
    let mut rhs = vec![v1, v1 + v3, v3];
    solve_tridiagonal(&sub, &diag, &sup, &mut rhs);
    rhs
}

/// Thomas algorithm; the solution replaces `rhs`. The systems here are diagonally
/// dominant except for the not-a-knot end rows, which elimination handles because
/// their neighbours are.
fn solve_tridiagonal(sub: &[f64], diag: &[f64], sup: &[f64], rhs: &mut [f64]) {
    let m = rhs.len();
    let mut c = vec![0.0; m];
    let mut denom = diag[0];
    c[0] = sup[0] / denom;
    rhs[0] /= denom;
    for i in 1..m {
        denom = diag[i] - sub[i] * c[i - 1];
        c[i] = sup[i] / denom;
        rhs[i] = (rhs[i] - sub[i] * rhs[i - 1]) / denom;
    }
    for i in (0..m - 1).rev() {
        rhs[i] -= c[i] * rhs[i + 1];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spline_reproduces_a_cubic_exactly() {
        // Not-a-knot splines are exact on cubics.
        let f = |t: f64| 0.5 - 0.2 * t + 0.03 * t * t - 0.001 * t * t * t;
        let xs = [0.0, 3.0, 4.0, 9.0, 12.0, 20.0];
        let ys: Vec<f64> = xs.iter().map(|&t| f(t)).collect();
        let v = spline(&xs, &ys, 21);
        for (t, got) in v.iter().enumerate() {
            assert!((got - f(t as f64)).abs() < 1e-12, "{t}: {got}");
        }
    }

    #[test]
    fn extrema_and_zero_crossings() {
        let s = [0.0, 1.0, 0.5, -1.0, -1.0, -1.0, 2.0, 2.0, 1.0];
        let e = Extrema::of(&s);
        // the flat top at rows 6-7 counts at round-half-even(6.5) = 6, as numpy rounds
        assert_eq!(e.maxima, vec![1, 6]);
        assert_eq!(e.minima, vec![4]);
        assert_eq!(e.zero_crossings, 3); // 0.5 -> -1, -1 -> 2, and the zero at row 0
    }

    #[test]
    fn two_tones_separate() {
        // A fast and a slow sine: the first IMF is the fast one, away from the ends.
        let n = 1000;
        let fast: Vec<f64> = (0..n).map(|i| (i as f64 * 0.5).sin()).collect();
        let slow: Vec<f64> = (0..n).map(|i| 2.0 * (i as f64 * 0.02).sin()).collect();
        let x: Vec<f64> = fast.iter().zip(&slow).map(|(a, b)| a + b).collect();
        let mut imf = vec![f64::NAN; n];
        emd_imf(&x, 1, &mut imf);
        let worst = (100..n - 100)
            .map(|i| (imf[i] - fast[i]).abs())
            .fold(0.0, f64::max);
        assert!(worst < 0.05, "{worst}");
    }

    #[test]
    fn a_trend_has_no_imf() {
        let x: Vec<f64> = (0..50).map(|i| i as f64 * 0.1).collect();
        let mut out = vec![f64::NAN; 50];
        emd_imf(&x, 1, &mut out);
        assert!(out.iter().all(|v| v.is_nan()));
    }
}
