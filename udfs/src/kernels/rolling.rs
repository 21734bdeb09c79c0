//! Fixed-width rolling windows (pandas `rolling(n, min_periods=n)`).
//!
//! Moments use shifted running power sums re-anchored every `n` rows: at each anchor
//! row the window's mean becomes the shift `K` and the sums of `(x - K)^p` over the
//! window are rebuilt from its values; the next `n - 1` rows slide the sums in O(1).
//! Because `K` stays within one window's drift of the data, the variance never
//! suffers the catastrophic cancellation of raw power sums (prices near 1e5 moving
//! by 1e-3), and because the sums are rebuilt every `n` rows, rounding cannot
//! accumulate along a long series.
//!
//! Speed: a sliding sum is a chain of dependent additions, so each row adds one
//! difference `(new - K)^p - (old - K)^p` per sum (one addition on the chain, not
//! two), and the rebuild at an anchor sums the window in four interleaved lanes.
//! The sliding loop only slides: a block's sums are kept, and handed to the caller
//! as a block, whose loop over it the compiler vectorises; flat windows are looked
//! for only in blocks with equal neighbours. About three reads of each value,
//! whatever `n`.

use std::ops::Range;

/// Calls `emit(row, shift, sums)` for every row whose window of `n` values ending
/// there is full, where `sums[p - 1]` is the window's sum of `(x - shift)^p`; see
/// [`for_each_block_of_power_sums`] for `shift`.
pub fn for_each_window_power_sums<const P: usize>(
    x: &[f64],
    n: usize,
    mut emit: impl FnMut(usize, f64, &[f64; P]),
) {
    for_each_block_of_power_sums::<P>(x, n, |rows, shift, sums| {
        for (row, sums) in rows.zip(sums) {
            emit(row, shift, sums);
        }
    });
}

/// Calls `emit(rows, shift, sums)` for consecutive blocks of the rows whose window
/// of `n` values ending there is full, where `sums[i][p - 1]` is the sum of
/// `(x - shift)^p` over the window ending at row `rows.start + i`. A caller writes
/// a block's outputs in a loop of its own, which the compiler vectorises; a call per
/// row reloaded the outputs' addresses on every row (a window's mean and variance
/// over 10M rows: 3.7 ns a row that way, 2.5 in blocks).
///
/// `shift` is the (rounded) mean of the block's first window, at most `n - 1` rows
/// from any of its windows; the rounding's residual is in the sums. A window of
/// identical values is reported alone, with `shift` equal to that value and all
/// sums exactly 0, so ratios over a flat window are recognised as undefined rather
/// than noise.
pub fn for_each_block_of_power_sums<const P: usize>(
    x: &[f64],
    n: usize,
    mut emit: impl FnMut(Range<usize>, f64, &[[f64; P]]),
) {
    if n == 0 || x.len() < n {
        return;
    }
    let nf = n as f64;
    // The length of the run of equal values ending at the row before the block.
    let mut equal_run = 1usize;
    for w in x[..n - 1].windows(2) {
        equal_run = if w[1] == w[0] { equal_run + 1 } else { 1 };
    }
    // Each block's sums, row by row: the sliding loop does nothing else, and the
    // rows are handed over afterwards.
    let mut block_sums = vec![[0.0; P]; n];
    let mut anchor_row = n - 1;
    while anchor_row < x.len() {
        let window = &x[anchor_row + 1 - n..=anchor_row];
        let shift = lane_sums::<1>(window, 0.0)[0] / nf;
        let block_end = (anchor_row + n).min(x.len());
        slide_block(
            x,
            n,
            anchor_row,
            shift,
            &mut block_sums[..block_end - anchor_row],
        );
        let rows = anchor_row..block_end;
        // A flat window needs equal neighbours among its rows; most blocks have
        // none, and then only single-row windows are flat.
        let from = anchor_row.max(1).min(block_end);
        let neighbours_equal = x[from..block_end]
            .iter()
            .zip(&x[from - 1..block_end - 1])
            .fold(false, |equal, (a, b)| equal | (a == b));
        let block = &block_sums[..rows.len()];
        if n > 1 && !neighbours_equal {
            emit(rows, shift, block);
            equal_run = 1;
        } else {
            for (row, sums) in rows.zip(block) {
                equal_run = match row > 0 && x[row] == x[row - 1] {
                    true => equal_run + 1,
                    false => 1,
                };
                if equal_run >= n {
                    emit(row..row + 1, x[row], &[[0.0; P]]);
                } else {
                    emit(row..row + 1, shift, std::slice::from_ref(sums));
                }
            }
        }
        anchor_row = block_end;
    }
}

/// The sums of the windows ending at rows `anchor_row..anchor_row + sums.len()`:
/// rebuilt from the values at the anchor, then slid one row at a time by the
/// difference of the entering and the leaving value's powers.
#[inline(always)]
fn slide_block<const P: usize>(
    x: &[f64],
    n: usize,
    anchor_row: usize,
    shift: f64,
    sums: &mut [[f64; P]],
) {
    let Some((first, rest)) = sums.split_first_mut() else {
        return;
    };
    *first = lane_sums::<P>(&x[anchor_row + 1 - n..=anchor_row], shift);
    let mut running = *first;
    let entering = &x[anchor_row + 1..anchor_row + 1 + rest.len()];
    let leaving = &x[anchor_row + 1 - n..anchor_row + 1 - n + rest.len()];
    for ((out, &new), &old) in rest.iter_mut().zip(entering).zip(leaving) {
        let (mut power_new, mut power_old) = (1.0, 1.0);
        let (d_new, d_old) = (new - shift, old - shift);
        for s in running.iter_mut() {
            power_new *= d_new;
            power_old *= d_old;
            *s += power_new - power_old;
        }
        *out = running;
    }
}

