//! A per-value test of `f64` slices packed into Arrow's validity words (bit j of
//! word w for value `64 w + j`), 64 values at a time without an early exit, so
//! the compiler vectorises the compares (Arrow's per-index `collect_bool` was a
//! tenth of a wide stage's time). Spelling the words out with AVX `movemask`
//! intrinsics measured no faster: the pass is bound by reading the values.

/// Which values a word's bits mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Test {
    /// Neither NaN nor infinite.
    Finite,
    /// Not NaN.
    NotNan,
}

impl Test {
    #[inline(always)]
    fn keep(self, v: f64) -> bool {
        match self {
            Test::Finite => v.is_finite(),
            Test::NotNan => !v.is_nan(),
        }
    }
}

/// One word per 64 values (the last one partial), and whether every value passed.
pub fn pack(values: &[f64], test: Test) -> (Vec<u64>, bool) {
    let mut words = Vec::with_capacity(values.len().div_ceil(64));
    let mut all = u64::MAX;
    let chunks = values.chunks_exact(64);
    let tail = chunks.remainder();
    for chunk in chunks {
        let word = full_word(chunk.try_into().expect("64 values"), test);
        all &= word;
        words.push(word);
    }
    let mut every = all == u64::MAX;
    if !tail.is_empty() {
        let word = partial_word(tail, test);
        every &= word.count_ones() as usize == tail.len();
        words.push(word);
    }
    (words, every)
}

/// Whether any value is NaN.
pub fn any_nan(values: &[f64]) -> bool {
    // Values are almost always all finite, which one fast pass shows; only
    // otherwise are they looked at one by one.
    !all_finite(values) && values.iter().any(|v| v.is_nan())
}

/// Whether every value is finite. A sum of values is finite only if every value is
/// (a NaN or an infinity never leaves a sum), so sixteen lanes of plain additions,
/// which the compiler keeps in vector registers reading the values in order, answer
/// at the speed values arrive from cache; a sum that is not finite (a non-finite
/// value, or finite values overflowing) is checked value by value. ORing the bits
/// of `v - v` instead was vectorised across chunks, with a gather per vector, three
/// times slower.
pub fn all_finite(values: &[f64]) -> bool {
    let mut lanes = [0.0f64; 16];
    let chunks = values.chunks_exact(16);
    let tail = chunks.remainder();
    for chunk in chunks {
        for (lane, &v) in lanes.iter_mut().zip(chunk) {
            *lane += v;
        }
    }
    for (lane, &v) in lanes.iter_mut().zip(tail) {
        *lane += v;
    }
    lanes.iter().all(|lane| lane.is_finite()) || values.iter().all(|v| v.is_finite())
}

/// Up to 64 values, one at a time.
fn partial_word(values: &[f64], test: Test) -> u64 {
    values
        .iter()
        .enumerate()
        .fold(0, |bits, (j, &v)| bits | (u64::from(test.keep(v)) << j))
}

/// 64 values with a fixed trip count, which the compiler turns into vector
/// compares.
#[inline(always)]
fn full_word(values: &[f64; 64], test: Test) -> u64 {
    partial_word(values, test)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    /// Values where `i % 7 == 3` is NaN, `i % 11 == 5` +inf, `i % 13 == 8` -inf,
    /// `i % 17 == 2` -0.0 and the rest ordinary (subnormals and the largest finite
    /// value among them).
    fn mixed(len: usize) -> Vec<f64> {
        (0..len)
            .map(|i| match i {
                _ if i % 7 == 3 => f64::NAN,
                _ if i % 11 == 5 => f64::INFINITY,
                _ if i % 13 == 8 => f64::NEG_INFINITY,
                _ if i % 17 == 2 => -0.0,
                _ if i % 19 == 4 => f64::MAX,
                _ if i % 23 == 6 => f64::MIN_POSITIVE / 4.0,
                _ => i as f64 - 50.0,
            })
            .collect()
    }

    #[rstest]
    fn words_match_value_by_value_tests(
        #[values(0, 1, 63, 64, 65, 128, 200)] len: usize,
        #[values(Test::Finite, Test::NotNan)] test: Test,
    ) {
        let values = mixed(len);
        let (words, every) = pack(&values, test);
        assert_eq!(words.len(), len.div_ceil(64));
        for (i, &v) in values.iter().enumerate() {
            let bit = words[i / 64] >> (i % 64) & 1 == 1;
            assert_eq!(bit, test.keep(v), "value {i} ({v})");
        }
        if !len.is_multiple_of(64) {
            assert_eq!(words[len / 64] >> (len % 64), 0, "bits past the end");
        }
        assert_eq!(every, values.iter().all(|&v| test.keep(v)));
        assert_eq!(any_nan(&values), values.iter().any(|v| v.is_nan()));
        assert_eq!(all_finite(&values), values.iter().all(|v| v.is_finite()));
    }

    #[rstest]
    fn all_passing_values_are_reported(#[values(0, 5, 64, 130)] len: usize) {
        let values: Vec<f64> = (0..len).map(|i| i as f64 * 0.5 - 3.0).collect();
        let (words, every) = pack(&values, Test::Finite);
        assert!(every);
        assert!(!any_nan(&values));
        assert!(all_finite(&values));
        assert_eq!(
            words.iter().map(|w| w.count_ones() as usize).sum::<usize>(),
            len
        );
    }

    /// Finite values whose sums overflow are still all finite; +inf and -inf in one
    /// lane (a NaN sum) are not.
    #[test]
    fn overflowing_sums_are_checked_value_by_value() {
        let mut values = vec![f64::MAX; 40];
        assert!(all_finite(&values));
        assert!(!any_nan(&values));
        values[3] = f64::INFINITY;
        values[19] = f64::NEG_INFINITY;
        assert!(!all_finite(&values));
        assert!(!any_nan(&values));
    }

    #[test]
    fn one_nan_in_any_position_is_found() {
        for at in [0, 31, 63, 64, 100, 129] {
            let mut values = vec![1.0; 130];
            values[at] = f64::NAN;
            assert!(any_nan(&values), "NaN at {at}");
            assert!(!all_finite(&values), "NaN at {at}");
            values[at] = f64::NEG_INFINITY;
            assert!(!any_nan(&values), "-inf at {at}");
            assert!(!all_finite(&values), "-inf at {at}");
            values[at] = f64::NAN;
            let (words, every) = pack(&values, Test::NotNan);
            assert!(!every);
            assert_eq!(words[at / 64] >> (at % 64) & 1, 0);
        }
    }
}
