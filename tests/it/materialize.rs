//! Stage materialisation: partitioned parquet, replaced only when complete.

use crate::common::{column, repo_root, session};
use quantfusion::materialize::materialize;

const STAGE: &str = "CREATE VIEW prices AS SELECT * FROM (VALUES ('A', 1, 1.0), ('A', 2, 2.0), ('B', 1, 5.0)) t(symbol, ts, close);\n\
                     SELECT symbol, ts, sma(close, 2) OVER (PARTITION BY symbol ORDER BY ts) AS s FROM prices";

#[tokio::test]
async fn writes_partitions_and_replaces_on_rerun() {
    let ctx = session();
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("features");
    let written = materialize(&ctx, STAGE, &dest, &["symbol".into()])
        .await
        .unwrap();
    assert_eq!((written.rows, written.partitions), (3, 2));
    assert!(dest.join("symbol=A").is_dir());

    let ctx = session();
    let again = materialize(&ctx, STAGE, &dest, &["symbol".into()])
        .await
        .unwrap();
    assert_eq!(again.rows, 3);
    let v = column(&ctx, &format!("SELECT count(*) FROM '{}/'", dest.display()))
        .await
        .unwrap();
    assert_eq!(v, vec![Some(3.0)], "a rerun replaces, it does not append");
    // no staging directories are left beside the output
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(leftovers.len(), 1);
}

#[tokio::test]
async fn failing_stage_leaves_the_previous_output() {
    let ctx = session();
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("features");
    materialize(&ctx, STAGE, &dest, &["symbol".into()])
        .await
        .unwrap();
    let bad = STAGE.replace("sma(close, 2)", "sma(close, 0)");
    let err = materialize(&session(), &bad, &dest, &["symbol".into()])
        .await
        .unwrap_err();
    assert!(err.to_string().contains("sma: period"), "{err}");
    let err = materialize(&session(), STAGE, &dest, &["pair".into()])
        .await
        .unwrap_err();
    assert!(err.to_string().contains("partition column 'pair'"), "{err}");
    assert!(dest.join("symbol=B").is_dir());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[tokio::test]
async fn the_shipped_stage_runs_on_the_shipped_sample() {
    let root = repo_root();
    let sql = std::fs::read_to_string(root.join("sql/daily_features.sql")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("daily");
    // the stage reads its sample by a path relative to the repository root
    let sql = sql.replace("'data/", &format!("'{}/data/", root.display()));
    let written = materialize(&session(), &sql, &dest, &["symbol".into()])
        .await
        .unwrap();
    assert!(written.rows > 10_000, "{written:?}");
    assert_eq!(written.partitions, 20);
}

#[tokio::test]
async fn fx_regression_stage_partitions_by_pair_and_month() {
    let ctx = session();
    ctx.sql(
        "CREATE VIEW m1_bars AS SELECT \
           CASE WHEN i % 2 = 0 THEN 'EURUSD' ELSE 'USDJPY' END AS pair, \
           to_timestamp_seconds(1706700000 + (i / 2) * 3600) AS ts, \
           1.0 + sin(i / 7.0) * 0.01 + i * 1e-5 AS close \
         FROM generate_series(0, 1999) t(i)",
    )
    .await
    .unwrap();
    let sql = std::fs::read_to_string(repo_root().join("sql/fx_regression.sql")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("fx");
    let partition_by = ["pair".to_string(), "year_month".to_string()];
    let written = materialize(&ctx, &sql, &dest, &partition_by).await.unwrap();
    // 1,000 hourly bars per pair from 2024-01-31 span January to March
    assert_eq!((written.rows, written.partitions), (2000, 6));
    assert!(dest.join("pair=EURUSD/year_month=2024-02").is_dir());
    let v = column(
        &ctx,
        &format!(
            "SELECT count(slope_480) FROM '{}/' WHERE pair = 'USDJPY'",
            dest.display()
        ),
    )
    .await
    .unwrap();
    assert_eq!(v, vec![Some(1000.0 - 479.0)]);
}

#[tokio::test]
async fn stationarize_stage_writes_features_and_unit_root_tests_per_pair() {
    let ctx = session();
    // Two pairs of 1,500 minute bars: a random-walk-like level (deterministic).
    ctx.sql(
        "CREATE VIEW m1_bars AS SELECT \
           CASE WHEN i % 2 = 0 THEN 'EURUSD' ELSE 'GBPUSD' END AS pair, \
           to_timestamp_seconds(1767000000 + (i / 2) * 60) AS ts, \
           exp(0.1 + sin(i * 0.37) * 0.002 + cos(i * 0.011) * 0.01 + (i % 13) * 1e-4) AS close \
         FROM generate_series(0, 2999) t(i)",
    )
    .await
    .unwrap();
    let sql = std::fs::read_to_string(repo_root().join("sql/stationarize.sql")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("stationarize");
    let written = materialize(&ctx, &sql, &dest, &["pair".to_string()])
        .await
        .unwrap();
    assert_eq!((written.rows, written.partitions), (3000, 2));
    let counts = column(
        &ctx,
        &format!(
            "SELECT count(bk_cycle) FROM '{}/' WHERE pair = 'GBPUSD'",
            dest.display()
        ),
    )
    .await
    .unwrap();
    // The first and last 12 of 1,500 bars have no Baxter-King value.
    assert_eq!(counts, vec![Some(1500.0 - 24.0)]);
    let p = column(
        &ctx,
        &format!(
            "SELECT max(adf_p_09) FROM '{}/' WHERE pair = 'EURUSD'",
            dest.display()
        ),
    )
    .await
    .unwrap();
    assert!(p[0].is_some_and(|p| (0.0..=1.0).contains(&p)), "{p:?}");
}
