//! SQL behaviour of the function framework: values on small known inputs, the
//! missing-value rule, warm-up NULLs, planning-time errors, and bad input.

use crate::common::{column, error, session};
use rstest::rstest;

const PRICES: &str = "(VALUES (1, 'A', 10.0), (2, 'A', 11.0), (3, 'A', 12.0), (4, 'A', 13.0), \
                      (1, 'B', 20.0), (2, 'B', NULL), (3, 'B', 'NaN'), (4, 'B', 22.0), (5, 'B', 24.0)) \
                      AS t(ts, symbol, close)";

async fn window_values(call: &str) -> Vec<Option<f64>> {
    let ctx = session();
    column(
        &ctx,
        &format!(
            "SELECT {call} OVER (PARTITION BY symbol ORDER BY ts) FROM {PRICES} ORDER BY symbol, ts"
        ),
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn sma_warms_up_and_skips_missing_rows() {
    // B's present rows are 20, 22, 24: the NULL and NaN rows are skipped and NULL.
    assert_eq!(
        window_values("sma(close, 2)").await,
        vec![
            None,
            Some(10.5),
            Some(11.5),
            Some(12.5),
            None,
            None,
            None,
            Some(21.0),
            Some(23.0)
        ]
    );
}

#[tokio::test]
async fn ema_is_seeded_with_the_simple_mean() {
    let v = window_values("ema(close, 2)").await;
    // k = 2/3: seed 10.5, then 10.5 + 2/3 * (12 - 10.5) = 11.5, then 12.5
    assert_eq!(v[1], Some(10.5));
    assert!((v[2].unwrap() - 11.5).abs() < 1e-12);
    assert!((v[3].unwrap() - 12.5).abs() < 1e-12);
    assert_eq!(v[7], Some(21.0));
}

#[tokio::test]
async fn returns_compare_with_the_previous_present_row() {
    let v = window_values("pct_return(close)").await;
    assert_eq!(
        v[4..],
        [
            None,
            None,
            None,
            Some(22.0 / 20.0 - 1.0),
            Some(24.0 / 22.0 - 1.0)
        ]
    );
    let v = window_values("log_return(close)").await;
    assert_eq!(v[7], Some((22.0f64 / 20.0).ln()));
}

#[tokio::test]
async fn rolling_std_and_mean() {
    let v = window_values("rolling_std(close, 3)").await;
    assert_eq!(v[..4], [None, None, Some(1.0), Some(1.0)]);
    assert_eq!(v[8], Some(2.0));
    let v = window_values("rolling_std(close, 3, 0)").await;
    assert!((v[2].unwrap() - (2.0f64 / 3.0).sqrt()).abs() < 1e-15);
    let v = window_values("rolling_mean(close, 1)").await;
    assert_eq!(v[0], Some(10.0));
}

#[tokio::test]
async fn integer_and_decimal_inputs_are_coerced() {
    let ctx = session();
    let v = column(
        &ctx,
        "SELECT sma(x, 2) OVER (ORDER BY t) FROM (VALUES (1, 1), (2, 2), (3, 4)) v(t, x)",
    )
    .await
    .unwrap();
    assert_eq!(v, vec![None, Some(1.5), Some(3.0)]);
    let v = column(
        &ctx,
        "SELECT sma(CAST(x AS DECIMAL(10, 2)), 2) OVER (ORDER BY t) FROM (VALUES (1, 1), (2, 2)) v(t, x)",
    )
    .await
    .unwrap();
    assert_eq!(v, vec![None, Some(1.5)]);
}

#[tokio::test]
async fn pairwise_functions_skip_rows_missing_in_either_argument() {
    let ctx = session();
    let v = column(
        &ctx,
        "SELECT rolling_corr(x, y, 2) OVER (ORDER BY t) FROM \
         (VALUES (1, 1.0, 2.0), (2, 2.0, NULL), (3, 3.0, 6.0), (4, 'NaN', 1.0), (5, 5.0, 4.0)) v(t, x, y)",
    )
    .await
    .unwrap();
    // present pairs: (1, 2), (3, 6), (5, 4): corr of the last two windows is +1 then -1
    assert_eq!(v, vec![None, None, Some(1.0), None, Some(-1.0)]);
    let v = column(
        &ctx,
        "SELECT rolling_beta(y, x, 2) OVER (ORDER BY t) FROM (VALUES (1, 1.0, 5.0), (2, 1.0, 7.0)) v(t, x, y)",
    )
    .await
    .unwrap();
    assert_eq!(v, vec![None, None], "a flat x has no slope");
}

#[tokio::test]
async fn partition_shorter_than_lookback_is_all_null() {
    assert!(window_values("sma(close, 10)")
        .await
        .iter()
        .all(Option::is_none));
}

#[tokio::test]
async fn all_null_partition_gives_nulls_and_empty_input_no_rows() {
    let ctx = session();
    let v = column(
        &ctx,
        "SELECT ema(x, 2) OVER (ORDER BY t) FROM (VALUES (1, CAST(NULL AS DOUBLE)), (2, NULL)) v(t, x)",
    )
    .await
    .unwrap();
    assert_eq!(v, vec![None, None]);
    let v = column(
        &ctx,
        &format!("SELECT ema(close, 2) OVER (ORDER BY ts) FROM {PRICES} WHERE false"),
    )
    .await
    .unwrap();
    assert!(v.is_empty());
    let v = column(
        &ctx,
        &format!("SELECT sharpe_ratio(close) FROM {PRICES} WHERE false"),
    )
    .await
    .unwrap();
    assert_eq!(v, vec![None]);
}

#[tokio::test]
async fn sharpe_ratio_groups_and_skips_missing() {
    let ctx = session();
    let v = column(
        &ctx,
        &format!("SELECT sharpe_ratio(close, 4) FROM {PRICES} GROUP BY symbol ORDER BY symbol"),
    )
    .await
    .unwrap();
    // A: mean 11.5, std 1.2909944; B: 20, 22, 24 -> mean 22, std 2
    let a = 11.5 / (5.0f64 / 3.0).sqrt() * 2.0;
    assert!((v[0].unwrap() - a).abs() < 1e-12);
    assert!((v[1].unwrap() - 22.0).abs() < 1e-12);
    // constant returns: zero volatility is NULL, not Inf
    let v = column(
        &ctx,
        "SELECT sharpe_ratio(x) FROM (VALUES (0.01), (0.01)) v(x)",
    )
    .await
    .unwrap();
    assert_eq!(v, vec![None]);
}

#[tokio::test]
async fn cyclical_encodings() {
    let ctx = session();
    let v = column(
        &ctx,
        "SELECT cyclical_sin(h, 24) FROM (VALUES (6), (NULL), (18)) v(h)",
    )
    .await
    .unwrap();
    assert!((v[0].unwrap() - 1.0).abs() < 1e-15);
    assert_eq!(v[1], None);
    assert!((v[2].unwrap() + 1.0).abs() < 1e-15);
    let v = column(&ctx, "SELECT cyclical_cos(0, 7)").await.unwrap();
    assert_eq!(v, vec![Some(1.0)]);
}

#[rstest]
#[case::zero_period(
    "ema(close, 0) OVER (ORDER BY ts)",
    "ema: period must be an integer >= 2, got 0"
)]
#[case::fractional_period(
    "sma(close, 2.5) OVER (ORDER BY ts)",
    "sma: period must be an integer >= 2, got 2.5"
)]
#[case::null_period(
    "sma(close, NULL) OVER (ORDER BY ts)",
    "sma: period must be an integer >= 2, got NULL"
)]
#[case::string_period(
    "rolling_mean(close, 'x') OVER (ORDER BY ts)",
    "rolling_mean: n must be an integer >= 1, got 'x'"
)]
#[case::column_period("ema(close, ts) OVER (ORDER BY ts)", "ema: period must be a constant")]
#[case::ddof_too_large(
    "rolling_std(close, 3, 3) OVER (ORDER BY ts)",
    "rolling_std: ddof must be smaller than n"
)]
#[case::missing_order_by(
    "ema(close, 3) OVER (PARTITION BY symbol)",
    "ema: window function needs ORDER BY"
)]
#[case::too_many_args(
    "ema(close, 3, 4) OVER (ORDER BY ts)",
    "ema: expected 2 arguments, ema(x, period), got 3"
)]
#[case::too_few_args("ema(close) OVER (ORDER BY ts)", "ema: expected 2 arguments")]
#[case::text_series("sma(symbol, 3) OVER (ORDER BY ts)", "sma: argument x must be numeric")]
#[case::negative_periods(
    "sharpe_ratio(close, -1)",
    "sharpe_ratio: periods must be a number > 0, got -1"
)]
#[case::kurt_window_too_short(
    "rolling_kurt(close, 3) OVER (ORDER BY ts)",
    "rolling_kurt: n must be an integer >= 4, got 3"
)]
#[case::corr_missing_series(
    "rolling_corr(close, 20) OVER (ORDER BY ts)",
    "rolling_corr: expected 3 to 4 arguments, rolling_corr(x, y, n [, min_periods]), got 2"
)]
#[case::cutoff_out_of_range(
    "value_at_risk(close, 1.5)",
    "value_at_risk: cutoff must be a number in (0, 1), got 1.5"
)]
#[case::cutoff_zero(
    "conditional_value_at_risk(close, 0)",
    "conditional_value_at_risk: cutoff must be a number in (0, 1), got 0"
)]
#[case::ordered_aggregate_without_order_by(
    "max_drawdown(close)",
    "max_drawdown depends on row order: put the order inside the call, e.g. max_drawdown(ret ORDER BY ts)"
)]
#[case::calmar_zero_periods(
    "calmar_ratio(close, 0 ORDER BY ts)",
    "calmar_ratio: periods must be a number > 0, got 0"
)]
#[case::mc_quantile_out_of_range(
    "mc_max_drawdown(close, 100, 1.5 ORDER BY ts)",
    "mc_max_drawdown: q must be a number in [0, 1], got 1.5"
)]
#[case::mc_no_simulations(
    "mc_max_drawdown(close, 0, 0.5 ORDER BY ts)",
    "mc_max_drawdown: n_sims must be an integer between 1 and 100000000, got 0"
)]
#[case::mc_column_parameter(
    "mc_max_drawdown(close, ts, 0.5 ORDER BY ts)",
    "mc_max_drawdown: n_sims must be a constant"
)]
#[case::mc_without_order_by(
    "mc_max_drawdown(close, 100, 0.5)",
    "mc_max_drawdown depends on row order"
)]
#[case::rolling_sharpe_window_too_short(
    "rolling_sharpe(close, 1) OVER (ORDER BY ts)",
    "rolling_sharpe: n must be an integer >= 2, got 1"
)]
#[case::scalar_zero_period(
    "cyclical_sin(close, 0)",
    "cyclical_sin: period must be a number > 0, got 0"
)]
#[tokio::test]
async fn bad_calls_fail_at_planning_with_a_clear_message(
    #[case] call: &str,
    #[case] message: &str,
) {
    let ctx = session();
    let sql = format!("SELECT {call} FROM {PRICES}");
    // Planning alone (no execution) must reject the call.
    let planned = async { ctx.sql(&sql).await?.create_physical_plan().await }.await;
    let err = quantfusion::errors::one_line(&planned.expect_err("planning should fail"));
    assert!(err.contains(message), "{err}");
    assert_eq!(error(&ctx, &sql).await, err);
}

