//! A sorted file read as several byte ranges feeds window functions and `GROUP BY`
//! without a hash repartition or a merge (`KeyHandoffExec`): results equal a
//! single-stream read whatever the number of ranges, however keys straddle the range
//! boundaries, and in whatever order the output streams are consumed.

use crate::common::table_text;
use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::util::pretty::pretty_format_batches;
use datafusion::physical_plan::aggregates::AggregateExec;
use datafusion::physical_plan::{collect_partitioned, ExecutionPlan, ExecutionPlanProperties};
use datafusion::prelude::SessionContext;
use futures::TryStreamExt;
use quantfusion_udfs::framework::bundle::BundleUdf;
use quantfusion_udfs::framework::SortedGroupsExec;
use rstest::rstest;
use std::path::Path;
use std::sync::Arc;

/// 141 keys of 1, 3, 5, ... 281 rows, then one key of 12,000 rows (longer than a
/// range at every tested parallelism), then 500 NULL-keyed rows; NULL and NaN gaps.
async fn write_sorted_file(path: &Path) {
    let ctx = quantfusion::context::session_context().unwrap();
    ctx.sql("SET datafusion.execution.target_partitions = 1")
        .await
        .unwrap();
    let sql = format!(
        "COPY (SELECT \
           CASE WHEN i < 19881 THEN 'S' || lpad(CAST(CAST(floor(sqrt(i)) AS BIGINT) AS VARCHAR), 3, '0') \
                WHEN i < 31881 THEN 'T' ELSE NULL END AS sym, \
           i AS ts, \
           CASE WHEN i % 97 = 5 THEN NULL WHEN i % 89 = 7 THEN 'NaN'::double \
                ELSE 100 + sin(i * 0.37) * 5 + cos(i * 0.011) * 3 END AS x \
         FROM generate_series(0, 32380) AS t(i) ORDER BY sym ASC NULLS LAST, ts) \
         TO '{}' STORED AS PARQUET OPTIONS ('format.max_row_group_size' '300')",
        path.display()
    );
    ctx.sql(&sql).await.unwrap().collect().await.unwrap();
}

/// The file of [`write_sorted_file`] in a fresh directory (kept alive by the caller).
async fn sorted_file() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sorted.parquet");
    write_sorted_file(&file).await;
    (dir, file)
}

const QUERY: &str = "SELECT sym, ts, \
      ema(x, 5) OVER w AS ema5, rolling_std(x, 4) OVER w AS std4, \
      lag(x, 1) OVER w AS lag1, row_number() OVER w AS n, \
      sum(x) OVER (PARTITION BY sym ORDER BY ts ROWS UNBOUNDED PRECEDING) AS running \
    FROM t WINDOW w AS (PARTITION BY sym ORDER BY ts)";

async fn session(file: &Path, partitions: usize) -> SessionContext {
    session_ordered_by(file, partitions, "sym ASC NULLS LAST, ts ASC").await
}

/// A session reading `file` as table `t` declared sorted by `order`, on
/// `partitions` streams (byte ranges however small the file).
async fn session_ordered_by(file: &Path, partitions: usize, order: &str) -> SessionContext {
    let ctx = quantfusion::context::session_context().unwrap();
    for set in [
        format!("SET datafusion.execution.target_partitions = {partitions}"),
        "SET datafusion.optimizer.repartition_file_min_size = 1".to_string(),
        format!(
            "CREATE EXTERNAL TABLE t STORED AS PARQUET LOCATION '{}' WITH ORDER ({order})",
            file.display()
        ),
    ] {
        ctx.sql(&set).await.unwrap().collect().await.unwrap();
    }
    ctx
}

fn sorted_text(batches: &[RecordBatch]) -> String {
    let text = pretty_format_batches(batches).unwrap().to_string();
    let mut lines: Vec<&str> = text.lines().filter(|l| l.starts_with("| ")).collect();
    let header = lines.remove(0);
    lines.sort();
    format!("{header}\n{}", lines.join("\n"))
}

async fn explain(ctx: &SessionContext, sql: &str) -> String {
    table_text(ctx, &format!("EXPLAIN FORMAT INDENT {sql}")).await
}

