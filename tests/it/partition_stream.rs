//! Window evaluation one partition at a time (`PartitionStreamExec`) gives exactly
//! what DataFusion's buffering `WindowAggExec` gives, whatever the batch boundaries,
//! partition sizes and parallelism.

use crate::common::{for_each_window_stage, table_text};
use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::util::pretty::pretty_format_batches;
use datafusion::prelude::{SessionConfig, SessionContext};
use rstest::rstest;

/// Partitions of 1 to 40 rows (one of them NULL-keyed), rows stored in a scrambled
/// order, prices with NULL and NaN gaps, and a column no window reads (carried
/// through from the input's own slices). Windows that read ORDER BY values (a RANGE
/// frame, a rank) sit beside ones that do not (which skip concatenating them).
const BARS: &str = "CREATE OR REPLACE VIEW bars AS SELECT \
      CASE WHEN i % 17 = 5 THEN NULL ELSE 'S' || CAST((i * 7919) % 23 AS VARCHAR) END AS symbol, \
      (i * 104729) % 1000 AS ts, \
      CASE WHEN i % 29 = 3 THEN NULL WHEN i % 31 = 4 THEN 'NaN'::double \
           ELSE 100 + sin(i * 0.37) * 5 + cos(i * 0.011) * 3 END AS close, \
      'row ' || CAST(i AS VARCHAR) AS note \
    FROM generate_series(0, 599) AS t(i)";

const QUERY: &str = "SELECT symbol, ts, close, note, \
      ema(close, 5) OVER w AS ema5, \
      rolling_std(close, 4) OVER w AS std4, \
      rsi(close, 3) OVER w AS rsi3, \
      cross_above(close, 100) OVER w AS up, \
      avg(close) OVER (PARTITION BY symbol ORDER BY ts ROWS 3 PRECEDING) AS avg4, \
      sum(close) OVER (PARTITION BY symbol ORDER BY ts RANGE BETWEEN 90 PRECEDING AND CURRENT ROW) AS near, \
      rank() OVER (PARTITION BY symbol ORDER BY ts DESC) AS latest, \
      row_number() OVER w AS n, \
      lag(close, 2) OVER w AS lag2 \
    FROM bars WINDOW w AS (PARTITION BY symbol ORDER BY ts) \
    ORDER BY symbol NULLS FIRST, ts";

fn config(batch_size: usize, partitions: usize) -> SessionConfig {
    SessionConfig::new()
        .with_batch_size(batch_size)
        .with_target_partitions(partitions)
}

async fn run(ctx: &SessionContext) -> String {
    run_over(ctx, BARS, QUERY).await
}

async fn run_over(ctx: &SessionContext, bars: &str, query: &str) -> String {
    ctx.sql(bars).await.unwrap().collect().await.unwrap();
    let batches = ctx.sql(query).await.unwrap().collect().await.unwrap();
    pretty_format_batches(&batches).unwrap().to_string()
}

async fn plan(ctx: &SessionContext) -> String {
    ctx.sql(BARS).await.unwrap().collect().await.unwrap();
    table_text(ctx, &format!("EXPLAIN FORMAT INDENT {QUERY}")).await
}

#[rstest]
#[case(1, 1)]
#[case(3, 1)]
#[case(7, 4)]
#[case(64, 2)]
#[case(8192, 3)]
#[tokio::test]
async fn streaming_equals_buffering(#[case] batch_size: usize, #[case] partitions: usize) {
    let streaming = SessionContext::new_with_config(config(batch_size, partitions));
    quantfusion_udfs::register_all(&streaming);
    let buffering = SessionContext::new_with_config(config(batch_size, partitions));
    quantfusion_udfs::register_all_in(&mut *buffering.state_ref().write()).unwrap();

    assert!(plan(&streaming).await.contains("PartitionStreamExec"));
    assert!(!plan(&buffering).await.contains("PartitionStreamExec"));
    let expected = run(&buffering).await;
    assert_eq!(run(&streaming).await, expected);
    assert_eq!(
        expected.lines().count(),
        600 + 4,
        "600 rows and the table frame"
    );
}

/// Partitions of about 1,700 rows (long enough that their results are emitted as
/// slices of their own, not copied together), one NULL-keyed, rows scrambled, and
/// the Bollinger bands and `sma` sharing one computation.
const LONG_BARS: &str = "CREATE OR REPLACE VIEW bars AS SELECT \
      CASE WHEN i % 6 = 5 THEN NULL ELSE 'S' || CAST((i * 7919) % 5 AS VARCHAR) END AS symbol, \
      (i * 104729) % 10007 AS ts, \
      CASE WHEN i % 290 = 3 THEN NULL ELSE 100 + sin(i * 0.37) * 5 + cos(i * 0.011) * 3 END AS close, \
      'row ' || CAST(i AS VARCHAR) AS note \
    FROM generate_series(0, 9999) AS t(i)";

