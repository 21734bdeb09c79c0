//! Risk aggregates that depend on row order, and the Monte-Carlo drawdown: the
//! order inside the call is honoured whatever the storage order and partitioning,
//! and the bootstrap is reproducible and agrees with numpy's.

use crate::common::{golden_dir, repo_root};
use datafusion::arrow::array::{Array, Float64Array, Int64Array, RecordBatch, StringArray};
use datafusion::arrow::compute::{cast, concat_batches};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::datasource::MemTable;
use datafusion::prelude::{SessionConfig, SessionContext};
use quantfusion::udfs::kernels::{drawdown, risk};
use std::sync::Arc;

fn session_with_partitions(partitions: usize) -> SessionContext {
    let ctx =
        SessionContext::new_with_config(SessionConfig::new().with_target_partitions(partitions));
    quantfusion::udfs::register_all(&ctx);
    ctx
}

/// Deterministic daily-like returns in ±2%.
fn returns(len: usize, seed: u64) -> Vec<f64> {
    let mut s = seed;
    (0..len)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s % 4001) as f64 / 100_000.0 - 0.02
        })
        .collect()
}

/// Registers `t(symbol, ts, ret)` with each symbol's rows scrambled (a stride
/// permutation) and dealt round-robin into `partitions` in-memory partitions.
fn register_scrambled(ctx: &SessionContext, series: &[(&str, Vec<f64>)], partitions: usize) {
    let schema = Arc::new(Schema::new(vec![
        Field::new("symbol", DataType::Utf8, false),
        Field::new("ts", DataType::Int64, false),
        Field::new("ret", DataType::Float64, true),
    ]));
    let mut rows: Vec<(&str, i64, f64)> = Vec::new();
    for (symbol, rets) in series {
        let n = rets.len();
        // 7919 is prime and does not divide n, so i -> i * 7919 mod n is a permutation.
        rows.extend((0..n).map(|i| {
            let t = i * 7919 % n;
            (*symbol, t as i64, rets[t])
        }));
    }
    let parts = (0..partitions)
        .map(|p| {
            let mine: Vec<_> = rows.iter().skip(p).step_by(partitions).collect();
            let batch = RecordBatch::try_new(
                schema.clone(),
                vec![
                    Arc::new(StringArray::from_iter_values(mine.iter().map(|r| r.0))),
                    Arc::new(Int64Array::from_iter_values(mine.iter().map(|r| r.1))),
                    Arc::new(Float64Array::from_iter_values(mine.iter().map(|r| r.2))),
                ],
            )
            .unwrap();
            vec![batch]
        })
        .collect();
    let table = MemTable::try_new(schema, parts).unwrap();
    ctx.register_table("t", Arc::new(table)).unwrap();
}

/// Every column of the result as f64 (NULL as `None`), row by row.
async fn rows(ctx: &SessionContext, sql: &str) -> Vec<Vec<Option<f64>>> {
    let batches = ctx.sql(sql).await.unwrap().collect().await.unwrap();
    let batch = concat_batches(&batches[0].schema(), &batches).unwrap();
    let columns: Vec<Float64Array> = batch
        .columns()
        .iter()
        .map(|c| {
            let c = cast(c, &DataType::Float64).unwrap();
            c.as_any().downcast_ref::<Float64Array>().unwrap().clone()
        })
        .collect();
    (0..batch.num_rows())
        .map(|r| {
            columns
                .iter()
                .map(|c| c.is_valid(r).then(|| c.value(r)))
                .collect()
        })
        .collect()
}

fn close(actual: Option<f64>, expected: Option<f64>, tol: f64) -> bool {
    match (actual, expected) {
        (Some(a), Some(e)) => (a - e).abs() <= tol * (1.0 + e.abs()),
        (a, e) => a == e,
    }
}

#[tokio::test]
async fn ordered_aggregates_follow_the_order_inside_the_call() {
    let a = returns(2_000, 3);
    let b = returns(1_001, 11);
    for partitions in [1, 4] {
        let ctx = session_with_partitions(partitions);
        register_scrambled(&ctx, &[("A", a.clone()), ("B", b.clone())], partitions);
        let got = rows(
            &ctx,
            "SELECT max_drawdown(ret ORDER BY ts), calmar_ratio(ret, 252 ORDER BY ts), \
             stability_of_timeseries(ret ORDER BY ts), total_return(ret ORDER BY ts), \
             max_drawdown(ret ORDER BY ts DESC), sharpe_ratio(ret, 252) \
             FROM t GROUP BY symbol ORDER BY symbol",
        )
        .await;
        for (row, series) in got.iter().zip([&a, &b]) {
            let reversed: Vec<f64> = series.iter().rev().copied().collect();
            let expected = [
                drawdown::max_drawdown(series),
                risk::calmar_ratio(series, 252.0),
                risk::stability_of_timeseries(series),
                drawdown::total_return(series),
                drawdown::max_drawdown(&reversed),
                risk::sharpe_ratio(series, 252.0),
            ];
            for (i, (&got, want)) in row.iter().zip(expected).enumerate() {
                assert!(
                    close(got, want, 1e-12),
                    "partitions {partitions}, column {i}: {got:?} vs {want:?}"
                );
            }
            // The order matters: backwards the drawdown differs.
            assert_ne!(row[0], row[4]);
        }
    }
}

