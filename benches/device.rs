//! CPU against GPU on the same data, in one call (`cargo bench --bench device`):
//! frac_diff (d 0.4, threshold 1e-5) over 100 series, the six-window regression
//! (slope, intercept, R², RMSE, forecast at 15 ... 480 rows) over 28 series, and the
//! 36-indicator stage through SQL with `quantfusion.device` cpu and gpu.
//!
//! Rows per series: `QF_DEVICE_BENCH_ROWS` (default 1,000,000 with a GPU, 100,000
//! without). The CPU side uses every core (one thread per series); the GPU side is
//! one segmented launch per output, copies included, with the copies' share measured
//! by a copy-only round trip and the floor being the bytes the kernel must move
//! (inputs, offsets, output) at the device's peak memory bandwidth. Without a GPU it
//! says why and times the CPU side only.

use datafusion::arrow::array::Float64Array;
use quantfusion::gpu::backend::Cuda;
use quantfusion::gpu::function::{DeviceFunction, LinregOutput};
use quantfusion::gpu::segments::Segments;
use quantfusion::gpu::Backend;
use std::time::Instant;

/// A random walk near 1.1 (xorshift steps of up to ±1e-4), one per seed.
fn walk(len: usize, seed: u64) -> Vec<f64> {
    let mut s = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    let mut level = 1.1;
    (0..len)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            level += ((s % 20_001) as f64 - 10_000.0) * 1e-8;
            level
        })
        .collect()
}

/// All series back to back as one run, and each alone (for the CPU threads).
fn layouts(series: usize, rows: usize) -> (Segments, Vec<Segments>) {
    let values: Vec<f64> = (0..series).flat_map(|s| walk(rows, s as u64 + 1)).collect();
    let column = Float64Array::from(values);
    let ranges: Vec<_> = (0..series).map(|s| s * rows..(s + 1) * rows).collect();
    let all = Segments::gather(&[&column], &ranges);
    let each = ranges
        .iter()
        .map(|r| {
            let whole = 0..r.len();
            Segments::gather(
                &[&column.slice(r.start, r.len())],
                std::slice::from_ref(&whole),
            )
        })
        .collect();
    (all, each)
}

