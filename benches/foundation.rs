//! Throughput of `ema` and `rolling_mean` over 10M rows in 1,000 partitions of
//! 10,000 rows: the bare kernels over one dense slice per partition, and the full SQL
//! path (`f(close, n) OVER (PARTITION BY symbol ORDER BY ts)` over a parquet file
//! sorted and declared sorted by symbol and ts, in the session the `quantfusion`
//! binary uses: parquet decoding, window evaluation and collecting the result).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use datafusion::arrow::array::{Float64Array, Int64Array, RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::datasource::MemTable;
use datafusion::prelude::col;
use quantfusion_udfs::kernels::{moving_average, rolling};
use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

/// The allocator of the `quantfusion` binary, so the SQL path is measured as users run it.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const PARTITIONS: usize = 1_000;
const ROWS_PER_PARTITION: usize = 10_000;
const ROWS: usize = PARTITIONS * ROWS_PER_PARTITION;

/// A random walk per partition near 100 (xorshift, deterministic).
fn prices() -> Vec<f64> {
    let mut s = 0x9E37_79B9_7F4A_7C15u64;
    let mut out = Vec::with_capacity(ROWS);
    for _ in 0..PARTITIONS {
        let mut level = 100.0;
        for _ in 0..ROWS_PER_PARTITION {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            level *= 1.0 + ((s % 2001) as f64 / 1000.0 - 1.0) * 1e-3;
            out.push(level);
        }
    }
    out
}

fn bare_kernels(c: &mut Criterion, close: &[f64]) {
    let mut group = c.benchmark_group("kernel");
    group.throughput(Throughput::Elements(ROWS as u64));
    group.sample_size(10);
    let mut out = vec![f64::NAN; ROWS];
    group.bench_function("ema_20", |b| {
        b.iter(|| {
            for (x, o) in close
                .chunks(ROWS_PER_PARTITION)
                .zip(out.chunks_mut(ROWS_PER_PARTITION))
            {
                moving_average::ema(black_box(x), 20, o);
            }
        })
    });
    group.bench_function("rolling_mean_20", |b| {
        b.iter(|| {
            for (x, o) in close
                .chunks(ROWS_PER_PARTITION)
                .zip(out.chunks_mut(ROWS_PER_PARTITION))
            {
                rolling::rolling_mean(black_box(x), 20, o);
            }
        })
    });
    group.finish();
}

fn table(close: Vec<f64>) -> MemTable {
    let schema = Arc::new(Schema::new(vec![
        Field::new("symbol", DataType::Utf8, false),
        Field::new("ts", DataType::Int64, false),
        Field::new("close", DataType::Float64, false),
    ]));
    let batch_rows = 100_000;
    let batches = (0..ROWS)
        .step_by(batch_rows)
        .map(|start| {
            let rows = start..start + batch_rows;
            let symbol = StringArray::from_iter_values(
                rows.clone()
                    .map(|i| format!("S{:04}", i / ROWS_PER_PARTITION)),
            );
            let ts =
                Int64Array::from_iter_values(rows.clone().map(|i| (i % ROWS_PER_PARTITION) as i64));
            let close = Float64Array::from(close[rows].to_vec());
            RecordBatch::try_new(
                schema.clone(),
                vec![Arc::new(symbol), Arc::new(ts), Arc::new(close)],
            )
            .unwrap()
        })
        .collect();
    MemTable::try_new(schema, vec![batches])
        .unwrap()
        .with_sort_order(vec![vec![
            col("symbol").sort(true, false),
            col("ts").sort(true, false),
        ]])
}

fn sql_path(c: &mut Criterion, close: Vec<f64>) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let ctx = quantfusion::context::session_context().unwrap();
    ctx.register_table("generated", Arc::new(table(close)))
        .unwrap();
    // Real stages read parquet sorted by (symbol, ts) and declare that order.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bars.parquet");
    runtime.block_on(async {
        for sql in [
            format!("COPY (SELECT * FROM generated) TO '{}' STORED AS PARQUET", file.display()),
            format!(
                "CREATE EXTERNAL TABLE bars STORED AS PARQUET LOCATION '{}' WITH ORDER (symbol ASC, ts ASC)",
                file.display()
            ),
        ] {
            ctx.sql(&sql).await.unwrap().collect().await.unwrap();
        }
    });

    let mut group = c.benchmark_group("sql");
    group.throughput(Throughput::Elements(ROWS as u64));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    for (name, call) in [
        ("ema_20", "ema(close, 20)"),
        ("rolling_mean_20", "rolling_mean(close, 20)"),
    ] {
        let sql = format!("SELECT {call} OVER (PARTITION BY symbol ORDER BY ts) AS v FROM bars");
        group.bench_function(name, |b| {
            b.iter(|| {
                runtime.block_on(async {
                    let batches = ctx.sql(&sql).await.unwrap().collect().await.unwrap();
                    let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
                    assert_eq!(rows, ROWS);
                })
            })
        });
    }
    group.finish();
}

fn benches(c: &mut Criterion) {
    let close = prices();
    bare_kernels(c, &close);
    sql_path(c, close);
}

criterion_group!(foundation, benches);
criterion_main!(foundation);