/// Sums of `(v - shift)^p` for p = 1..=P over `window`, in four interleaved lanes
/// (a single running sum is a chain of dependent additions, one per 4 cycles).
#[inline(always)]
fn lane_sums<const P: usize>(window: &[f64], shift: f64) -> [f64; P] {
    let mut lanes = [[0.0f64; P]; 4];
    let chunks = window.chunks_exact(4);
    let tail = chunks.remainder();
    for chunk in chunks {
        for (lane, &v) in lanes.iter_mut().zip(chunk) {
            add_powers(lane, v - shift);
        }
    }
    for (lane, &v) in lanes.iter_mut().zip(tail) {
        add_powers(lane, v - shift);
    }
    let [a, b, c, d] = lanes;
    std::array::from_fn(|p| (a[p] + b[p]) + (c[p] + d[p]))
}

/// Adds `d^p` to `sums[p - 1]` for p = 1..=P.
#[inline(always)]
fn add_powers<const P: usize>(sums: &mut [f64; P], d: f64) {
    let mut power = 1.0;
    for s in sums.iter_mut() {
        power *= d;
        *s += power;
    }
}

/// Calls `emit(row, mean, m2)` for every full window of `n` rows: `m2` is the
/// window's sum of squared deviations from its mean (exactly 0 on a flat window).
pub fn for_each_window_moments(x: &[f64], n: usize, mut emit: impl FnMut(usize, f64, f64)) {
    let inv = 1.0 / n as f64; // multiplies: two divisions per row cost more than the sums
    for_each_window_power_sums::<2>(x, n, |row, shift, sums| {
        let (mean, m2) = mean_and_m2(shift, sums, inv);
        emit(row, mean, m2);
    });
}

/// A window's mean and sum of squared deviations from its mean (`inv` = 1 / n) from
/// its shifted power sums, for callers of [`for_each_block_of_power_sums`].
#[inline(always)]
pub fn mean_and_m2(shift: f64, &[s1, s2]: &[f64; 2], inv: f64) -> (f64, f64) {
    (shift + s1 * inv, (s2 - s1 * s1 * inv).max(0.0))
}

/// Central moment sums of a full window: `(mean, m2, m3, m4)` with `mk` the sum of
/// `(x - mean)^k`.
///
/// Converted from the shifted power sums: the shift is within one window's drift of
/// the mean, so the conversion cancels at most a few bits, and the shifted values
/// themselves are exact differences of nearby numbers. (A rounded mean near 1e5 used
/// as the centre would cost ~1e-8 relative in the third and fourth moments.)
pub fn for_each_window_central_moments(
    x: &[f64],
    n: usize,
    mut emit: impl FnMut(usize, f64, f64, f64, f64),
) {
    let nf = n as f64;
    for_each_window_power_sums::<4>(x, n, |row, shift, &[s1, s2, s3, s4]| {
        let m = s1 / nf;
        let m2 = (s2 - s1 * m).max(0.0);
        let m3 = s3 - 3.0 * m * s2 + 2.0 * nf * m * m * m;
        let m4 = s4 - 4.0 * m * s3 + 6.0 * m * m * s2 - 3.0 * nf * m * m * m * m;
        emit(row, shift + m, m2, m3, m4);
    });
}

/// Rolling mean over `n` rows; writes every row.
pub fn rolling_mean(x: &[f64], n: usize, out: &mut [f64]) {
    super::no_value_before(out, n.checked_sub(1).unwrap_or(usize::MAX));
    let inv = 1.0 / n as f64;
    for_each_block_of_power_sums::<1>(x, n, |rows, shift, sums| {
        for (o, &[s1]) in out[rows].iter_mut().zip(sums) {
            *o = shift + s1 * inv;
        }
    });
}

/// Rolling variance over `n` rows with `ddof` delta degrees of freedom; writes every
/// row.
pub fn rolling_var(x: &[f64], n: usize, ddof: usize, out: &mut [f64]) {
    window_variances(x, n, ddof, out, |variance| variance);
}

/// Rolling standard deviation over `n` rows with `ddof` delta degrees of freedom;
/// writes every row. The square roots are taken in the vectorised loop over each
/// block of windows, not in a pass of their own over the output.
pub fn rolling_std(x: &[f64], n: usize, ddof: usize, out: &mut [f64]) {
    window_variances(x, n, ddof, out, f64::sqrt);
}

/// `finish(variance)` of every full window of `n` rows (`ddof` delta degrees of
/// freedom); writes every row.
#[inline(always)]
fn window_variances(
    x: &[f64],
    n: usize,
    ddof: usize,
    out: &mut [f64],
    finish: impl Fn(f64) -> f64,
) {
    if n <= ddof {
        out.fill(f64::NAN);
        return;
    }
    super::no_value_before(out, n - 1);
    let (inv_n, inv) = (1.0 / n as f64, 1.0 / (n - ddof) as f64);
    for_each_block_of_power_sums::<2>(x, n, |rows, shift, sums| {
        for (o, sums) in out[rows].iter_mut().zip(sums) {
            *o = finish(mean_and_m2(shift, sums, inv_n).1 * inv);
        }
    });
}