/// Best of three wall-clock seconds.
fn best_of_three(mut f: impl FnMut()) -> f64 {
    (0..3)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

/// Every function over each series on its own thread.
fn cpu_seconds(functions: &[DeviceFunction], each: &[Segments]) -> f64 {
    best_of_three(|| {
        std::thread::scope(|scope| {
            for segments in each {
                scope.spawn(move || {
                    for f in functions {
                        std::hint::black_box(f.run_on_cpu(segments));
                    }
                });
            }
        })
    })
}

struct Row {
    name: &'static str,
    rows: usize,
    cpu: f64,
    gpu: Option<(f64, f64, f64)>, // seconds, transfer seconds, floor seconds
}

fn kernel_workload(
    name: &'static str,
    functions: &[DeviceFunction],
    series: usize,
    rows: usize,
    device: Option<&Cuda>,
) -> Row {
    let (all, each) = layouts(series, rows);
    let cpu = cpu_seconds(functions, &each);
    let gpu = device.map(|cuda| {
        let seconds = best_of_three(|| {
            for f in functions {
                std::hint::black_box(cuda.run(f, &all).expect("device run"));
            }
        });
        let transfer = functions.len() as f64
            * best_of_three(|| cuda.round_trip(&all).expect("device copies"));
        let bytes = functions.len() as f64 * (all.len() * 16 + all.offsets.len() * 8) as f64;
        let floor = bytes / cuda.memory_bandwidth().expect("device attributes");
        (seconds, transfer, floor)
    });
    Row {
        name,
        rows: series * rows,
        cpu,
        gpu,
    }
}

/// seed 003's stage over `symbols` x 10,000 hourly bars through SQL, on the CPU and
/// (with a device) under `quantfusion.device = 'gpu'`; no floor (many kernels).
fn indicators36(symbols: usize, gpu: bool) -> Row {
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    let stage = std::fs::read_to_string("sql/indicators36.sql").expect("sql/indicators36.sql");
    let time = |device: &str| {
        runtime.block_on(async {
            let ctx = quantfusion::context::session_context().expect("session");
            ctx.sql(&format!(
                "CREATE TABLE bars AS SELECT 'S' || s AS symbol, \
                    to_timestamp_seconds(1577836800 + i * 3600) AS ts, \
                    100 + s + sin(i * 0.01 + s) AS open, 101 + s + sin(i * 0.01 + s) AS high, \
                    99 + s + sin(i * 0.01 + s) AS low, 100 + s + cos(i * 0.013 + s) AS close, \
                    1000.0 + i % 97 AS volume \
                 FROM generate_series(1, {symbols}) a(s), generate_series(1, 10000) b(i)"
            ))
            .await
            .expect("bars")
            .collect()
            .await
            .expect("bars");
            ctx.sql(&format!("SET quantfusion.device = '{device}'"))
                .await
                .expect("set device");
            let mut best = f64::INFINITY;
            for _ in 0..3 {
                let start = Instant::now();
                let df = ctx.sql(&stage).await.expect("stage plans");
                std::hint::black_box(df.collect().await.expect("stage runs"));
                best = best.min(start.elapsed().as_secs_f64());
            }
            best
        })
    };
    let cpu = time("cpu");
    let gpu = gpu.then(|| (time("gpu"), f64::NAN, f64::NAN));
    Row {
        name: "indicators36 SQL",
        rows: symbols * 10_000,
        cpu,
        gpu,
    }
}

fn main() {
    let device = match quantfusion::gpu::backend::cuda() {
        Ok(_) => Some(Cuda::open(0).expect("the probed device opens")),
        Err(why) => {
            println!("no usable GPU ({why}): timing the CPU side only");
            None
        }
    };
    let default_rows = if device.is_some() { 1_000_000 } else { 100_000 };
    let rows: usize = std::env::var("QF_DEVICE_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default_rows);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("{rows} rows per series, {threads} CPU threads");

    let frac_diff = [DeviceFunction::FracDiff {
        weights: quantfusion::udfs::kernels::frac_diff::frac_diff_weights(0.4, 1e-5, 1 << 20),
    }];
    let outputs = [
        LinregOutput::Slope,
        LinregOutput::Intercept,
        LinregOutput::R2,
        LinregOutput::Rmse,
        LinregOutput::Forecast,
    ];
    let regression: Vec<DeviceFunction> = [15, 30, 60, 120, 240, 480]
        .into_iter()
        .flat_map(|n| outputs.map(|output| DeviceFunction::Linreg { n, output }))
        .collect();
    let symbols = if device.is_some() { 1_000 } else { 50 };
    let table = [
        kernel_workload("frac_diff d=0.4", &frac_diff, 100, rows, device.as_ref()),
        kernel_workload("regression 6x5", &regression, 28, rows, device.as_ref()),
        indicators36(symbols, device.is_some()),
    ];
    println!(
        "{:<18} {:>12} {:>10} {:>14} {:>10} {:>14} {:>8} {:>9} {:>10}",
        "workload",
        "rows",
        "cpu s",
        "cpu rows/s",
        "gpu s",
        "gpu rows/s",
        "gpu/cpu",
        "copies",
        "gpu/floor"
    );
    for row in &table {
        let rate = |s: f64| row.rows as f64 / s;
        match row.gpu {
            Some((gpu, transfer, floor)) => println!(
                "{:<18} {:>12} {:>10.3} {:>14.3e} {:>10.3} {:>14.3e} {:>8.2} {:>8.0}% {:>10.1}",
                row.name,
                row.rows,
                row.cpu,
                rate(row.cpu),
                gpu,
                rate(gpu),
                row.cpu / gpu,
                100.0 * transfer / gpu,
                gpu / floor
            ),
            None => println!(
                "{:<18} {:>12} {:>10.3} {:>14.3e}",
                row.name,
                row.rows,
                row.cpu,
                rate(row.cpu)
            ),
        }
    }
}