#[rstest]
#[case(2)]
#[case(3)]
#[case(4)]
#[case(7)]
#[tokio::test]
async fn windows_over_byte_ranges_equal_one_stream(#[case] partitions: usize) {
    let (_dir, file) = sorted_file().await;

    let one = session(&file, 1).await;
    let expected = sorted_text(&one.sql(QUERY).await.unwrap().collect().await.unwrap());
    assert_eq!(expected.lines().count(), 32381 + 1);

    let ctx = session(&file, partitions).await;
    let plan = explain(&ctx, QUERY).await;
    assert!(plan.contains("KeyHandoffExec"), "{plan}");
    assert!(!plan.contains("RepartitionExec"), "{plan}");
    let got = sorted_text(&ctx.sql(QUERY).await.unwrap().collect().await.unwrap());
    assert!(got == expected, "results differ at {partitions} ranges");

    // Windows stacked on windows and a sorted result keep working on the split.
    let stacked = format!(
        "SELECT sym, ts, sma(ema5, 3) OVER (PARTITION BY sym ORDER BY ts) AS s \
         FROM ({QUERY}) ORDER BY sym, ts"
    );
    let a = one.sql(&stacked).await.unwrap().collect().await.unwrap();
    let b = ctx.sql(&stacked).await.unwrap().collect().await.unwrap();
    assert_eq!(
        pretty_format_batches(&a).unwrap().to_string(),
        pretty_format_batches(&b).unwrap().to_string()
    );
}

/// A `GROUP BY` of the key over quantfusion's collecting aggregates (ordered ones
/// included: aggregated in one phase) reads the ranges as they are; with
/// DataFusion's own aggregates beside them the plan aggregates in two phases, and
/// its results are the same too.
#[rstest]
#[case(2)]
#[case(5)]
#[tokio::test]
async fn group_by_over_byte_ranges_equals_one_stream(#[case] partitions: usize) {
    let (_dir, file) = sorted_file().await;
    let ours = "SELECT sym, max_drawdown(x / 100 - 1 ORDER BY ts) AS mdd, \
          sharpe_ratio(x / 100 - 1, 252) AS sharpe, value_at_risk(x, 0.05) AS var5, \
          total_return(x / 1000 ORDER BY ts) AS growth \
        FROM t GROUP BY sym";
    let mixed = "SELECT sym, count(*) AS n, sum(x) AS total, \
          max_drawdown(x / 100 - 1 ORDER BY ts) AS mdd FROM t GROUP BY sym";
    let one = session(&file, 1).await;
    let ctx = session(&file, partitions).await;
    let plan = explain(&ctx, ours).await;
    assert!(plan.contains("KeyHandoffExec"), "{plan}");
    assert!(!plan.contains("RepartitionExec"), "{plan}");
    for query in [ours, mixed] {
        let expected = sorted_text(&one.sql(query).await.unwrap().collect().await.unwrap());
        assert_eq!(expected.lines().count(), 143 + 1);
        let got = sorted_text(&ctx.sql(query).await.unwrap().collect().await.unwrap());
        assert!(
            got == expected,
            "results differ at {partitions} ranges: {query}"
        );
    }
}

/// Whether the plan's bundle of collecting aggregates reads its groups as they
/// arrive (`Some(true)`), keeping no ORDER BY keys; `None` without a bundle.
fn bundle_reads_input_order(plan: &Arc<dyn ExecutionPlan>) -> Option<bool> {
    let aggregate = match plan.downcast_ref::<SortedGroupsExec>() {
        Some(sorted) => Some(sorted.aggregate().as_ref()),
        None => plan.downcast_ref::<AggregateExec>(),
    };
    if let Some(aggregate) = aggregate {
        let bundle = aggregate
            .aggr_expr()
            .iter()
            .find_map(|e| e.fun().inner().downcast_ref::<BundleUdf>().cloned());
        if let Some(bundle) = bundle {
            return Some(bundle.is_input_in_order());
        }
    }
    plan.children()
        .into_iter()
        .find_map(bundle_reads_input_order)
}

