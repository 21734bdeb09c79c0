//! Stationarity benchmarks (see benches/README.md): the direct/FFT crossover of the
//! causal filter behind `frac_diff`, `frac_diff` through SQL over 100 series x
//! 100,000 rows, and the ADF and GARCH fits on the last 2,520 daily S&P 500 returns
//! of ../shared/golden (log-price path for ADF, percent returns for GARCH).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use datafusion::arrow::array::{Float64Array, Int64Array, RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::datasource::MemTable;
use quantfusion::udfs::kernels::adf::{adf, AdfTrend};
use quantfusion::udfs::kernels::convolution::{direct, overlap_save};
use quantfusion::udfs::kernels::garch::fit_garch11;
use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

const SERIES: usize = 100;
const ROWS: usize = 100_000;

/// A random walk of log prices (xorshift steps in ±1%).
fn walk(len: usize, seed: u64) -> Vec<f64> {
    let mut s = seed;
    let mut level = 4.6;
    (0..len)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            level += ((s % 20_001) as f64 / 1e6) - 0.01;
            level
        })
        .collect()
}

fn crossover(c: &mut Criterion) {
    let x = walk(100_000, 3);
    let mut out = vec![0.0; x.len()];
    let mut group = c.benchmark_group("convolution");
    group.throughput(Throughput::Elements(x.len() as u64));
    group.sample_size(10);
    for taps in [4, 8, 12, 16, 32, 64, 128] {
        let w: Vec<f64> = (0..taps).map(|k| 1.0 / (1.0 + k as f64)).collect();
        group.bench_with_input(BenchmarkId::new("direct", taps), &w, |b, w| {
            b.iter(|| direct(black_box(&x), w, &mut out))
        });
        group.bench_with_input(BenchmarkId::new("fft", taps), &w, |b, w| {
            b.iter(|| overlap_save(black_box(&x), w, &mut out))
        });
    }
    group.finish();
}

fn frac_diff_sql(c: &mut Criterion) {
    let schema = Arc::new(Schema::new(vec![
        Field::new("pair", DataType::Utf8, false),
        Field::new("ts", DataType::Int64, false),
        Field::new("x", DataType::Float64, false),
    ]));
    let batches: Vec<RecordBatch> = (0..SERIES)
        .map(|s| {
            RecordBatch::try_new(
                schema.clone(),
                vec![
                    Arc::new(StringArray::from_iter_values(
                        (0..ROWS).map(|_| format!("P{s:03}")),
                    )),
                    Arc::new(Int64Array::from_iter_values(0..ROWS as i64)),
                    Arc::new(Float64Array::from(walk(ROWS, s as u64 + 1))),
                ],
            )
            .unwrap()
        })
        .collect();
    let table = MemTable::try_new(schema, vec![batches]).unwrap();
    let ctx = quantfusion::context::session_context().unwrap();
    ctx.register_table("series", Arc::new(table)).unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sql = "SELECT frac_diff(x, 0.4) OVER (PARTITION BY pair ORDER BY ts) FROM series";
    let mut group = c.benchmark_group("stationarity");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.throughput(Throughput::Elements((SERIES * ROWS) as u64));
    group.bench_function("frac_diff_sql_100x100k", |b| {
        b.iter(|| {
            runtime.block_on(async {
                let batches = ctx.sql(sql).await.unwrap().collect().await.unwrap();
                assert_eq!(
                    batches.iter().map(|b| b.num_rows()).sum::<usize>(),
                    SERIES * ROWS
                );
            })
        })
    });
    group.finish();
}

/// The last 2,520 daily S&P 500 returns of the shared golden inputs.
fn spx_returns() -> Vec<f64> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/golden/inputs/spx_returns.parquet"
    );
    let ctx = quantfusion::context::session_context().unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let batches = runtime.block_on(async {
        let sql = format!(
            "SELECT ret FROM (SELECT ret, ts FROM '{path}' WHERE ret IS NOT NULL \
             ORDER BY ts DESC LIMIT 2520) ORDER BY ts"
        );
        ctx.sql(&sql).await.unwrap().collect().await.unwrap()
    });
    batches
        .iter()
        .flat_map(|b| {
            let column = b.column(0).as_any().downcast_ref::<Float64Array>().unwrap();
            column.values().to_vec()
        })
        .collect()
}

fn fits(c: &mut Criterion) {
    let returns: Vec<f64> = spx_returns().iter().map(|r| 100.0 * r).collect();
    let prices: Vec<f64> = returns
        .iter()
        .scan(0.0, |level, r| {
            *level += r / 100.0;
            Some(*level)
        })
        .collect();
    let mut group = c.benchmark_group("stationarity");
    group.bench_function("adf_spx_2520_maxlag12", |b| {
        b.iter(|| adf(black_box(&prices), 12, AdfTrend::Constant))
    });
    group.bench_function("garch11_fit_spx_2520", |b| {
        b.iter(|| fit_garch11(black_box(&returns)))
    });
    group.finish();
}

criterion_group!(stationarity, crossover, frac_diff_sql, fits);
criterion_main!(stationarity);
