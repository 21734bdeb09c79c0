//! Natural logarithms of whole slices, written so that the compiler vectorises them.
//!
//! `f64::ln` calls the C library's scalar `log` once per value (about 20 cycles
//! each, 6% of a 13-indicator stage and most of `stability_of_timeseries`); numpy
//! and Polars use vector versions. This is the classic argument reduction with the
//! minimax polynomial in `s = f / (2 + f)` of fdlibm's `log` (error below one ulp),
//! without branches: a chunk of values with any zero, negative, subnormal, infinite
//! or NaN input is recomputed with `f64::ln`, so those keep the C library's answers.
//! A chunk whose arguments are all within 1/32 of 1 (returns, price ratios) skips
//! the reduction and its division for a short Taylor series.

/// Values per chunk: two AVX2 registers.
const CHUNK: usize = 8;

/// Coefficients of the polynomial for `ln((1 + s) / (1 - s)) - 2s` in `s²`, as
/// fdlibm publishes them.
#[allow(clippy::excessive_precision)]
const LG: [f64; 7] = [
    6.666666666666735130e-01,
    3.999999999940941908e-01,
    2.857142874366239149e-01,
    2.222219843214978396e-01,
    1.818357216161805012e-01,
    1.531383769920937332e-01,
    1.479819860511658591e-01,
];

/// `ln 2` split so that `k * LN2_HI` is exact for any exponent `k`.
#[allow(clippy::excessive_precision)]
const LN2_HI: f64 = 6.931_471_803_691_238_164_90e-01;
#[allow(clippy::excessive_precision)]
const LN2_LO: f64 = 1.908_214_929_270_587_700_02e-10;

/// The bits of `sqrt(2) / 2`: mantissas are reduced into `[sqrt(2)/2, sqrt(2))`.
const HALF_SQRT2_BITS: u64 = 0x3fe6_a09e_667f_3bcd;

/// `2^52` as f64: adding a small integer's bits to its bits gives `2^52 + i`.
const TWO_52: f64 = 4_503_599_627_370_496.0;

/// `ln(x)` for a positive normal finite `x` (anything else gives garbage, never UB).
#[inline(always)]
fn ln_normal(x: f64) -> f64 {
    // Move the exponent boundary to sqrt(2)/2 so that the mantissa lands in
    // [sqrt(2)/2, sqrt(2)) and `f = m - 1` is small on both sides of 1.
    let shifted = x
        .to_bits()
        .wrapping_add(0x3ff0_0000_0000_0000 - HALF_SQRT2_BITS);
    // The biased exponent as f64 without an integer conversion (AVX2 has none
    // for 64-bit lanes): the bits of 2^52 + e, minus 2^52.
    let biased = f64::from_bits(TWO_52.to_bits() | (shifted >> 52)) - TWO_52;
    let k = biased - 1023.0;
    let m = f64::from_bits((shifted & 0x000f_ffff_ffff_ffff) + HALF_SQRT2_BITS);
    let f = m - 1.0;
    let half_f2 = 0.5 * f * f;
    let s = f / (2.0 + f);
    let z = s * s;
    let w = z * z;
    let even = w * (LG[1] + w * (LG[3] + w * LG[5]));
    let odd = z * (LG[0] + w * (LG[2] + w * (LG[4] + w * LG[6])));
    let r = odd + even;
    s * (half_f2 + r) + k * LN2_LO - half_f2 + f + k * LN2_HI
}

/// `ln(1 + r)` for `1 + r` positive normal finite: the rounding error of `u = 1 + r`
/// is added back as `(r - (u - 1)) / u`, so small `r` keep their precision.
#[inline(always)]
fn ln_1p_normal(r: f64) -> f64 {
    let u = 1.0 + r;
    ln_normal(u) + (r - (u - 1.0)) / u
}

/// Arguments within this distance of 1 take [`ln_1p_small`].
const NEAR_ONE: f64 = 1.0 / 32.0;

/// The coefficients of `f^11 .. f^2` in `ln(1 + f)`: `(-1)^(k+1) / k`.
const TAYLOR: [f64; 10] = [
    1.0 / 11.0,
    -1.0 / 10.0,
    1.0 / 9.0,
    -1.0 / 8.0,
    1.0 / 7.0,
    -1.0 / 6.0,
    1.0 / 5.0,
    -1.0 / 4.0,
    1.0 / 3.0,
    -1.0 / 2.0,
];

