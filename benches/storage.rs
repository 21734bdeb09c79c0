//! Write and read throughput of a 10M-row feature table (symbol, ts and four float
//! features; 100 symbols of 100,000 rows) as parquet partitioned by symbol, on the
//! local filesystem and on an S3 server on 127.0.0.1 (s3s-fs, the server of the
//! tests, storing objects on the same disk):
//!
//! - `storage/write/{local,s3}`: `materialize` from memory (rows already sorted by
//!   symbol, so no sort), zstd, committed with manifests;
//! - `storage/read/{local,s3}`: a full scan summing every feature, through the
//!   committed view.
//!
//! After the criterion groups, `benches/storage_peers.py` (when `venv/` exists) reads
//! the same objects with DuckDB, from the same server through httpfs and from disk.

#[allow(dead_code)]
#[path = "../tests/it/s3_server.rs"]
mod s3_server;

use criterion::{Criterion, Throughput};
use datafusion::arrow::array::{Float64Array, Int64Array, RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::datasource::MemTable;
use datafusion::prelude::{col, SessionContext};
use quantfusion::materialize::{materialize, MaterializeOptions};
use s3_server::S3Server;
use std::sync::Arc;
use std::time::Duration;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const SYMBOLS: usize = 100;
const PER_SYMBOL: usize = 100_000;
const ROWS: usize = SYMBOLS * PER_SYMBOL;
const BATCH: usize = 8192;

/// A random-walk feature table sorted by (symbol, ts), declared so.
fn table() -> MemTable {
    let schema = Arc::new(Schema::new(vec![
        Field::new("symbol", DataType::Utf8, false),
        Field::new("ts", DataType::Int64, false),
        Field::new("close", DataType::Float64, false),
        Field::new("ret", DataType::Float64, false),
        Field::new("ema", DataType::Float64, false),
        Field::new("vol", DataType::Float64, false),
    ]));
    let mut s = 0x9E37_79B9_7F4A_7C15u64;
    let mut noise = || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s % 20_001) as f64 / 10_000.0 - 1.0
    };
    let mut batches = vec![];
    for sym in 0..SYMBOLS {
        let name = format!("S{sym:03}");
        let (mut close, mut ema) = (100.0, 100.0);
        for start in (0..PER_SYMBOL).step_by(BATCH) {
            let n = BATCH.min(PER_SYMBOL - start);
            let mut cols: [Vec<f64>; 4] = Default::default();
            for _ in 0..n {
                let r = noise() * 1e-3;
                close *= 1.0 + r;
                ema += (close - ema) * 0.1;
                cols[0].push(close);
                cols[1].push(r);
                cols[2].push(ema);
                cols[3].push(r.abs() * 16.0);
            }
            let [c, r, e, v] = cols;
            batches.push(
                RecordBatch::try_new(
                    schema.clone(),
                    vec![
                        Arc::new(StringArray::from(vec![name.as_str(); n])),
                        Arc::new(Int64Array::from_iter_values(
                            start as i64..(start + n) as i64,
                        )),
                        Arc::new(Float64Array::from(c)),
                        Arc::new(Float64Array::from(r)),
                        Arc::new(Float64Array::from(e)),
                        Arc::new(Float64Array::from(v)),
                    ],
                )
                .unwrap(),
            );
        }
    }
    MemTable::try_new(schema, vec![batches])
        .unwrap()
        .with_sort_order(vec![vec![
            col("symbol").sort(true, false),
            col("ts").sort(true, false),
        ]])
}

const READ: &str = "SELECT sum(close) + sum(ret) + sum(ema) + sum(vol) FROM";

fn main() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = S3Server::start(&["bench"]);
    let dir = tempfile::tempdir().unwrap();
    let local = dir.path().join("table").display().to_string();
    let destinations = [
        ("local", local.clone()),
        ("s3", "s3://bench/table".to_string()),
    ];

    let ctx: SessionContext = quantfusion::context::session_context().unwrap();
    ctx.register_table("features", Arc::new(table())).unwrap();
    server.register(&ctx, "bench");
    let options = MaterializeOptions::partitioned_by(&["symbol"]);
    let stage = "SELECT * FROM features";

    // Written once up front so that the read groups can run alone.
    let mut bytes = 0;
    for (_, dest) in &destinations {
        bytes = runtime
            .block_on(materialize(&ctx, stage, dest, &options))
            .unwrap()
            .bytes;
    }
    let mut c = Criterion::default()
        .configure_from_args()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(30));
    {
        let mut group = c.benchmark_group("storage/write");
        group.throughput(Throughput::Elements(ROWS as u64));
        for (name, dest) in &destinations {
            group.bench_function(*name, |b| {
                b.iter(|| {
                    let written = runtime
                        .block_on(materialize(&ctx, stage, dest, &options))
                        .unwrap();
                    assert_eq!(written.rows, ROWS as u64);
                })
            });
        }
    }
    {
        let mut group = c.benchmark_group("storage/read");
        group.throughput(Throughput::Elements(ROWS as u64));
        for (name, dest) in &destinations {
            let sql = format!("{READ} '{dest}/'");
            group.bench_function(*name, |b| {
                b.iter(|| {
                    runtime
                        .block_on(async { ctx.sql(&sql).await?.collect().await })
                        .unwrap()
                })
            });
        }
    }
    c.final_summary();
    println!(
        "table: {ROWS} rows, {:.1} MB of parquet in {SYMBOLS} files",
        bytes as f64 / 1e6
    );

    let python = std::path::Path::new("venv/bin/python");
    if python.exists() {
        let status = std::process::Command::new(python)
            .arg("benches/storage_peers.py")
            .args([
                "--endpoint",
                &server.endpoint,
                "--bucket",
                "bench",
                "--prefix",
                "table",
            ])
            .args([
                "--local",
                &local,
                "--key",
                s3_server::ACCESS_KEY,
                "--secret",
                s3_server::SECRET_KEY,
            ])
            .status();
        if !matches!(status, Ok(s) if s.success()) {
            eprintln!("storage_peers.py failed: {status:?}");
        }
    } else {
        println!("(no venv/: DuckDB comparison skipped; see benches/README.md)");
    }
}