#[tokio::test]
async fn ordered_aggregates_skip_missing_rows() {
    let ctx = session_with_partitions(2);
    let v = rows(
        &ctx,
        "SELECT max_drawdown(r ORDER BY ts), total_return(r ORDER BY ts) FROM \
         (VALUES (3, 0.5), (1, -0.5), (2, NULL), (4, 'NaN')) v(ts, r)",
    )
    .await;
    assert_eq!(v, vec![vec![Some(-0.5), Some(0.5 * 1.5 - 1.0)]]);
}

#[tokio::test]
async fn pnl_scorecard() {
    let ctx = session_with_partitions(2);
    let v = rows(
        &ctx,
        "SELECT win_rate(p), profit_factor(p) FROM \
         (VALUES ('a', 3.0), ('a', -1.0), ('a', 0.0), ('a', 1.0), ('b', 0.0), ('c', 2.0)) v(k, p) \
         GROUP BY k ORDER BY k",
    )
    .await;
    assert_eq!(
        v,
        vec![
            vec![Some(2.0 / 3.0), Some(4.0)],
            vec![None, None],
            vec![Some(1.0), None]
        ]
    );
}

#[tokio::test]
async fn drawdown_and_cumulative_return_paths() {
    let ctx = session_with_partitions(2);
    let v = rows(
        &ctx,
        "SELECT drawdown(r) OVER (ORDER BY ts), cum_return(r) OVER (ORDER BY ts) FROM \
         (VALUES (1, -0.5), (2, 1.0), (3, 0.5), (4, -0.1)) v(ts, r) ORDER BY ts",
    )
    .await;
    let dd: Vec<_> = v.iter().map(|r| r[0].unwrap()).collect();
    let cum: Vec<_> = v.iter().map(|r| r[1].unwrap()).collect();
    assert_eq!(dd[..3], [-0.5, 0.0, 0.0]);
    assert!((dd[3] + 0.1).abs() < 1e-15);
    assert_eq!(cum[..3], [-0.5, 0.0, 0.5]);
}

const MC_SQL: &str = "SELECT mc_max_drawdown(ret, 3000, 0.05, 42 ORDER BY ts), \
                      mc_max_drawdown(ret, 3000, 0.5, 42, 10 ORDER BY ts) FROM t GROUP BY symbol ORDER BY symbol";

#[tokio::test]
async fn mc_max_drawdown_depends_only_on_the_seed() {
    let series = [("A", returns(1_500, 5)), ("B", returns(700, 9))];
    let mut results = Vec::new();
    for partitions in [1, 2, 2] {
        let ctx = session_with_partitions(partitions);
        register_scrambled(&ctx, &series, partitions);
        results.push(rows(&ctx, MC_SQL).await);
    }
    assert_eq!(results[0], results[1]);
    assert_eq!(results[1], results[2]);
    let ctx = session_with_partitions(2);
    register_scrambled(&ctx, &series, 2);
    let other_seed = rows(&ctx, &MC_SQL.replace("42", "43")).await;
    assert_ne!(results[0], other_seed);
}

#[tokio::test]
async fn identical_returns_draw_one_drawdown() {
    let ctx = session_with_partitions(2);
    let loss = -0.01f64;
    let n = 40;
    let wealth = (0..n).fold(1.0, |w, _| w * (1.0 + loss));
    for (r, expected) in [(loss, wealth - 1.0), (0.01, 0.0)] {
        let v = rows(
            &ctx,
            &format!(
                "SELECT mc_max_drawdown(r, 500, 0.0, 1, 7 ORDER BY ts), \
                 mc_max_drawdown(r, 500, 1.0 ORDER BY ts) FROM \
                 (SELECT {r} AS r, v AS ts FROM generate_series(1, {n}) g(v))"
            ),
        )
        .await;
        assert_eq!(v, vec![vec![Some(expected), Some(expected)]]);
        assert!((expected - ((1.0 + r.min(0.0)).powi(n) - 1.0)).abs() < 1e-14);
    }
}