/// Rolling sum over `n` rows.
pub fn rolling_sum(x: &[f64], n: usize, out: &mut [f64]) {
    let nf = n as f64;
    for_each_block_of_power_sums::<1>(x, n, |rows, shift, sums| {
        for (o, &[s1]) in out[rows].iter_mut().zip(sums) {
            *o = nf * shift + s1;
        }
    });
}

/// `(x - rolling mean) / rolling std (ddof 1)` of the current row; NaN on a flat window.
///
/// The deviation is taken from the shifted sums, `(x - shift) - s1 / n`, never as
/// `x - mean`: a mean near 1e5 rounded to f64 would cost ~1e-8 of a 1e-3 deviation.
pub fn rolling_zscore(x: &[f64], n: usize, out: &mut [f64]) {
    if n < 2 {
        return;
    }
    let nf = n as f64;
    for_each_window_power_sums::<2>(x, n, |row, shift, &[s1, s2]| {
        let m2 = s2 - s1 * s1 / nf;
        out[row] = if m2 > 0.0 {
            ((x[row] - shift) - s1 / nf) / (m2 / (nf - 1.0)).sqrt()
        } else {
            f64::NAN
        };
    });
}

/// pandas' rolling skew: the adjusted Fisher-Pearson coefficient
/// `sqrt(n (n-1)) / (n-2) * (m3/n) / (m2/n)^1.5`; NaN on a flat window.
pub fn rolling_skew(x: &[f64], n: usize, out: &mut [f64]) {
    if n < 3 {
        return;
    }
    let nf = n as f64;
    let adjust = (nf * (nf - 1.0)).sqrt() / (nf - 2.0);
    for_each_window_central_moments(x, n, |row, _, m2, m3, _| {
        out[row] = if m2 > 0.0 {
            adjust * (m3 / nf) / (m2 / nf).powf(1.5)
        } else {
            f64::NAN
        };
    });
}

/// pandas' rolling kurtosis: bias-corrected excess kurtosis (Excel's KURT)
/// `n (n+1) (n-1) m4 / ((n-2)(n-3) m2^2) - 3 (n-1)^2 / ((n-2)(n-3))`; NaN on a flat window.
pub fn rolling_kurt(x: &[f64], n: usize, out: &mut [f64]) {
    if n < 4 {
        return;
    }
    let nf = n as f64;
    let a = nf * (nf + 1.0) * (nf - 1.0) / ((nf - 2.0) * (nf - 3.0));
    let b = 3.0 * (nf - 1.0) * (nf - 1.0) / ((nf - 2.0) * (nf - 3.0));
    for_each_window_central_moments(x, n, |row, _, m2, _, m4| {
        out[row] = if m2 > 0.0 {
            a * m4 / (m2 * m2) - b
        } else {
            f64::NAN
        };
    });
}

/// Calls `emit(row, mean_x, mean_y, m2x, m2y, cxy)` for every full window of `n`
/// paired rows: sums of squared deviations and of cross products about the means.
///
/// Same re-anchoring as [`for_each_window_power_sums`], for both series at once; a
/// flat window of either series has its `m2` and `cxy` exactly 0.
pub fn for_each_window_comoments(
    x: &[f64],
    y: &[f64],
    n: usize,
    mut emit: impl FnMut(usize, f64, f64, f64, f64, f64),
) {
    let len = x.len().min(y.len());
    if n == 0 || len < n {
        return;
    }
    let nf = n as f64;
    let run_start = |v: &[f64]| {
        v[..n]
            .windows(2)
            .fold(1, |r, w| if w[1] == w[0] { r + 1 } else { 1 })
    };
    let (mut run_x, mut run_y) = (run_start(x), run_start(y));
    let mut anchor_row = n - 1;
    while anchor_row < len {
        let start = anchor_row + 1 - n;
        let kx = lane_sums::<1>(&x[start..=anchor_row], 0.0)[0] / nf;
        let ky = lane_sums::<1>(&y[start..=anchor_row], 0.0)[0] / nf;
        // [sx, sy, sxx, syy, sxy] of the shifted values
        let mut s = paired_lane_sums(&x[start..=anchor_row], &y[start..=anchor_row], kx, ky);
        let block_end = (anchor_row + n).min(len);
        for row in anchor_row..block_end {
            if row > anchor_row {
                let (nx, ny) = (x[row] - kx, y[row] - ky);
                let (ox, oy) = (x[row - n] - kx, y[row - n] - ky);
                s[0] += nx - ox;
                s[1] += ny - oy;
                s[2] += nx * nx - ox * ox;
                s[3] += ny * ny - oy * oy;
                s[4] += nx * ny - ox * oy;
            }
            if row >= n {
                run_x = if x[row] == x[row - 1] { run_x + 1 } else { 1 };
                run_y = if y[row] == y[row - 1] { run_y + 1 } else { 1 };
            }
            let (flat_x, flat_y) = (run_x >= n, run_y >= n);
            let mean_x = if flat_x { x[row] } else { kx + s[0] / nf };
            let mean_y = if flat_y { y[row] } else { ky + s[1] / nf };
            let m2x = if flat_x {
                0.0
            } else {
                (s[2] - s[0] * s[0] / nf).max(0.0)
            };
            let m2y = if flat_y {
                0.0
            } else {
                (s[3] - s[1] * s[1] / nf).max(0.0)
            };
            let cxy = if flat_x || flat_y {
                0.0
            } else {
                s[4] - s[0] * s[1] / nf
            };
            emit(row, mean_x, mean_y, m2x, m2y, cxy);
        }
        anchor_row = block_end;
    }
}