const LONG_QUERY: &str = "SELECT symbol, ts, close, note, \
      ema(close, 5) OVER w AS ema5, \
      sma(close, 20) OVER w AS sma20, \
      bb_upper(close, 20, 2) OVER w AS upper, \
      bb_lower(close, 20, 1.5) OVER w AS lower, \
      row_number() OVER w AS n, \
      lag(close, 2) OVER w AS lag2 \
    FROM bars WINDOW w AS (PARTITION BY symbol ORDER BY ts) \
    ORDER BY symbol NULLS FIRST, ts";

#[rstest]
#[case(1000, 1)]
#[case(333, 2)]
#[case(4096, 3)]
#[case(8192, 1)]
#[tokio::test]
async fn long_partitions_stream_as_they_buffer(
    #[case] batch_size: usize,
    #[case] partitions: usize,
) {
    let streaming = SessionContext::new_with_config(config(batch_size, partitions));
    quantfusion_udfs::register_all(&streaming);
    let buffering = SessionContext::new_with_config(config(batch_size, partitions));
    quantfusion_udfs::register_all_in(&mut *buffering.state_ref().write()).unwrap();
    let expected = run_over(&buffering, LONG_BARS, LONG_QUERY).await;
    assert_eq!(run_over(&streaming, LONG_BARS, LONG_QUERY).await, expected);
    assert_eq!(expected.lines().count(), 10_000 + 4);
}

/// Three sorted partitions of 5,000 rows without gaps: each one's first rows, where
/// `sma(close, 20)` and `ema(close, 5)` warm up, leave in a batch of their own, so
/// every other batch has no NULL (Arrow's aggregates and the parquet writer then
/// take their NULL-free paths).
#[tokio::test]
async fn warm_up_rows_leave_in_batches_of_their_own() {
    let ctx = SessionContext::new_with_config(config(8192, 1));
    quantfusion_udfs::register_all(&ctx);
    let query = "SELECT symbol, sma(close, 20) OVER w AS s, ema(close, 5) OVER w AS e \
        FROM (SELECT 'S' || CAST(i / 5000 AS VARCHAR) AS symbol, i AS ts, \
                     100 + sin(i * 0.37) AS close FROM generate_series(0, 14999) AS t(i)) \
        WINDOW w AS (PARTITION BY symbol ORDER BY ts)";
    let batches = ctx.sql(query).await.unwrap().collect().await.unwrap();
    let nulls = |b: &RecordBatch| b.column(1).null_count() + b.column(2).null_count();
    let with_nulls: Vec<(usize, usize)> = batches
        .iter()
        .filter(|b| nulls(b) > 0)
        .map(|b| (b.num_rows(), nulls(b)))
        .collect();
    // Each warm-up batch: 19 rows, sma NULL in all 19 and ema in the first 4.
    assert_eq!(with_nulls, vec![(19, 23); 3]);
    let rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
    assert_eq!(rows, 15_000);
}

/// A stage whose output goes straight into another window stage keeps each
/// partition's rows together (the next stage would otherwise concatenate them);
/// the last stage splits off its warm-up rows.
#[tokio::test]
async fn only_the_last_of_chained_window_stages_splits_off_warm_ups() {
    let ctx = SessionContext::new();
    quantfusion_udfs::register_all(&ctx);
    let query = "SELECT symbol, rolling_std(lr, 20) OVER w AS vol FROM ( \
          SELECT symbol, ts, log_return(close) OVER w AS lr FROM ( \
            SELECT 'S' || CAST(i / 500 AS VARCHAR) AS symbol, i AS ts, \
                   100 + sin(i * 0.37) AS close FROM generate_series(0, 1999) AS t(i)) \
          WINDOW w AS (PARTITION BY symbol ORDER BY ts)) \
        WINDOW w AS (PARTITION BY symbol ORDER BY ts)";
    let mut stages = Vec::new();
    for_each_window_stage(&ctx, query, |stage| stages.push(stage.null_free_tails())).await;
    assert_eq!(stages, vec![true, false], "outer stage first");
}

#[tokio::test]
async fn registering_twice_adds_the_rule_once() {
    let ctx = SessionContext::new();
    quantfusion_udfs::register_all(&ctx);
    quantfusion_udfs::register_all(&ctx);
    let rules = ctx.state().physical_optimizers().to_vec();
    let ours = rules
        .iter()
        .filter(|r| r.name() == "stream_window_partitions")
        .count();
    assert_eq!(ours, 1);
}

#[tokio::test]
async fn a_window_without_partition_by_stays_as_it_was() {
    let ctx = SessionContext::new();
    quantfusion_udfs::register_all(&ctx);
    let batches = ctx
        .sql("EXPLAIN FORMAT INDENT SELECT ema(x, 2) OVER (ORDER BY t) FROM (VALUES (1, 1.0), (2, 2.0)) v(t, x)")
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    let plan = pretty_format_batches(&batches).unwrap().to_string();
    assert!(plan.contains("WindowAggExec"), "{plan}");
    assert!(!plan.contains("PartitionStreamExec"), "{plan}");
}