/// The quantiles of 20,000 resamples of the last 2,520 SPX returns lie where a
/// 100,000-resample numpy bootstrap of the same series puts them, within the
/// Dvoretzky–Kiefer–Wolfowitz bound: with probability at least 1 - α each empirical
/// CDF is within ε = sqrt(ln(2/α) / 2N) of the true one everywhere, so our q-quantile
/// lies between numpy's (q - ε_ours - ε_numpy) and (q + ε_ours + ε_numpy) quantiles
/// except with probability 2α (α = 1e-6 here: ε ≈ 0.0191 + 0.0085).
#[tokio::test]
async fn mc_max_drawdown_matches_a_numpy_bootstrap_within_sampling_error() {
    let reference: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo_root().join("tests/data/mc_max_drawdown_reference.json"))
            .unwrap(),
    )
    .unwrap();
    let ctx = session_with_partitions(2);
    ctx.register_parquet(
        "spx",
        golden_dir()
            .join("inputs/spx_returns.parquet")
            .to_str()
            .unwrap(),
        Default::default(),
    )
    .await
    .unwrap();
    let sims = 20_000.0;
    let dkw = |n: f64| ((2.0f64 / 1e-6).ln() / (2.0 * n)).sqrt();
    let eps = dkw(sims) + dkw(reference["sims"].as_f64().unwrap());
    for block in ["1", "21"] {
        let numpy: Vec<f64> = reference["quantiles"][block]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        let numpy_at = |q: f64| numpy[(q.clamp(0.0, 1.0) * 1000.0).round() as usize];
        for q in [0.05, 0.5, 0.95] {
            let sql = format!(
                "SELECT mc_max_drawdown(ret, {sims}, {q}, 7, {block} ORDER BY ts) FROM \
                 (SELECT ret, ts FROM spx WHERE ret IS NOT NULL ORDER BY ts DESC LIMIT 2520)"
            );
            let ours = rows(&ctx, &sql).await[0][0].unwrap();
            let (low, high) = (numpy_at(q - eps - 0.001), numpy_at(q + eps + 0.001));
            assert!(
                low <= ours && ours <= high,
                "block {block}, q {q}: {ours} outside [{low}, {high}] (numpy {})",
                numpy_at(q)
            );
        }
    }
}

/// Aggregates over the same series share one collection (one accumulator per
/// series, FILTER and ORDER BY), and give what each gives alone.
#[tokio::test]
async fn bundled_aggregates_agree_with_single_calls() {
    let ctx = session_with_partitions(2);
    register_scrambled(&ctx, &[("A", returns(900, 21)), ("B", returns(400, 4))], 2);
    let calls = [
        "sharpe_ratio(ret, 252)",
        "max_drawdown(ret ORDER BY ts)",
        "value_at_risk(ret, 0.05) FILTER (WHERE ts > 100)",
        "tail_ratio(ret) FILTER (WHERE ts > 100)",
        "total_return(ret ORDER BY ts)",
        "max_drawdown(ret ORDER BY ts DESC)",
        "win_rate(ret)",
        "sum(ret)",
        "stability_of_timeseries(ret * 2 ORDER BY ts)",
    ];
    let together = format!(
        "SELECT {} FROM t GROUP BY symbol ORDER BY symbol",
        calls.join(", ")
    );
    let plan = rows_of_text(&ctx, &format!("EXPLAIN {together}")).await;
    assert!(
        plan.contains("quantfusion_bundle(sharpe_ratio, max_drawdown, total_return, win_rate)")
            && plan.contains("quantfusion_bundle(value_at_risk, tail_ratio)"),
        "{plan}"
    );
    let all = rows(&ctx, &together).await;
    for (i, call) in calls.iter().enumerate() {
        let alone = rows(
            &ctx,
            &format!("SELECT {call} FROM t GROUP BY symbol ORDER BY symbol"),
        )
        .await;
        // In a bundle with an ordered member, the others see the rows in that order:
        // sums may round differently in the last bits.
        for (row, single) in all.iter().zip(&alone) {
            assert!(
                close(row[i], single[0], 1e-12),
                "{call}: {:?} vs {:?}",
                row[i],
                single[0]
            );
        }
    }
}

/// The text of every cell of the result, one line per row.
async fn rows_of_text(ctx: &SessionContext, sql: &str) -> String {
    let batches = ctx.sql(sql).await.unwrap().collect().await.unwrap();
    datafusion::arrow::util::pretty::pretty_format_batches(&batches)
        .unwrap()
        .to_string()
}