/// `[sx, sy, sxx, syy, sxy]` of `x - kx` and `y - ky`, in four interleaved lanes.
#[inline(always)]
fn paired_lane_sums(x: &[f64], y: &[f64], kx: f64, ky: f64) -> [f64; 5] {
    let add = |lane: &mut [f64; 5], a: f64, b: f64| {
        let (dx, dy) = (a - kx, b - ky);
        lane[0] += dx;
        lane[1] += dy;
        lane[2] += dx * dx;
        lane[3] += dy * dy;
        lane[4] += dx * dy;
    };
    let mut lanes = [[0.0f64; 5]; 4];
    let (xs, ys) = (x.chunks_exact(4), y.chunks_exact(4));
    let (x_tail, y_tail) = (xs.remainder(), ys.remainder());
    for (cx, cy) in xs.zip(ys) {
        for ((lane, &a), &b) in lanes.iter_mut().zip(cx).zip(cy) {
            add(lane, a, b);
        }
    }
    for ((lane, &a), &b) in lanes.iter_mut().zip(x_tail).zip(y_tail) {
        add(lane, a, b);
    }
    let [a, b, c, d] = lanes;
    std::array::from_fn(|p| (a[p] + b[p]) + (c[p] + d[p]))
}

/// Rolling sample covariance (ddof 1) of paired rows.
pub fn rolling_cov(x: &[f64], y: &[f64], n: usize, out: &mut [f64]) {
    if n < 2 {
        return;
    }
    let denom = (n - 1) as f64;
    for_each_window_comoments(x, y, n, |row, _, _, _, _, cxy| out[row] = cxy / denom);
}

/// Rolling Pearson correlation; NaN when either window is flat.
pub fn rolling_corr(x: &[f64], y: &[f64], n: usize, out: &mut [f64]) {
    for_each_window_comoments(x, y, n, |row, _, _, m2x, m2y, cxy| {
        out[row] = if m2x > 0.0 && m2y > 0.0 {
            cxy / (m2x * m2y).sqrt()
        } else {
            f64::NAN
        };
    });
}

/// Rolling regression slope of `y` on `x`: `cov(y, x) / var(x)`; NaN when `x` is flat.
pub fn rolling_beta(y: &[f64], x: &[f64], n: usize, out: &mut [f64]) {
    for_each_window_comoments(x, y, n, |row, _, _, m2x, _, cxy| {
        out[row] = if m2x > 0.0 { cxy / m2x } else { f64::NAN };
    });
}

/// Rolling minimum over `n` rows.
pub fn rolling_min(x: &[f64], n: usize, out: &mut [f64]) {
    rolling_extreme(x, n, out, f64::min);
}

/// Rolling maximum over `n` rows.
pub fn rolling_max(x: &[f64], n: usize, out: &mut [f64]) {
    rolling_extreme(x, n, out, f64::max);
}

/// Windows up to [`DOUBLING_MAX_WINDOW`] rows by doubling (see
/// [`for_each_block_of_extremes`]); longer ones by Van Herk / Gil-Werman: cut the
/// series into blocks of `n` rows; a window of `n` rows spans the tail of one block
/// and the head of the next, so its extreme is `pick(suffix extreme of the first,
/// prefix extreme of the second)`. Three comparisons per row whatever `n`, no
/// branches on the data (a monotonic deque costs a data-dependent loop per row, 5x
/// slower at n = 14).
fn rolling_extreme(x: &[f64], n: usize, out: &mut [f64], pick: impl Fn(f64, f64) -> f64 + Copy) {
    if n == 0 || x.len() < n {
        return;
    }
    if n <= DOUBLING_MAX_WINDOW {
        let mut buffers = [Vec::new(), Vec::new()];
        let mut first = n - 1;
        while first < x.len() {
            let end = (first + DOUBLING_BLOCK).min(x.len());
            let extremes = window_extremes(&x[first + 1 - n..end], n, pick, &mut buffers);
            out[first..end].copy_from_slice(extremes);
            first = end;
        }
        return;
    }
    let mut suffix = vec![0.0; x.len()];
    for (xs, ss) in x.chunks(n).zip(suffix.chunks_mut(n)) {
        let mut acc = xs[xs.len() - 1];
        for (s, &v) in ss.iter_mut().zip(xs).rev() {
            acc = pick(acc, v);
            *s = acc;
        }
    }
    let mut prefix = 0.0;
    let mut in_block = 0;
    for (i, &v) in x.iter().enumerate() {
        prefix = if in_block == 0 { v } else { pick(prefix, v) };
        in_block = if in_block + 1 == n { 0 } else { in_block + 1 };
        if i + 1 >= n {
            out[i] = pick(suffix[i + 1 - n], prefix);
        }
    }
}