/// `ln(1 + f)` for `|f| < 1/32` by its Taylor series to `f^11` (the next term is
/// below 2^-60 of the result) in fused multiply-adds: no division, unlike the
/// general reduction. Returns and price ratios live here: the log returns of a
/// 13-indicator stage went from 6.6% to 2.3% of its time.
/// The series' sum `f + f^2 q(f)` rounds once at the end and `f^2 q(f)` is below
/// 1/64 of it, so the error stays within about half an ulp.
#[inline(always)]
fn ln_1p_small(f: f64) -> f64 {
    let q = TAYLOR[1..]
        .iter()
        .fold(TAYLOR[0], |q, &coefficient| q.mul_add(f, coefficient));
    (f * f).mul_add(q, f)
}

/// Whether [`ln_normal`] is exact enough for `x` (positive, normal, finite).
#[inline(always)]
fn is_positive_normal(x: f64) -> bool {
    (f64::MIN_POSITIVE..f64::INFINITY).contains(&x)
}

/// `out[i] = ln(values[i])` over the common length.
pub fn ln_into(values: &[f64], out: &mut [f64]) {
    let rows = values.len().min(out.len());
    let (values, out) = (&values[..rows], &mut out[..rows]);
    let whole = rows - rows % CHUNK;
    for (input, output) in values.chunks_exact(CHUNK).zip(out.chunks_exact_mut(CHUNK)) {
        let input: &[f64; CHUNK] = input.try_into().expect("a whole chunk");
        chunk_ln(input, output, |x| x, |x| x - 1.0, ln_normal, f64::ln);
    }
    for (o, &x) in out[whole..].iter_mut().zip(&values[whole..]) {
        *o = x.ln();
    }
}

/// `values[i] = ln(values[i])`, in place.
pub fn ln_in_place(values: &mut [f64]) {
    let mut chunks = values.chunks_exact_mut(CHUNK);
    for chunk in &mut chunks {
        let input: [f64; CHUNK] = (*chunk).try_into().expect("a whole chunk");
        chunk_ln(&input, chunk, |x| x, |x| x - 1.0, ln_normal, f64::ln);
    }
    for v in chunks.into_remainder() {
        *v = v.ln();
    }
}

/// `values[i] = ln(1 + values[i])`, in place.
pub fn ln_1p_in_place(values: &mut [f64]) {
    let mut chunks = values.chunks_exact_mut(CHUNK);
    for chunk in &mut chunks {
        let input: [f64; CHUNK] = (*chunk).try_into().expect("a whole chunk");
        chunk_ln(&input, chunk, |r| 1.0 + r, |r| r, ln_1p_normal, f64::ln_1p);
    }
    for v in chunks.into_remainder() {
        *v = v.ln_1p();
    }
}

