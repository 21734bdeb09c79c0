//! Cyclical encodings of periodic quantities (hour of day, day of week): a value
//! and its position on a circle of circumference `period`, so 23:00 and 00:00 are
//! neighbours.

use std::f64::consts::TAU;

/// `sin(2 pi x / period)` for each value.
pub fn cyclical_sin(x: &[f64], period: f64, out: &mut [f64]) {
    for (o, v) in out.iter_mut().zip(x) {
        *o = (TAU * v / period).sin();
    }
}

/// `cos(2 pi x / period)` for each value.
pub fn cyclical_cos(x: &[f64], period: f64, out: &mut [f64]) {
    for (o, v) in out.iter_mut().zip(x) {
        *o = (TAU * v / period).cos();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarter_turns() {
        let x = [0.0, 6.0, 12.0, 24.0];
        let mut s = vec![0.0; 4];
        let mut c = vec![0.0; 4];
        cyclical_sin(&x, 24.0, &mut s);
        cyclical_cos(&x, 24.0, &mut c);
        let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
        assert!(close(s[0], 0.0) && close(s[1], 1.0) && close(s[2], 0.0) && close(s[3], 0.0));
        assert!(close(c[0], 1.0) && close(c[1], 0.0) && close(c[2], -1.0) && close(c[3], 1.0));
    }
}