/// The highest `hi` and the lowest `lo` of every full window of `n` rows, handed
/// over a block of consecutive rows at a time: `emit(first_row, highest, lowest)`,
/// with `highest[j]` the maximum over the window ending at row `first_row + j` (a
/// stochastic's or Williams' %R range).
///
/// Short windows (the usual 5 to 28 rows) by doubling: the extremes of windows of
/// 2, 4, 8 ... rows, each level one vectorised pass over the previous, then two
/// overlapping power-of-two windows make up the `n` rows. That is `log2 n + 1`
/// branch-free passes in cache-sized chunks, against the chains of comparisons of
/// the block method below (Williams' %R over 10M rows: 6.9% -> 3.2% of a
/// 13-indicator stage, results bit for bit the same). Longer windows use the
/// block method, whose cost does not grow with `n`.
pub fn for_each_block_of_extremes(
    hi: &[f64],
    lo: &[f64],
    n: usize,
    emit: impl FnMut(usize, &[f64], &[f64]),
) {
    let len = hi.len().min(lo.len());
    if n == 0 || len < n {
        return;
    }
    if n <= DOUBLING_MAX_WINDOW {
        doubled_extremes(&hi[..len], &lo[..len], n, emit);
    } else {
        block_extremes(&hi[..len], &lo[..len], n, emit);
    }
}

/// Windows up to this many rows take the doubling path (6 passes).
const DOUBLING_MAX_WINDOW: usize = 64;

/// Rows handed over per block by the doubling path: its buffers stay in L1.
const DOUBLING_BLOCK: usize = 1024;

fn doubled_extremes(hi: &[f64], lo: &[f64], n: usize, mut emit: impl FnMut(usize, &[f64], &[f64])) {
    let greater = |a: f64, b: f64| if a > b { a } else { b };
    let smaller = |a: f64, b: f64| if a < b { a } else { b };
    let buffers = || {
        [
            Vec::with_capacity(DOUBLING_BLOCK + n),
            Vec::with_capacity(DOUBLING_BLOCK + n),
        ]
    };
    let (mut hi_buffers, mut lo_buffers) = (buffers(), buffers());
    let mut first = n - 1;
    while first < hi.len() {
        let end = (first + DOUBLING_BLOCK).min(hi.len());
        let rows = first + 1 - n..end;
        let highest = window_extremes(&hi[rows.clone()], n, greater, &mut hi_buffers);
        let lowest = window_extremes(&lo[rows], n, smaller, &mut lo_buffers);
        emit(first, highest, lowest);
        first = end;
    }
}

/// `pick` over every full window of `n` values of `x` (`x.len() - n + 1` of them).
#[inline(always)]
fn window_extremes<'a>(
    x: &[f64],
    n: usize,
    pick: impl Fn(f64, f64) -> f64 + Copy,
    buffers: &'a mut [Vec<f64>; 2],
) -> &'a [f64] {
    let len = x.len();
    let [level, next] = buffers;
    // `level[i]` is `pick` over the `width` values ending at i (for i >= width - 1).
    // The first level read from `x` already spans up to four values: the same picks
    // as two doublings, one pass fewer over the block.
    let mut width = match n {
        0 | 1 => 1,
        2 | 3 => 2,
        _ => 4,
    };
    level.clear();
    level.extend_from_slice(&x[..width - 1]);
    match width {
        1 => level.extend_from_slice(x),
        2 => level.extend(x[1..].iter().zip(x).map(|(&a, &b)| pick(a, b))),
        _ => level.extend(
            x[3..]
                .iter()
                .zip(&x[2..])
                .zip(x[1..].iter().zip(x))
                .map(|((&a, &b), (&c, &d))| pick(pick(a, b), pick(c, d))),
        ),
    }
    while 2 * width <= n {
        next.clear();
        next.extend_from_slice(&level[..width]);
        next.extend(
            level[width..]
                .iter()
                .zip(&level[..len - width])
                .map(|(&a, &b)| pick(a, b)),
        );
        std::mem::swap(level, next);
        width *= 2;
    }
    // Two windows of `width` rows, ending at i and `n - width` rows earlier, cover
    // the n rows ending at i (width >= n / 2).
    let rest = n - width;
    next.clear();
    next.extend(
        level[n - 1..]
            .iter()
            .zip(&level[n - 1 - rest..len - rest])
            .map(|(&a, &b)| pick(a, b)),
    );
    next
}