/// One chunk: the series [`ln_1p_small`] when every argument (`argument(x)`) is
/// within [`NEAR_ONE`] of 1 (`below_one(x)` is its exact distance from 1), `fast`
/// when every argument is positive normal, `exact` value by value otherwise.
#[inline(always)]
fn chunk_ln(
    input: &[f64; CHUNK],
    output: &mut [f64],
    argument: impl Fn(f64) -> f64,
    below_one: impl Fn(f64) -> f64,
    fast: impl Fn(f64) -> f64,
    exact: impl Fn(f64) -> f64,
) {
    let near_one = input
        .iter()
        .fold(true, |ok, &x| ok & (below_one(x).abs() < NEAR_ONE));
    if near_one {
        for (o, &x) in output.iter_mut().zip(input) {
            *o = ln_1p_small(below_one(x));
        }
        return;
    }
    let all_normal = input
        .iter()
        .fold(true, |ok, &x| ok & is_positive_normal(argument(x)));
    if all_normal {
        for (o, &x) in output.iter_mut().zip(input) {
            *o = fast(x);
        }
    } else {
        for (o, &x) in output.iter_mut().zip(input) {
            *o = exact(x);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Distance in units in the last place.
    fn ulps(a: f64, b: f64) -> u64 {
        (a.to_bits() as i64 - b.to_bits() as i64).unsigned_abs()
    }

    /// The next state of a xorshift generator (never 0 from a nonzero seed).
    fn xorshift(state: &mut u64) -> u64 {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        *state
    }

    /// A uniform value in [0, 1) from the generator's top 53 bits.
    fn unit(state: &mut u64) -> f64 {
        (xorshift(state) >> 11) as f64 / (1u64 << 53) as f64
    }

    #[test]
    fn ln_is_within_one_ulp_of_the_c_library_over_many_scales() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let values: Vec<f64> = (0..200_000)
            .map(|_| {
                // mantissa and exponent both random: 1e-300 .. 1e300
                let exponent = (xorshift(&mut state) % 1_990) as i32 - 995;
                (1.0 + unit(&mut state)) * 2f64.powi(exponent)
            })
            .chain([1.0, 2.0, 0.5, 1.0 + f64::EPSILON, 1.0 - f64::EPSILON / 2.0])
            .chain([f64::MIN_POSITIVE, f64::MAX, std::f64::consts::SQRT_2])
            .collect();
        let mut out = vec![0.0; values.len()];
        ln_into(&values, &mut out);
        for (&x, &got) in values.iter().zip(&out) {
            assert!(
                ulps(got, x.ln()) <= 1,
                "ln({x:e}) = {got:e}, libm {:e}",
                x.ln()
            );
        }
        assert_eq!(out[values.len() - 8], 0.0, "ln(1) is exactly 0");
    }

    #[test]
    fn ratios_near_one_are_within_one_ulp_of_the_c_library() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let values: Vec<f64> = (0..200_000)
            .map(|i| {
                // across the whole series domain, and returns of 1e-2 .. 1e-12
                let scale = [NEAR_ONE, 1e-2, 1e-4, 1e-8, 1e-12][i % 5];
                1.0 + (2.0 * unit(&mut state) - 1.0) * scale
            })
            .chain([
                1.0 - NEAR_ONE,
                1.0 + NEAR_ONE,
                1.0 + NEAR_ONE * (1.0 - f64::EPSILON),
            ])
            .collect();
        let mut out = values.clone();
        ln_in_place(&mut out);
        for (&x, &got) in values.iter().zip(&out) {
            assert!(
                ulps(got, x.ln()) <= 1,
                "ln({x:e}) = {got:e}, libm {:e}",
                x.ln()
            );
        }
    }

    #[test]
    fn values_outside_the_fast_domain_keep_the_c_library_answers() {
        let special = [0.0, -0.0, -1.0, f64::INFINITY, f64::NAN, 5e-324, 2.5, 7.0];
        let mut values: Vec<f64> = (1..=20).map(|i| i as f64).collect();
        values.extend(special);
        values.extend([3.0, 4.0, 5.0]);
        let mut out = vec![0.0; values.len()];
        ln_into(&values, &mut out);
        for (&x, &got) in values.iter().zip(&out) {
            let want = x.ln();
            assert!(
                (got.is_nan() && want.is_nan()) || got == want || ulps(got, want) <= 1,
                "ln({x:e}) = {got:e}, want {want:e}"
            );
        }
        let mut in_place = values.clone();
        ln_in_place(&mut in_place);
        assert_eq!(
            in_place.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            out.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
        );
    }

    #[test]
    fn ln_1p_keeps_the_precision_of_small_returns() {
        let mut state = 7u64;
        let mut values: Vec<f64> = (0..100_000)
            .map(|i| {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let unit = (state >> 11) as f64 / (1u64 << 53) as f64;
                // returns from -0.99 to 1.0, and tiny ones down to 1e-18
                if i % 3 == 0 {
                    (unit - 0.5) * 10f64.powi(-(i % 19))
                } else {
                    1.99 * unit - 0.99
                }
            })
            .collect();
        values.extend([0.0, -1.0, -2.0, f64::NAN, 1e-300, -1e-20, f64::INFINITY]);
        let mut got = values.clone();
        ln_1p_in_place(&mut got);
        for (&r, &g) in values.iter().zip(&got) {
            let want = r.ln_1p();
            let close = g == want
                || (g.is_nan() && want.is_nan())
                || (g - want).abs() <= 2.0 * f64::EPSILON * want.abs();
            assert!(close, "ln_1p({r:e}) = {g:e}, libm {want:e}");
        }
    }
}
