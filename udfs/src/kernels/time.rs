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

/// Seconds in a day; also the value of "24:00".
const DAY: u32 = 86_400;

/// Trading hours on weekdays, as in seed 002's session configuration: open from
/// `start` (inclusive) to `end` (exclusive) Monday to Thursday, to `friday_end` on
/// Fridays, closed on Saturdays and Sundays. A session whose end is before its start
/// runs overnight (open from `start` to midnight and from midnight to `end`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Session {
    start: u32,
    end: u32,
    friday_end: u32,
}

impl Session {
    /// Times of day as seconds after midnight; `friday_end` defaults to `end`.
    pub fn new(start: u32, end: u32, friday_end: Option<u32>) -> Self {
        Session {
            start,
            end,
            friday_end: friday_end.unwrap_or(end),
        }
    }

    /// Whether a moment is in session; `weekday` counts from Monday = 0.
    pub fn contains(&self, weekday: u32, second_of_day: u32) -> bool {
        let end = match weekday {
            0..=3 => self.end,
            4 => self.friday_end,
            _ => return false,
        };
        if self.start <= end {
            (self.start..end).contains(&second_of_day)
        } else {
            second_of_day >= self.start || second_of_day < end
        }
    }
}

/// Parses `HH:MM` or `HH:MM:SS` (00:00 to 24:00) into seconds after midnight.
pub fn parse_time_of_day(text: &str) -> Result<u32, String> {
    let bad = || format!("expected a time of day as 'HH:MM' or 'HH:MM:SS', got '{text}'");
    let parts: Vec<&str> = text.trim().split(':').collect();
    if !(2..=3).contains(&parts.len()) {
        return Err(bad());
    }
    let field = |s: &str, max: u32| -> Result<u32, String> {
        if s.len() != 2 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        s.parse::<u32>().ok().filter(|v| *v <= max).ok_or_else(bad)
    };
    let hours = field(parts[0], 24)?;
    let minutes = field(parts[1], 59)?;
    let seconds = parts.get(2).map_or(Ok(0), |s| field(s, 59))?;
    let total = hours * 3600 + minutes * 60 + seconds;
    if total > DAY {
        return Err(bad());
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_session_hours() {
        let hm = |h: u32, m: u32| h * 3600 + m * 60;
        let s = Session::new(0, hm(21, 55), Some(hm(20, 0)));
        assert!(s.contains(0, 0)); // Monday midnight
        assert!(s.contains(3, hm(21, 54)));
        assert!(!s.contains(3, hm(21, 55))); // end is exclusive
        assert!(s.contains(4, hm(19, 59)));
        assert!(!s.contains(4, hm(20, 0))); // Friday closes early
        assert!(!s.contains(5, hm(12, 0))); // Saturday
        assert!(!s.contains(6, hm(12, 0))); // Sunday
    }

    #[test]
    fn overnight_session_wraps_midnight() {
        let s = Session::new(22 * 3600, 6 * 3600, None);
        assert!(s.contains(1, 23 * 3600));
        assert!(s.contains(1, 3600));
        assert!(!s.contains(1, 12 * 3600));
    }

    #[test]
    fn time_of_day_parsing() {
        assert_eq!(parse_time_of_day("21:55"), Ok(21 * 3600 + 55 * 60));
        assert_eq!(parse_time_of_day("09:30:15"), Ok(9 * 3600 + 30 * 60 + 15));
        assert_eq!(parse_time_of_day("24:00"), Ok(DAY));
        for bad in ["24:01", "9:30", "21:60", "noon", "", "12:00:00:00", "-1:00"] {
            assert!(parse_time_of_day(bad).is_err(), "{bad}");
        }
    }

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
