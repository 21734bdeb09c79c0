//! Stage materialisation: partitioned parquet, replaced only when complete.

use crate::common::{column, repo_root, session};
use quantfusion::materialize::{materialize, MaterializeOptions};
use std::path::Path;

/// Options for a write partitioned by `columns`.
fn by(columns: &[&str]) -> MaterializeOptions {
    MaterializeOptions::partitioned_by(columns)
}

fn url(dir: &Path) -> String {
    dir.to_str().unwrap().to_string()
}

const STAGE: &str = "CREATE VIEW prices AS SELECT * FROM (VALUES ('A', 1, 1.0), ('A', 2, 2.0), ('B', 1, 5.0)) t(symbol, ts, close);\n\
                     SELECT symbol, ts, sma(close, 2) OVER (PARTITION BY symbol ORDER BY ts) AS s FROM prices";

#[tokio::test]
async fn writes_partitions_and_replaces_on_rerun() {
    let ctx = session();
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("features");
    let written = materialize(&ctx, STAGE, &url(&dest), &by(&["symbol"]))
        .await
        .unwrap();
    assert_eq!((written.rows, written.partitions), (3, 2));
    assert!(dest.join("symbol=A").is_dir());

    let ctx = session();
    let again = materialize(&ctx, STAGE, &url(&dest), &by(&["symbol"]))
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
    materialize(&ctx, STAGE, &url(&dest), &by(&["symbol"]))
        .await
        .unwrap();
    let bad = STAGE.replace("sma(close, 2)", "sma(close, 0)");
    let err = materialize(&session(), &bad, &url(&dest), &by(&["symbol"]))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("sma: period"), "{err}");
    let err = materialize(&session(), STAGE, &url(&dest), &by(&["pair"]))
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
    let written = materialize(&session(), &sql, &url(&dest), &by(&["symbol"]))
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
    let written = materialize(&ctx, &sql, &url(&dest), &by(&["pair", "year_month"]))
        .await
        .unwrap();
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
    let written = materialize(&ctx, &sql, &url(&dest), &by(&["pair"]))
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

#[tokio::test]
async fn indicators36_stage_on_real_hourly_bars() {
    let ctx = session();
    // Real EURUSD hourly bars, plus the same bars at twice the price as a second
    // symbol: every ratio feature must come out the same for both.
    let file = crate::common::shared_data("fx_h1_eurusd_backtestingpy_2017-2018.parquet");
    ctx.sql(&format!(
        "CREATE VIEW bars AS \
           SELECT pair AS symbol, ts, open, high, low, close, volume FROM '{file}' \
           UNION ALL \
           SELECT 'EURUSD_X2', ts, 2 * open, 2 * high, 2 * low, 2 * close, volume FROM '{file}'"
    ))
    .await
    .unwrap();
    let sql = std::fs::read_to_string(repo_root().join("sql/indicators36.sql")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("indicators36");
    let written = materialize(&ctx, &sql, &url(&dest), &by(&["symbol"]))
        .await
        .unwrap();
    assert_eq!((written.rows, written.partitions), (10_000, 2));
    assert_eq!(written.files, 2, "one file per symbol");
    let out = format!("'{}/'", dest.display());
    let columns = ctx
        .sql(&format!("SELECT * FROM {out}"))
        .await
        .unwrap()
        .schema()
        .fields()
        .len();
    assert_eq!(columns, 3 + 37, "symbol, ts, close and 37 features");

    let one = |sql: String| {
        let ctx = ctx.clone();
        async move { column(&ctx, &sql).await.unwrap()[0] }
    };
    // sma_24 against DataFusion's own frame average.
    let worst = one(format!(
        "SELECT max(abs(sma_24 - avg_24)) FROM (SELECT sma_24, \
           avg(close) OVER (PARTITION BY symbol ORDER BY ts ROWS 23 PRECEDING) AS avg_24 \
         FROM {out}) WHERE sma_24 IS NOT NULL"
    ))
    .await;
    assert!(worst.unwrap() < 1e-12, "{worst:?}");
    // Crossovers against LAG, counted per symbol.
    let crossings = |flag: &str, cmp: &str, not_cmp: &str| {
        format!(
            "SELECT count(*) FILTER (WHERE {flag}) - count(*) FILTER (WHERE s24 {cmp} s120 AND p24 {not_cmp} p120) \
             FROM (SELECT {flag}, sma_24 AS s24, sma_120 AS s120, \
                     lag(sma_24) OVER (PARTITION BY symbol ORDER BY ts) AS p24, \
                     lag(sma_120) OVER (PARTITION BY symbol ORDER BY ts) AS p120 FROM {out})"
        )
    };
    assert_eq!(one(crossings("ma_cross_up", ">", "<=")).await, Some(0.0));
    assert_eq!(one(crossings("ma_cross_down", "<", ">=")).await, Some(0.0));
    let up = one(format!("SELECT count(*) FROM {out} WHERE ma_cross_up")).await;
    assert!(up.unwrap() > 10.0, "{up:?}");
    // The session flag against the rule written in plain SQL.
    let disagree = one(format!(
        "SELECT count(*) FROM {out} WHERE market_open <> ( \
           (day_of_week BETWEEN 1 AND 4 AND hour * 60 + extract(minute FROM ts) < 21 * 60 + 55) \
           OR (day_of_week = 5 AND hour < 20))"
    ))
    .await;
    assert_eq!(disagree, Some(0.0));
    // Scale invariance: ratios, signs and oscillators agree between the two symbols.
    let worst = one(format!(
        "SELECT max(greatest(abs(a.price_sma_480_ratio - b.price_sma_480_ratio), \
                             abs(a.bb_position - b.bb_position), \
                             abs(a.willr_14 - b.willr_14) / 100, \
                             abs(a.atr_normalized - b.atr_normalized), \
                             abs(a.realized_vol_120 - b.realized_vol_120), \
                             abs(a.return_var_24 - b.return_var_24) * 1e4, \
                             abs(a.return_sign - b.return_sign))) \
         FROM {out} a JOIN {out} b ON a.ts = b.ts \
         WHERE a.symbol = 'EURUSD' AND b.symbol = 'EURUSD_X2'"
    ))
    .await;
    assert!(worst.unwrap() < 1e-9, "{worst:?}");
}

#[tokio::test]
async fn files_record_compression_statistics_and_sort_order() {
    use datafusion::parquet::basic::Compression;
    use datafusion::parquet::file::reader::{FileReader, SerializedFileReader};
    let ctx = session();
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("features");
    materialize(&ctx, STAGE, &url(&dest), &by(&["symbol"]))
        .await
        .unwrap();
    let file = std::fs::read_dir(dest.join("symbol=A"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "parquet"))
        .unwrap();
    let reader = SerializedFileReader::new(std::fs::File::open(file).unwrap()).unwrap();
    let row_group = reader.metadata().row_group(0);
    // The file holds ts and s (symbol is the directory); rows are in ts order.
    let sorting = row_group.sorting_columns().expect("sort order recorded");
    assert_eq!(sorting.len(), 1);
    assert_eq!(sorting[0].column_idx, 0);
    assert!(!sorting[0].descending);
    let ts = row_group.column(0);
    assert!(
        matches!(ts.compression(), Compression::ZSTD(_)),
        "{:?}",
        ts.compression()
    );
    assert!(ts.statistics().is_some(), "statistics written");
}