/// An ordered scorecard over the sorted file, aggregated in one phase, takes each
/// group's rows in the order they arrive (no keys), finding the groups as runs of
/// equal keys (`SortedGroupsExec`, no hashing); over rows in another order it keeps
/// and sorts by the keys in DataFusion's hash aggregation. Both give the same
/// values, bit for bit, with groups spanning many input batches (batches of 7 rows)
/// or few, and output batches of a few groups or of all. The unordered bundle
/// (`win_rate`, `profit_factor`) reads whole numbers, whose sums are exact in any
/// row order.
#[rstest]
#[case(1, 8192)]
#[case(3, 8192)]
#[case(1, 7)]
#[case(3, 7)]
#[tokio::test]
async fn groups_arriving_in_order_need_no_keys(#[case] partitions: usize, #[case] batch: usize) {
    let (_dir, file) = sorted_file().await;
    let metrics = "sym, max_drawdown(x / 100 - 1 ORDER BY ts) AS mdd, \
          sharpe_ratio(x / 100 - 1, 252) AS sharpe, calmar_ratio(x / 100 - 1, 252 ORDER BY ts) AS calmar, \
          stability_of_timeseries(x / 100 - 1 ORDER BY ts) AS stability, \
          win_rate(round(x) - 100) AS wins, profit_factor(round(x) - 100) AS pf";
    let in_order = format!("SELECT {metrics} FROM t GROUP BY sym");
    let shuffled =
        format!("SELECT {metrics} FROM (SELECT * FROM t ORDER BY x LIMIT 1000000) GROUP BY sym");
    let ctx = session(&file, partitions).await;
    ctx.sql(&format!("SET datafusion.execution.batch_size = {batch}"))
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    let mut results = Vec::new();
    for (query, reads_order) in [(&in_order, true), (&shuffled, false)] {
        let frame = ctx.sql(query).await.unwrap();
        let plan = frame.clone().create_physical_plan().await.unwrap();
        assert_eq!(
            bundle_reads_input_order(&plan),
            Some(reads_order),
            "{query}"
        );
        let text = explain(&ctx, query).await;
        assert_eq!(text.contains("SortedGroupsExec"), reads_order, "{text}");
        results.push(sorted_text(&frame.collect().await.unwrap()));
    }
    assert_eq!(results[0].lines().count(), 143 + 1);
    assert!(results[0] == results[1], "in-order and keyed groups differ");
}

/// Groups of two keys, NULL in either, over a file sorted by both: found as runs
/// (`SortedGroupsExec`) at 1 and 3 streams, with the values of DataFusion's hash
/// aggregation of the same rows in another order.
#[rstest]
#[case(1)]
#[case(3)]
#[tokio::test]
async fn sorted_groups_of_two_keys_with_nulls(#[case] partitions: usize) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("two_keys.parquet");
    let writer = quantfusion::context::session_context().unwrap();
    let copy = format!(
        "COPY (SELECT \
           CASE WHEN i < 9000 THEN 'S' || CAST(i / 3000 AS VARCHAR) ELSE NULL END AS sym, \
           CASE WHEN i % 11 = 0 THEN NULL ELSE (i % 3000) / 400 END AS bucket, \
           i AS ts, 100 + sin(i * 0.37) * 5 AS x \
         FROM generate_series(0, 9999) AS t(i) \
         ORDER BY sym ASC NULLS LAST, bucket ASC NULLS LAST, ts) \
         TO '{}' STORED AS PARQUET OPTIONS ('format.max_row_group_size' '700')",
        file.display()
    );
    writer.sql(&copy).await.unwrap().collect().await.unwrap();
    let order = "sym ASC NULLS LAST, bucket ASC NULLS LAST, ts ASC";
    let ctx = session_ordered_by(&file, partitions, order).await;
    let metrics = "sym, bucket, max_drawdown(x / 100 - 1 ORDER BY ts) AS mdd, \
          sharpe_ratio(x / 100 - 1, 252) AS sharpe, win_rate(round(x) - 100) AS wins, \
          profit_factor(round(x) - 100) AS pf";
    let in_order = format!("SELECT {metrics} FROM t GROUP BY sym, bucket");
    let shuffled = format!(
        "SELECT {metrics} FROM (SELECT * FROM t ORDER BY x LIMIT 1000000) GROUP BY sym, bucket"
    );
    let plan = explain(&ctx, &in_order).await;
    assert!(plan.contains("SortedGroupsExec"), "{plan}");
    assert!(!explain(&ctx, &shuffled).await.contains("SortedGroupsExec"));
    let got = sorted_text(&ctx.sql(&in_order).await.unwrap().collect().await.unwrap());
    let expected = sorted_text(&ctx.sql(&shuffled).await.unwrap().collect().await.unwrap());
    // 3 symbols x (8 buckets + NULL), and the NULL symbol's buckets 0-2 and NULL.
    assert_eq!(got.lines().count(), 31 + 1, "{got}");
    assert!(
        got == expected,
        "run-found and hashed groups differ:\n{got}\n{expected}"
    );
}

