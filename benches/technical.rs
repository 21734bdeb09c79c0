//! The 13 technical outputs of the indicator comparison (SMA20, EMA20, RSI14, MACD
//! line/signal/histogram, Bollinger upper/middle/lower, ATR14, WILLR14, log return and
//! its 20-row standard deviation) over 1,000 symbols x 10,000 bars (10M rows):
//!
//! - `technical/kernels_13`: the bare kernels, one symbol after another on one core,
//!   the shape of TA-Lib's per-symbol loop;
//! - `technical/sql_13`: the SQL query from a parquet file sorted and declared sorted
//!   by (symbol, ts), in the `quantfusion` binary's session, every output summed so
//!   all are computed (parquet decoding and planning included, both cores).
//!
//! `benches/technical_peers.py` times TA-Lib, Polars and DuckDB on the same shape.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use datafusion::arrow::array::{Float64Array, Int64Array, RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::datasource::MemTable;
use quantfusion_udfs::kernels::{
    momentum, moving_average, oscillators, returns, rolling, volatility,
};
use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const SYMBOLS: usize = 1_000;
const PER_SYMBOL: usize = 10_000;
const ROWS: usize = SYMBOLS * PER_SYMBOL;

/// High, low and close of a random walk per symbol (xorshift, deterministic).
fn bars() -> [Vec<f64>; 3] {
    let mut s = 0x2545_F491_4F6C_DD1Du64;
    let mut next = || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s % 2001) as f64 / 1000.0 - 1.0
    };
    let (mut high, mut low, mut close) = (vec![], vec![], vec![]);
    for _ in 0..SYMBOLS {
        let mut level = 50.0;
        for _ in 0..PER_SYMBOL {
            level *= 1.0 + next() * 2e-3;
            close.push(level);
            high.push(level * (1.0 + next().abs() * 1e-3));
            low.push(level * (1.0 - next().abs() * 1e-3));
        }
    }
    [high, low, close]
}

fn kernels_13(high: &[f64], low: &[f64], close: &[f64]) {
    let mut out = vec![f64::NAN; PER_SYMBOL];
    let mut lr = vec![f64::NAN; PER_SYMBOL];
    let mut macd = vec![vec![f64::NAN; PER_SYMBOL]; 2];
    let mut bands = vec![vec![f64::NAN; PER_SYMBOL]; 3];
    for ((h, l), c) in high
        .chunks(PER_SYMBOL)
        .zip(low.chunks(PER_SYMBOL))
        .zip(close.chunks(PER_SYMBOL))
    {
        rolling::rolling_mean(c, 20, &mut out);
        moving_average::ema(c, 20, &mut out);
        momentum::rsi(c, 14, &mut out);
        oscillators::macd_all(c, 12, 26, 9, &mut macd);
        oscillators::macd_hist(&macd[0], &macd[1], &mut out);
        volatility::bollinger_all(c, 20, 2.0, &mut bands);
        volatility::atr(h, l, c, 14, &mut out);
        momentum::willr(h, l, c, 14, &mut out);
        returns::log_return(c, &mut lr);
        rolling::rolling_std(&lr[1..], 20, 1, &mut out[1..]);
        black_box((&out, &macd, &bands));
    }
}

const SQL_13: &str = "WITH r AS (SELECT *, log_return(close) OVER w AS lr FROM bars \
        WINDOW w AS (PARTITION BY symbol ORDER BY ts)), \
    f AS (SELECT sma(close, 20) OVER w AS sma, ema(close, 20) OVER w AS ema, \
        rsi(close, 14) OVER w AS rsi, macd(close, 12, 26, 9) OVER w AS macd, \
        macd_signal(close, 12, 26, 9) OVER w AS signal, macd_hist(close, 12, 26, 9) OVER w AS hist, \
        bb_upper(close, 20, 2) OVER w AS upper, bb_middle(close, 20) OVER w AS middle, \
        bb_lower(close, 20, 2) OVER w AS lower, atr(high, low, close, 14) OVER w AS atr, \
        willr(high, low, close, 14) OVER w AS willr, lr, rolling_std(lr, 20) OVER w AS lr_std \
        FROM r WINDOW w AS (PARTITION BY symbol ORDER BY ts)) \
    SELECT sum(sma), sum(ema), sum(rsi), sum(macd), sum(signal), sum(hist), sum(upper), \
        sum(middle), sum(lower), sum(atr), sum(willr), sum(lr), sum(lr_std) FROM f";

fn table([high, low, close]: [Vec<f64>; 3]) -> MemTable {
    let schema = Arc::new(Schema::new(vec![
        Field::new("symbol", DataType::Utf8, false),
        Field::new("ts", DataType::Int64, false),
        Field::new("high", DataType::Float64, false),
        Field::new("low", DataType::Float64, false),
        Field::new("close", DataType::Float64, false),
    ]));
    let batch_rows = 100_000;
    let batches = (0..ROWS)
        .step_by(batch_rows)
        .map(|start| {
            let rows = start..start + batch_rows;
            let symbol = StringArray::from_iter_values(
                rows.clone().map(|i| format!("S{:04}", i / PER_SYMBOL)),
            );
            let ts = Int64Array::from_iter_values(rows.clone().map(|i| (i % PER_SYMBOL) as i64));
            RecordBatch::try_new(
                schema.clone(),
                vec![
                    Arc::new(symbol),
                    Arc::new(ts),
                    Arc::new(Float64Array::from(high[rows.clone()].to_vec())),
                    Arc::new(Float64Array::from(low[rows.clone()].to_vec())),
                    Arc::new(Float64Array::from(close[rows].to_vec())),
                ],
            )
            .unwrap()
        })
        .collect();
    MemTable::try_new(schema, vec![batches]).unwrap()
}

fn benches(c: &mut Criterion) {
    let bars = bars();
    let mut group = c.benchmark_group("technical");
    group.throughput(Throughput::Elements(ROWS as u64));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.bench_function("kernels_13", |b| {
        b.iter(|| kernels_13(&bars[0], &bars[1], &bars[2]))
    });

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let ctx = quantfusion::context::session_context().unwrap();
    ctx.register_table("generated", Arc::new(table(bars)))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bars.parquet");
    runtime.block_on(async {
        for sql in [
            format!(
                "COPY (SELECT * FROM generated) TO '{}' STORED AS PARQUET",
                file.display()
            ),
            format!(
                "CREATE EXTERNAL TABLE bars STORED AS PARQUET LOCATION '{}' \
                 WITH ORDER (symbol ASC, ts ASC)",
                file.display()
            ),
        ] {
            ctx.sql(&sql).await.unwrap().collect().await.unwrap();
        }
    });
    group.bench_function("sql_13", |b| {
        b.iter(|| {
            runtime.block_on(async {
                let batches = ctx.sql(SQL_13).await.unwrap().collect().await.unwrap();
                assert_eq!(batches.iter().map(|b| b.num_rows()).sum::<usize>(), 1);
            })
        })
    });
    group.finish();
}

criterion_group!(technical, benches);
criterion_main!(technical);
