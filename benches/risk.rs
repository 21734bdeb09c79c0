//! Risk scorecard and Monte-Carlo drawdown benchmarks (see benches/README.md):
//! every risk aggregate in one `GROUP BY` over 1,000 symbols x 2,520 daily returns
//! read from sorted parquet, and `mc_max_drawdown` with 10,000 simulations of one
//! 2,520-row series, as a bare kernel and through SQL.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use datafusion::arrow::array::{Float64Array, Int64Array, RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::datasource::MemTable;
use datafusion::prelude::SessionContext;
use quantfusion::udfs::kernels::bootstrap::{available_threads, mc_max_drawdown, Bootstrap};
use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

const SYMBOLS: usize = 1_000;
const DAYS: usize = 2_520;
const SIMULATIONS: usize = 10_000;

/// The scorecard of benches/risk_peers.py, as one query.
pub const SCORECARD: &str = "SELECT symbol, sharpe_ratio(ret, 252), sortino_ratio(ret, 252), \
    annual_return(ret, 252), annual_volatility(ret, 252), calmar_ratio(ret, 252 ORDER BY ts), \
    max_drawdown(ret ORDER BY ts), value_at_risk(ret, 0.05), conditional_value_at_risk(ret, 0.05), \
    omega_ratio(ret), tail_ratio(ret), downside_risk(ret, 252), \
    stability_of_timeseries(ret ORDER BY ts), win_rate(ret), profit_factor(ret), \
    total_return(ret ORDER BY ts) FROM returns GROUP BY symbol";

/// Daily-like returns: xorshift noise in ±3% with a small drift.
fn returns() -> Vec<f64> {
    let mut s = 0x2545_F491_4F6C_DD1Du64;
    (0..SYMBOLS * DAYS)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s % 60_001) as f64 / 1e6 - 0.0299
        })
        .collect()
}

fn batch(ret: &[f64]) -> RecordBatch {
    let schema = Arc::new(Schema::new(vec![
        Field::new("symbol", DataType::Utf8, false),
        Field::new("ts", DataType::Int64, false),
        Field::new("ret", DataType::Float64, false),
    ]));
    let rows = 0..ret.len();
    RecordBatch::try_new(
        schema,
        vec![
            Arc::new(StringArray::from_iter_values(
                rows.clone().map(|i| format!("S{:04}", i / DAYS)),
            )),
            Arc::new(Int64Array::from_iter_values(
                rows.map(|i| (i % DAYS) as i64),
            )),
            Arc::new(Float64Array::from(ret.to_vec())),
        ],
    )
    .unwrap()
}

/// A session with `returns` as a parquet file sorted by (symbol, ts).
fn session(
    runtime: &tokio::runtime::Runtime,
    dir: &std::path::Path,
    ret: &[f64],
) -> SessionContext {
    let ctx = quantfusion::context::session_context().unwrap();
    let data = batch(ret);
    let table = MemTable::try_new(data.schema(), vec![vec![data]]).unwrap();
    ctx.register_table("generated", Arc::new(table)).unwrap();
    let file = dir.join("returns.parquet");
    runtime.block_on(async {
        for sql in [
            format!(
                "COPY (SELECT * FROM generated) TO '{}' STORED AS PARQUET",
                file.display()
            ),
            format!(
                "CREATE EXTERNAL TABLE returns STORED AS PARQUET LOCATION '{}' \
                 WITH ORDER (symbol ASC, ts ASC)",
                file.display()
            ),
        ] {
            ctx.sql(&sql).await.unwrap().collect().await.unwrap();
        }
    });
    ctx
}

fn run(runtime: &tokio::runtime::Runtime, ctx: &SessionContext, sql: &str) -> usize {
    runtime.block_on(async {
        let batches = ctx.sql(sql).await.unwrap().collect().await.unwrap();
        batches.iter().map(|b| b.num_rows()).sum()
    })
}

fn benches(c: &mut Criterion) {
    let ret = returns();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ctx = session(&runtime, dir.path(), &ret);

    let mut group = c.benchmark_group("risk");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(15));
    group.throughput(Throughput::Elements((SYMBOLS * DAYS) as u64));
    group.bench_function("scorecard_sql", |b| {
        b.iter(|| assert_eq!(run(&runtime, &ctx, SCORECARD), SYMBOLS))
    });

    group.throughput(Throughput::Elements((SIMULATIONS * DAYS) as u64));
    let series = &ret[..DAYS];
    let bootstrap = Bootstrap {
        simulations: SIMULATIONS,
        block: 1,
        seed: 1,
    };
    let threads = available_threads();
    group.bench_function("mc_max_drawdown_kernel", |b| {
        b.iter(|| mc_max_drawdown(black_box(series), 0.05, &bootstrap, threads))
    });
    let mc_sql = format!(
        "SELECT mc_max_drawdown(ret, {SIMULATIONS}, 0.05, 1 ORDER BY ts) FROM returns WHERE symbol = 'S0000'"
    );
    group.bench_function("mc_max_drawdown_sql", |b| {
        b.iter(|| assert_eq!(run(&runtime, &ctx, &mc_sql), 1))
    });
    group.finish();
}

criterion_group!(risk, benches);
criterion_main!(risk);