/// Van Herk / Gil-Werman as [`rolling_max`], for both series at once and in O(n)
/// memory: a window is the tail of the previous block and the head of the current
/// one. One loop takes the block's prefix extremes forwards and its suffix extremes
/// backwards (four independent chains of comparisons); a second, vectorised loop
/// combines them. Blocks of at most `n` rows.
fn block_extremes(hi: &[f64], lo: &[f64], n: usize, mut emit: impl FnMut(usize, &[f64], &[f64])) {
    let len = hi.len();
    let greater = |a: f64, b: f64| if a > b { a } else { b };
    let smaller = |a: f64, b: f64| if a < b { a } else { b };
    // Suffix extremes of the previous block, the identity one past its end (a window
    // that is exactly one block takes nothing from the previous block).
    let mut previous_hi = vec![f64::NEG_INFINITY; n + 1];
    let mut previous_lo = vec![f64::INFINITY; n + 1];
    let (mut suffix_hi, mut suffix_lo) = (previous_hi.clone(), previous_lo.clone());
    let (mut prefix_hi, mut prefix_lo) = (vec![0.0; n], vec![0.0; n]);
    let (mut highest, mut lowest) = (vec![0.0; n], vec![0.0; n]);
    for start in (0..len).step_by(n) {
        let m = (len - start).min(n);
        let (h, l) = (&hi[start..start + m], &lo[start..start + m]);
        let (mut ph, mut pl) = (f64::NEG_INFINITY, f64::INFINITY);
        let (mut sh, mut sl) = (f64::NEG_INFINITY, f64::INFINITY);
        for j in 0..m {
            ph = greater(ph, h[j]);
            pl = smaller(pl, l[j]);
            prefix_hi[j] = ph;
            prefix_lo[j] = pl;
            let k = m - 1 - j;
            sh = greater(sh, h[k]);
            sl = smaller(sl, l[k]);
            suffix_hi[k] = sh;
            suffix_lo[k] = sl;
        }
        // Only the first block has rows without a full window.
        let first = (n - 1).saturating_sub(start);
        if first < m {
            for j in first..m {
                highest[j] = greater(previous_hi[j + 1], prefix_hi[j]);
                lowest[j] = smaller(previous_lo[j + 1], prefix_lo[j]);
            }
            emit(start + first, &highest[first..m], &lowest[first..m]);
        }
        std::mem::swap(&mut previous_hi, &mut suffix_hi);
        std::mem::swap(&mut previous_lo, &mut suffix_lo);
    }
}