/// Each output stream drained to the end before the next is opened, in either
/// order, and the same plan executed twice: nothing waits on a stream nobody
/// polls, and every row comes out exactly once.
#[tokio::test]
async fn streams_consumed_one_after_another() {
    let (_dir, file) = sorted_file().await;
    let one = session(&file, 1).await;
    let expected = sorted_text(&one.sql(QUERY).await.unwrap().collect().await.unwrap());

    let ctx = session(&file, 4).await;
    let plan = ctx
        .sql(QUERY)
        .await
        .unwrap()
        .create_physical_plan()
        .await
        .unwrap();
    let streams = plan.output_partitioning().partition_count();
    assert_eq!(streams, 4);
    for order in [
        (0..streams).collect::<Vec<_>>(),
        (0..streams).rev().collect(),
    ] {
        let mut batches = Vec::new();
        for partition in order {
            let stream = plan.execute(partition, ctx.task_ctx()).unwrap();
            batches.extend(stream.try_collect::<Vec<_>>().await.unwrap());
        }
        assert!(sorted_text(&batches) == expected);
    }
    // All streams polled at once, each on its own task, as DataFusion runs them.
    let batches = collect_partitioned(plan, ctx.task_ctx()).await.unwrap();
    assert!(sorted_text(&batches.concat()) == expected);
}

/// A join pairs the partitions of its two inputs, so the standard hash
/// repartition stays; so does a file not sorted by the keys.
#[tokio::test]
async fn joins_and_other_orders_keep_the_repartition() {
    let (dir, file) = sorted_file().await;
    let ctx = session(&file, 3).await;
    let join = format!(
        "SELECT a.sym, a.ts, a.ema5, b.x FROM ({QUERY}) a \
         JOIN t b ON a.sym = b.sym AND a.ts = b.ts"
    );
    let plan = explain(&ctx, &join).await;
    assert!(!plan.contains("KeyHandoffExec"), "{plan}");

    // A copy sorted by time only: keys are not adjacent, so it is sorted instead.
    let by_time = dir.path().join("by_time.parquet");
    for sql in [
        format!(
            "COPY (SELECT * FROM t ORDER BY ts DESC) TO '{}' STORED AS PARQUET",
            by_time.display()
        ),
        format!(
            "CREATE EXTERNAL TABLE u STORED AS PARQUET LOCATION '{}'",
            by_time.display()
        ),
    ] {
        ctx.sql(&sql).await.unwrap().collect().await.unwrap();
    }
    let plan = explain(&ctx, &QUERY.replace("FROM t", "FROM u")).await;
    assert!(!plan.contains("KeyHandoffExec"), "{plan}");
    assert!(plan.contains("SortExec"), "{plan}");
}

/// A stage written as partitioned parquet from the split read holds the same rows
/// as one written from a single stream.
#[tokio::test]
async fn materialized_stage_equals_single_stream() {
    use quantfusion::materialize::{materialize, MaterializeOptions};
    let (dir, file) = sorted_file().await;
    let mut written = Vec::new();
    for partitions in [1, 3] {
        let ctx = session(&file, partitions).await;
        if partitions > 1 {
            assert!(explain(&ctx, QUERY).await.contains("KeyHandoffExec"));
        }
        let dest = dir.path().join(format!("out{partitions}"));
        let options = MaterializeOptions::partitioned_by(&["sym"]);
        let done = materialize(&ctx, QUERY, dest.to_str().unwrap(), &options)
            .await
            .unwrap();
        assert_eq!(done.rows, 32381);
        let back = quantfusion::context::session_context().unwrap();
        let rows = back
            .sql(&format!(
                "SELECT sym, ts, ema5, std4, lag1, n, running FROM '{}/'",
                dest.display()
            ))
            .await
            .unwrap()
            .collect()
            .await
            .unwrap();
        written.push(sorted_text(&rows));
    }
    assert_eq!(written[0].lines().count(), 32381 + 1);
    assert!(written[0] == written[1]);
}