#[tokio::test]
async fn missing_file_is_a_clear_error() {
    let ctx = session();
    let err = error(&ctx, "SELECT * FROM 'no/such/file.parquet'").await;
    assert!(err.contains("no/such/file.parquet"), "{err}");
}

#[tokio::test]
async fn registered_functions_are_documented() {
    let ctx = session();
    let names = quantfusion::udfs::all_functions();
    assert!(names.len() >= 9);
    for f in &names {
        let doc = f
            .documentation()
            .unwrap_or_else(|| panic!("{} has no documentation", f.name));
        assert!(doc.description.contains("Looks ahead"), "{}", f.name);
        assert!(doc.syntax_example.starts_with(f.name), "{}", f.name);
        assert!(
            doc.sql_example
                .as_deref()
                .is_some_and(|e| e.contains(f.name)),
            "{}",
            f.name
        );
    }
    let v = column(
        &ctx,
        "SELECT count(*) FROM information_schema.routines WHERE routine_name IN \
         ('sma', 'ema', 'log_return', 'pct_return', 'rolling_mean', 'rolling_std', \
          'sharpe_ratio', 'cyclical_sin', 'cyclical_cos') AND description LIKE '%Looks ahead%'",
    )
    .await
    .unwrap();
    assert_eq!(v, vec![Some(9.0)]);
}

#[tokio::test]
async fn copy_writes_hive_partitions() {
    let ctx = session();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let sql = format!(
        "COPY (SELECT symbol, ts, sma(close, 2) OVER (PARTITION BY symbol ORDER BY ts) AS s FROM {PRICES}) \
         TO '{}/' STORED AS PARQUET PARTITIONED BY (symbol)",
        out.display()
    );
    let v = column(&ctx, &sql).await.unwrap();
    assert_eq!(v, vec![Some(9.0)]);
    assert!(out.join("symbol=A").is_dir() && out.join("symbol=B").is_dir());
    let back = column(
        &ctx,
        &format!(
            "SELECT count(s) FROM '{}/' WHERE symbol = 'B'",
            out.display()
        ),
    )
    .await
    .unwrap();
    assert_eq!(back, vec![Some(2.0)]);
}