/// Rolling quantile with pandas' linear interpolation: at `i = q (n - 1)`,
/// `lo + (hi - lo) * (i - floor(i))` over the sorted window.
///
/// The window is kept as a sorted buffer: each row finds the leaving and the entering
/// value by binary search and shifts the values between them, O(log n) comparisons
/// and a memmove of at most `n` values (a few hundred nanoseconds for n = 1,000).
pub fn rolling_quantile(x: &[f64], n: usize, q: f64, out: &mut [f64]) {
    if n == 0 || x.len() < n {
        return;
    }
    let position = q * (n - 1) as f64;
    let lo = position.floor() as usize;
    let hi = (lo + 1).min(n - 1);
    let fraction = position - lo as f64;
    let mut sorted: Vec<f64> = x[..n].to_vec();
    sorted.sort_by(f64::total_cmp);
    for row in n - 1..x.len() {
        if row >= n {
            let leaving = sorted.partition_point(|v| v.total_cmp(&x[row - n]).is_lt());
            sorted.remove(leaving);
            let entering = sorted.partition_point(|v| v.total_cmp(&x[row]).is_lt());
            sorted.insert(entering, x[row]);
        }
        let (a, b) = (sorted[lo], sorted[hi]);
        out[row] = a + (b - a) * fraction;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::moments::mean_and_m2;
    use crate::kernels::test_data::walk;
    use rstest::rstest;

    /// Two-pass reference for each full window.
    fn reference(x: &[f64], n: usize) -> Vec<Option<(f64, f64)>> {
        (0..x.len())
            .map(|i| (i + 1 >= n).then(|| mean_and_m2(&x[i + 1 - n..=i]).unwrap()))
            .collect()
    }

    #[rstest]
    #[case(1)]
    #[case(2)]
    #[case(7)]
    #[case(20)]
    #[case(333)]
    fn matches_two_pass_reference_under_large_offset(#[case] n: usize) {
        let x = walk(5000, 1e5, 1e-3, 42 + n as u64);
        let expected = reference(&x, n);
        let mut rows = 0;
        for_each_window_moments(&x, n, |row, mean, m2| {
            rows += 1;
            let (em, e2) = expected[row].unwrap();
            assert!(
                (mean - em).abs() <= 1e-15 * em.abs(),
                "row {row}: {mean} vs {em}"
            );
            assert!(
                (m2 - e2).abs() <= 1e-9 * e2 + 1e-300,
                "row {row}: {m2} vs {e2}"
            );
        });
        assert_eq!(rows, x.len() + 1 - n);
    }

    /// Ten million rows near 1e5 moving by 1e-3: raw power sums would keep no correct
    /// digit of the variance; the re-anchored sums must not drift along the series.
    #[test]
    fn long_offset_series_stays_accurate() {
        let n = 50;
        let x = walk(10_000_000, 1e5, 1e-3, 7);
        let mut checked = 0;
        let mut worst = 0.0f64;
        for_each_window_moments(&x, n, |row, mean, m2| {
            if row % 997 == 0 || row + 3 >= x.len() {
                let (em, e2) = mean_and_m2(&x[row + 1 - n..=row]).unwrap();
                assert!((mean - em).abs() <= 1e-15 * em.abs(), "row {row}");
                worst = worst.max((m2 - e2).abs() / e2);
                checked += 1;
            }
        });
        assert!(checked > 10_000);
        assert!(
            worst <= 1e-9,
            "worst relative error of the variance: {worst:e}"
        );
    }

    #[test]
    fn flat_window_has_exactly_zero_variance() {
        let x = [1.0, 2.0, 0.1, 0.1, 0.1, 0.1, 5.0];
        let mut out = vec![f64::NAN; x.len()];
        rolling_var(&x, 3, 1, &mut out);
        assert_eq!(out[4], 0.0);
        assert_eq!(out[5], 0.0);
        assert!(out[6] > 0.0);
        assert!(out[1].is_nan());
    }

    /// Runs of repeated values of every length from 1 to 12, starting anywhere
    /// relative to the anchor blocks, between values that all differ.
    #[rstest]
    fn flat_windows_are_exact_wherever_the_runs_fall(#[values(1, 2, 3, 5, 8)] n: usize) {
        let mut x = Vec::new();
        for run in 1..=12 {
            for step in 0..3 {
                x.push(100.0 + x.len() as f64 * 0.37 + step as f64);
            }
            x.extend(std::iter::repeat_n(7.25 + run as f64, run));
        }
        let mut seen = 0;
        for_each_window_power_sums::<2>(&x, n, |row, shift, &[s1, s2]| {
            seen += 1;
            let window = &x[row + 1 - n..=row];
            let flat = window.iter().all(|&v| v == window[0]);
            if flat {
                assert_eq!((shift, s1, s2), (x[row], 0.0, 0.0), "row {row}");
            } else {
                let (mean, m2) = mean_and_m2(window).expect("a full window");
                let nf = n as f64;
                assert!(
                    (shift + s1 / nf - mean).abs() <= 1e-12 * mean.abs(),
                    "row {row}"
                );
                assert!(
                    (s2 - s1 * s1 / nf - m2).abs() <= 1e-9 * m2.max(1e-3),
                    "row {row}"
                );
            }
        });
        assert_eq!(seen, x.len() + 1 - n);
    }

    #[test]
    fn short_series_gives_no_values() {
        let mut out = vec![f64::NAN; 2];
        rolling_mean(&[1.0, 2.0], 3, &mut out);
        assert!(out.iter().all(|v| v.is_nan()));
    }

    #[test]
    fn known_values() {
        let x = [1.0, 2.0, 3.0, 4.0, 6.0];
        let mut mean = vec![f64::NAN; 5];
        let mut std = vec![f64::NAN; 5];
        rolling_mean(&x, 2, &mut mean);
        rolling_std(&x, 3, 1, &mut std);
        assert_eq!(&mean[1..], &[1.5, 2.5, 3.5, 5.0]);
        assert!((std[4] - (7.0f64 / 3.0).sqrt()).abs() < 1e-15);
        assert_eq!(std[2], 1.0);
    }

    /// Two-pass reference of pandas' skew and kurtosis for one window.
    /// The window is first shifted by one of its own values (exact differences), so
    /// the centre is not limited by a rounded mean near 1e5.
    fn reference_skew_kurt(w: &[f64]) -> (f64, f64) {
        let n = w.len() as f64;
        let d: Vec<f64> = w.iter().map(|v| v - w[0]).collect();
        let (mean, m2) = mean_and_m2(&d).unwrap();
        let m3: f64 = d.iter().map(|v| (v - mean).powi(3)).sum();
        let m4: f64 = d.iter().map(|v| (v - mean).powi(4)).sum();
        let skew = (n * (n - 1.0)).sqrt() / (n - 2.0) * (m3 / n) / (m2 / n).powf(1.5);
        let kurt = n * (n + 1.0) * (n - 1.0) * m4 / ((n - 2.0) * (n - 3.0) * m2 * m2)
            - 3.0 * (n - 1.0).powi(2) / ((n - 2.0) * (n - 3.0));
        (skew, kurt)
    }

    #[rstest]
    #[case(4)]
    #[case(20)]
    #[case(250)]
    fn higher_moments_match_two_pass_under_offset(#[case] n: usize) {
        let x = walk(3000, 1e5, 1e-3, 11 + n as u64);
        let mut skew = vec![f64::NAN; x.len()];
        let mut kurt = vec![f64::NAN; x.len()];
        rolling_skew(&x, n, &mut skew);
        rolling_kurt(&x, n, &mut kurt);
        for row in n - 1..x.len() {
            let (es, ek) = reference_skew_kurt(&x[row + 1 - n..=row]);
            assert!(
                (skew[row] - es).abs() <= 1e-8 * (1.0 + es.abs()),
                "row {row}: {} vs {es}",
                skew[row]
            );
            assert!(
                (kurt[row] - ek).abs() <= 1e-7 * (1.0 + ek.abs()),
                "row {row}: {} vs {ek}",
                kurt[row]
            );
        }
    }

    #[test]
    fn comoments_match_two_pass() {
        let n = 30;
        let x = walk(2000, 1e5, 1e-3, 3);
        let y: Vec<f64> = walk(2000, 50.0, 0.1, 5)
            .iter()
            .zip(&x)
            .map(|(a, b)| a + 0.3 * b)
            .collect();
        let mut corr = vec![f64::NAN; x.len()];
        let mut beta = vec![f64::NAN; x.len()];
        rolling_corr(&x, &y, n, &mut corr);
        rolling_beta(&y, &x, n, &mut beta);
        for row in n - 1..x.len() {
            let (wx, wy) = (&x[row + 1 - n..=row], &y[row + 1 - n..=row]);
            let (mx, m2x) = mean_and_m2(wx).unwrap();
            let (my, m2y) = mean_and_m2(wy).unwrap();
            let c: f64 = wx.iter().zip(wy).map(|(a, b)| (a - mx) * (b - my)).sum();
            assert!(
                (corr[row] - c / (m2x * m2y).sqrt()).abs() <= 1e-9,
                "row {row}"
            );
            assert!(
                (beta[row] - c / m2x).abs() <= 1e-9 * (c / m2x).abs(),
                "row {row}"
            );
        }
    }

    #[test]
    fn extremes_match_naive_windows() {
        // Doubled (up to 64 rows, over several 1,024-row blocks) and blocked windows.
        let x = walk(2_500, 0.0, 1.0, 9);
        for n in [1, 2, 5, 14, 37, 64, 65, 500, 2_500] {
            let mut lo = vec![f64::NAN; x.len()];
            let mut hi = vec![f64::NAN; x.len()];
            rolling_min(&x, n, &mut lo);
            rolling_max(&x, n, &mut hi);
            for row in n - 1..x.len() {
                let w = &x[row + 1 - n..=row];
                assert_eq!(lo[row], w.iter().copied().fold(f64::INFINITY, f64::min));
                assert_eq!(hi[row], w.iter().copied().fold(f64::NEG_INFINITY, f64::max));
            }
            assert!(lo[..n - 1].iter().all(|v| v.is_nan()));
        }
    }

    #[test]
    fn block_extremes_match_naive_windows() {
        // Both methods (windows up to 64 rows double, longer ones use blocks), and
        // several doubling blocks with windows that straddle them.
        let (hi, lo) = (walk(2_600, 0.0, 1.0, 4), walk(2_600, 0.0, 1.0, 6));
        for n in [1, 2, 3, 4, 5, 7, 8, 14, 37, 63, 64, 65, 251, 2_600] {
            let mut rows = Vec::new();
            for_each_block_of_extremes(&hi, &lo, n, |first, highest, lowest| {
                assert_eq!(highest.len(), lowest.len());
                for (j, (h, l)) in highest.iter().zip(lowest).enumerate() {
                    let row = first + j;
                    let window = row + 1 - n..=row;
                    let max = hi[window.clone()]
                        .iter()
                        .copied()
                        .fold(f64::NEG_INFINITY, f64::max);
                    let min = lo[window].iter().copied().fold(f64::INFINITY, f64::min);
                    assert_eq!((*h, *l), (max, min), "n {n} row {row}");
                    rows.push(row);
                }
            });
            // Every row with a full window, once, in order.
            assert_eq!(rows, (n - 1..hi.len()).collect::<Vec<_>>(), "n {n}");
        }
        for_each_block_of_extremes(&hi[..3], &lo[..3], 4, |_, _, _| panic!("no full window"));
    }

    #[test]
    fn quantiles_match_sorting_each_window() {
        let x = walk(400, 0.0, 1.0, 21);
        for (n, q) in [
            (1, 0.5),
            (2, 0.5),
            (5, 0.25),
            (20, 0.9),
            (33, 0.0),
            (33, 1.0),
        ] {
            let mut out = vec![f64::NAN; x.len()];
            rolling_quantile(&x, n, q, &mut out);
            for row in n - 1..x.len() {
                let mut w = x[row + 1 - n..=row].to_vec();
                w.sort_by(f64::total_cmp);
                let i = q * (n - 1) as f64;
                let (lo, hi) = (i.floor() as usize, i.ceil() as usize);
                let expected = w[lo] + (w[hi] - w[lo]) * (i - lo as f64);
                assert_eq!(out[row], expected, "n {n} q {q} row {row}");
            }
        }
    }

    /// Ten million paired rows with large offsets: correlation stays at two-pass accuracy.
    #[test]
    fn long_offset_comoments_stay_accurate() {
        let n = 60;
        let x = walk(10_000_000, 1e5, 1e-3, 5);
        let y: Vec<f64> = walk(10_000_000, 1e4, 1e-3, 6)
            .iter()
            .zip(&x)
            .map(|(a, b)| a + 0.5 * b)
            .collect();
        let mut checked = 0;
        for_each_window_comoments(&x, &y, n, |row, _, _, m2x, m2y, cxy| {
            if row % 997 == 0 || row + 3 >= x.len() {
                let (wx, wy) = (&x[row + 1 - n..=row], &y[row + 1 - n..=row]);
                let dx: Vec<f64> = wx.iter().map(|v| v - wx[0]).collect();
                let dy: Vec<f64> = wy.iter().map(|v| v - wy[0]).collect();
                let (mx, ex2) = mean_and_m2(&dx).unwrap();
                let (my, ey2) = mean_and_m2(&dy).unwrap();
                let exy: f64 = dx.iter().zip(&dy).map(|(a, b)| (a - mx) * (b - my)).sum();
                assert!((m2x - ex2).abs() <= 1e-9 * ex2, "row {row}");
                assert!((m2y - ey2).abs() <= 1e-9 * ey2, "row {row}");
                assert!((cxy - exy).abs() <= 1e-9 * (ex2 * ey2).sqrt(), "row {row}");
                checked += 1;
            }
        });
        assert!(checked > 10_000);
    }
}
