//! The stationarity family on degenerate input through SQL: constant series, series
//! shorter than the lag or window, NULL gaps, and the integer orders of frac_diff.
//! Undefined results are NULL, never an error, Inf or NaN.

use crate::common::{column, session};
use rstest::rstest;

/// Three partitions: 'C' constant (300 rows), 'S' short (6 rows), 'W' a deterministic
/// wiggly walk (400 rows) with a NULL every 37th row.
const SERIES: &str = "CREATE OR REPLACE VIEW s AS \
    SELECT 'C' AS k, i AS ts, 1.5 AS x FROM generate_series(1, 300) t(i) \
    UNION ALL SELECT 'S', i, 1.0 + i * 0.1 FROM generate_series(1, 6) t(i) \
    UNION ALL SELECT 'W', i, CASE WHEN i % 37 = 0 THEN NULL \
        ELSE 1.0 + sin(i * 0.3) * 0.01 + cos(i * 0.021) * 0.05 + (i % 7) * 0.001 END \
      FROM generate_series(1, 400) t(i)";

async fn values(sql: &str) -> Vec<Option<f64>> {
    let ctx = session();
    ctx.sql(SERIES).await.unwrap().collect().await.unwrap();
    column(&ctx, sql).await.unwrap()
}

async fn aggregate(call: &str, key: &str) -> Option<f64> {
    values(&format!("SELECT {call} FROM s WHERE k = '{key}'")).await[0]
}

async fn window(call: &str, key: &str) -> Vec<Option<f64>> {
    values(&format!(
        "SELECT {call} OVER (PARTITION BY k ORDER BY ts) FROM s WHERE k = '{key}' ORDER BY ts"
    ))
    .await
}

/// `short_is_null`: whether 6 rows are too few (ADF with its lags, GARCH's 10
/// values, the frac_diff grid's ADF); KPSS and distance correlation are defined on
/// them, as in statsmodels and dcor.
#[rstest]
#[case::adf_stat("adf_stat(x, 12 ORDER BY ts)", true)]
#[case::adf_pvalue("adf_pvalue(x, 4 ORDER BY ts)", true)]
#[case::adf_used_lag("adf_used_lag(x, 4 ORDER BY ts)", true)]
#[case::kpss_stat("kpss_stat(x ORDER BY ts)", false)]
#[case::kpss_pvalue("kpss_pvalue(x ORDER BY ts)", false)]
#[case::garch_mu("garch11_mu(x ORDER BY ts)", true)]
#[case::garch_loglik("garch11_loglik(x ORDER BY ts)", true)]
#[case::distance_corr("distance_corr(x, x)", false)]
#[case::frac_diff_min_d("frac_diff_min_d(x ORDER BY ts)", true)]
#[tokio::test]
async fn aggregates_of_constant_and_short_series(#[case] call: &str, #[case] short_is_null: bool) {
    assert_eq!(aggregate(call, "C").await, None, "constant: {call}");
    let short = aggregate(call, "S").await;
    if short_is_null {
        assert_eq!(short, None, "short: {call}");
    } else {
        assert!(
            short.is_some_and(f64::is_finite),
            "short: {call}: {short:?}"
        );
    }
}

#[rstest]
#[case::adf_stat("adf_stat(x, 4 ORDER BY ts)")]
#[case::kpss_stat("kpss_stat(x ORDER BY ts)")]
#[case::garch_omega("garch11_omega(x ORDER BY ts)")]
#[case::distance_corr("distance_corr(x, x * x)")]
#[tokio::test]
async fn aggregates_skip_null_gaps(#[case] call: &str) {
    // The walk with NULL gaps equals the same walk with the NULL rows removed.
    let with_gaps = aggregate(call, "W").await;
    let without = values(&format!(
        "SELECT {call} FROM s WHERE k = 'W' AND x IS NOT NULL"
    ))
    .await[0];
    assert!(
        with_gaps.is_some_and(f64::is_finite),
        "{call}: {with_gaps:?}"
    );
    assert_eq!(with_gaps, without, "{call}");
}

#[rstest]
#[case::garch_vol("garch11_vol(x)")]
#[case::emd("emd_imf(x, 1)")]
#[case::rolling_distance_corr("rolling_distance_corr(x, x, 20)")]
#[tokio::test]
async fn windows_of_a_constant_series_are_null(#[case] call: &str) {
    let v = window(call, "C").await;
    assert_eq!(v.len(), 300);
    assert!(v.iter().all(Option::is_none), "{call}: {v:?}");
}

#[tokio::test]
async fn filters_of_a_constant_series() {
    let cycle = window("bk_filter(x, 6, 32, 12)", "C").await;
    assert!(cycle[..12].iter().chain(&cycle[288..]).all(Option::is_none));
    assert!(cycle[12..288].iter().all(|v| v.unwrap().abs() < 1e-12));
    let trend = window("hp_trend(x, 1600)", "C").await;
    assert!(trend.iter().all(|v| (v.unwrap() - 1.5).abs() < 1e-9));
    let hp_cycle = window("hp_cycle(x, 1600)", "C").await;
    assert!(hp_cycle.iter().all(|v| v.unwrap().abs() < 1e-9));
}

#[rstest]
#[case::bk("bk_filter(x, 6, 32, 12)")]
#[case::frac_diff_long_window("frac_diff(x, 0.4, 1e-5)")]
#[case::rolling_distance_corr("rolling_distance_corr(x, x, 20)")]
#[case::garch_vol("garch11_vol(x)")]
#[case::emd("emd_imf(x, 1)")]
#[tokio::test]
async fn windows_longer_than_a_short_series_are_null(#[case] call: &str) {
    let v = window(call, "S").await;
    assert_eq!(v.len(), 6);
    assert!(v.iter().all(Option::is_none), "{call}: {v:?}");
}

#[tokio::test]
async fn frac_diff_of_order_zero_and_one() {
    let x = values("SELECT x FROM s WHERE k = 'W' ORDER BY ts").await;
    let identity = window("frac_diff(x, 0)", "W").await;
    assert_eq!(identity, x);
    let first_difference = window("frac_diff(x, 1)", "W").await;
    let present: Vec<(usize, f64)> = x
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.map(|v| (i, v)))
        .collect();
    assert_eq!(first_difference[present[0].0], None);
    for pair in present.windows(2) {
        let (row, now) = pair[1];
        let got = first_difference[row].unwrap();
        // after a NULL row the previous present row is the one differenced
        assert!((got - (now - pair[0].1)).abs() < 1e-15, "row {row}");
    }
    for (row, v) in x.iter().enumerate() {
        if v.is_none() {
            assert_eq!(first_difference[row], None);
        }
    }
}
