//! The device path of window stages, run on the CPU emulation of the segmented
//! kernels: one run of many partitions is gathered into offsets, computed and
//! scattered back; it must equal the partition-by-partition CPU path exactly, with
//! NULL gaps, uneven and short partitions. Also: what EXPLAIN says, the `auto` cost
//! rule, and device failures (fall back under `auto`, an error under `gpu`).

use datafusion::arrow::array::{Array, Float64Array};
use datafusion::arrow::util::pretty::pretty_format_batches;
use datafusion::prelude::SessionContext;
use quantfusion::gpu::function::DeviceFunction;
use quantfusion::gpu::segments::Segments;
use quantfusion::gpu::{Backend, CpuEmulation, DeviceError};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// Counts its runs and the gathers they read, and fails each with `fail` when set.
#[derive(Debug, Default)]
struct Probe {
    runs: AtomicUsize,
    gathers: std::sync::Mutex<std::collections::HashSet<u64>>,
    fail: Option<DeviceError>,
}

impl Backend for Probe {
    fn describe(&self) -> String {
        "probe device".into()
    }

    fn run(&self, f: &DeviceFunction, s: &Segments) -> Result<Vec<f64>, DeviceError> {
        self.runs.fetch_add(1, Ordering::SeqCst);
        self.gathers.lock().unwrap().insert(s.id());
        match &self.fail {
            Some(e) => Err(e.clone()),
            None => CpuEmulation.run(f, s),
        }
    }
}

/// 40 symbols of 1 to 3,000 rows (uneven, some shorter than the windows), closes on a
/// pseudo-random walk with NULL and NaN gaps, stored out of order.
async fn session(backend: Option<Arc<dyn Backend>>, device: &str) -> SessionContext {
    let ctx = quantfusion::context::engine_on(backend).unwrap().ctx;
    ctx.sql(&format!("SET quantfusion.device = '{device}'"))
        .await
        .unwrap();
    ctx.sql(
        "CREATE TABLE bars AS SELECT s AS symbol, i AS ts, \
                CASE WHEN (i + s) % 53 = 0 THEN NULL \
                     WHEN (i * 7 + s) % 211 = 0 THEN 'NaN'::double \
                     WHEN s = 3 AND i < 500 THEN 100.0 \
                     ELSE 100 + s + sin(i * 0.37 + s) * 3 + cos(i * 0.011 * s) * 10 END AS close, \
                CASE WHEN s = 5 AND i BETWEEN 100 AND 400 THEN 7.0 \
                     ELSE 1000 + (i * 7919 + s) % 997 END AS volume \
         FROM generate_series(1, 40) a(s), generate_series(1, 3000) b(i) \
         WHERE i <= (s * s * 1237) % 3000 + 1 \
         ORDER BY (i * 7919) % 101, s",
    )
    .await
    .unwrap()
    .collect()
    .await
    .unwrap();
    ctx
}

const CALLS: &str = "frac_diff(close, 0.4, 1e-3) OVER w AS fd, \
                     frac_diff(close, 0.7) OVER w AS fd_default, \
                     rolling_mean(close, 20) OVER w AS rm, sma(close, 2) OVER w AS s2, \
                     ema(close, 10) OVER w AS e, ema(close, 2500) OVER w AS e_long, \
                     linreg_slope(close, 30) OVER w AS ls, tsf(close, 14) OVER w AS tf, \
                     linreg_r2(close, 30) OVER w AS lr2, linreg_rmse(close, 30) OVER w AS lrm, \
                     linreg_angle(close, 14) OVER w AS la, linreg(close, 5) OVER w AS lv, \
                     linreg_intercept(close, 5) OVER w AS li, \
                     rolling_corr(close, volume, 20) OVER w AS rc, \
                     rolling_beta(close, volume, 20) OVER w AS rb, \
                     rolling_cov(volume, close, 20) OVER w AS rcv, \
                     rolling_distance_corr(close, volume, 12) OVER w AS dc, \
                     rsi(close, 14) OVER w AS r";

async fn values(ctx: &SessionContext) -> Vec<Vec<Option<f64>>> {
    let sql = format!(
        "SELECT {CALLS} FROM bars WINDOW w AS (PARTITION BY symbol ORDER BY ts) \
         ORDER BY symbol, ts"
    );
    let batches = ctx.sql(&sql).await.unwrap().collect().await.unwrap();
    let columns = batches[0].num_columns();
    (0..columns)
        .map(|c| {
            batches
                .iter()
                .flat_map(|b| {
                    let a = b.column(c).as_any().downcast_ref::<Float64Array>().unwrap();
                    (0..a.len())
                        .map(|i| a.is_valid(i).then(|| a.value(i)))
                        .collect::<Vec<_>>()
                })
                .collect()
        })
        .collect()
}

async fn explain(ctx: &SessionContext) -> String {
    let sql = format!(
        "EXPLAIN FORMAT INDENT SELECT {CALLS} FROM bars WINDOW w AS (PARTITION BY symbol ORDER BY ts)"
    );
    let batches = ctx.sql(&sql).await.unwrap().collect().await.unwrap();
    pretty_format_batches(&batches).unwrap().to_string()
}

#[tokio::test]
async fn the_segmented_device_path_equals_the_cpu_path() {
    let cpu = values(&session(None, "cpu").await).await;
    let probe = Arc::new(Probe::default());
    let device = session(Some(probe.clone()), "gpu").await;
    assert_eq!(values(&device).await, cpu);
    // 17 calls have kernels (not rsi), each run once per run of partitions; they
    // read 3 series lists (close; close, volume; volume, close), each gathered once
    // per run of partitions.
    let runs = probe.runs.load(Ordering::SeqCst);
    assert!(runs >= 17 && runs % 17 == 0, "{runs} device runs");
    let gathers = probe.gathers.lock().unwrap().len();
    assert_eq!(gathers * 17, runs * 3, "{gathers} gathers for {runs} runs");
    let present = cpu.iter().flatten().filter(|v| v.is_some()).count();
    assert!(present > 100_000, "{present} values compared");
}

#[tokio::test]
async fn explain_says_where_each_call_runs() {
    let plan = explain(&session(Some(Arc::new(CpuEmulation)), "gpu").await).await;
    assert!(plan.contains("devices=["), "{plan}");
    assert!(
        plan.contains("frac_diff(bars.close,Float64(0.4),Float64(0.001)) on cpu emulation"),
        "{plan}"
    );
    assert!(
        plan.contains("ema(bars.close,Int64(2500)) on cpu emulation"),
        "{plan}"
    );
    assert!(
        !plan.contains("rsi(bars.close,Int64(14)) on"),
        "rsi has no kernel: {plan}"
    );

    let plan = explain(&session(Some(Arc::new(CpuEmulation)), "auto").await).await;
    assert!(
        plan.contains("rolling_mean(bars.close,Int64(20)) on cpu emulation for runs of 2500000 rows or more, else cpu"),
        "{plan}"
    );
    let plan = explain(&session(Some(Arc::new(CpuEmulation)), "cpu").await).await;
    assert!(
        plan.contains("frac_diff(bars.close,Float64(0.7)) on cpu (quantfusion.device = 'cpu')"),
        "{plan}"
    );
    // This machine's own device, found at run time.
    let plan = explain(&session(None, "auto").await).await;
    let report = quantfusion::device::probe();
    if report.gpus.is_empty() {
        assert!(
            plan.contains("Float64(0.001)) on cpu (no usable GPU: "),
            "{plan}"
        );
    } else {
        assert!(plan.contains("Float64(0.001)) on gpu 0: "), "{plan}");
    }
}

/// `call` over 5 series of 40,000 rows (one run per series) with `backend` under
/// `device`: the values, and how many runs went to the device.
async fn long_series(
    call: &str,
    backend: Option<Arc<Probe>>,
    device: &str,
) -> (Vec<Option<f64>>, usize) {
    let ctx = session(backend.clone().map(|b| b as Arc<dyn Backend>), device).await;
    let sql = format!(
        "SELECT {call} OVER (PARTITION BY s ORDER BY i) FROM \
         (SELECT s, i, 100 + sin(i * 0.01 + s) AS close \
          FROM generate_series(1, 5) a(s), generate_series(1, 40000) b(i)) ORDER BY s, i"
    );
    let batches = ctx.sql(&sql).await.unwrap().collect().await.unwrap();
    let values = batches
        .iter()
        .flat_map(|b| {
            let a = b.column(0).as_any().downcast_ref::<Float64Array>().unwrap();
            (0..a.len())
                .map(|i| a.is_valid(i).then(|| a.value(i)))
                .collect::<Vec<_>>()
        })
        .collect();
    (values, backend.map_or(0, |b| b.runs.load(Ordering::SeqCst)))
}

async fn auto_runs(call: &str) -> usize {
    long_series(call, Some(Arc::new(Probe::default())), "auto")
        .await
        .1
}

#[tokio::test]
async fn auto_uses_the_device_only_where_the_work_pays() {
    // The test table's runs (at most a few thousand rows) never pay.
    let probe = Arc::new(Probe::default());
    let ctx = session(Some(probe.clone()), "auto").await;
    assert_eq!(
        values(&ctx).await,
        values(&session(None, "cpu").await).await
    );
    assert_eq!(probe.runs.load(Ordering::SeqCst), 0);
    // 40,000-row series: frac_diff with d = 0.2 keeps thousands of taps and pays; a
    // 20-row mean does not.
    let taps = quantfusion::udfs::kernels::frac_diff::frac_diff_weights(0.2, 1e-5, 1 << 20).len();
    assert!(
        40_000.0 * 2.0 * taps as f64 >= quantfusion::gpu::placement::AUTO_MIN_WORK,
        "{taps}"
    );
    assert!((1..=5).contains(&auto_runs("frac_diff(close, 0.2)").await));
    assert_eq!(auto_runs("rolling_mean(close, 20)").await, 0);
}

/// A run is put together for the device only when some call may go there: never
/// with `cpu` or without a device, under `auto` only where the work pays.
#[tokio::test]
async fn a_run_is_gathered_only_for_calls_the_device_may_take() {
    use quantfusion::device::Device;
    use quantfusion::gpu::DevicePlacement;
    use quantfusion_udfs::framework::BatchEvaluator;
    let ctx = session(None, "cpu").await;
    let query = "SELECT frac_diff(close, 0.2) OVER w, rolling_mean(close, 20) OVER w, \
                 rsi(close, 14) OVER w FROM bars WINDOW w AS (PARTITION BY symbol ORDER BY ts)";
    let mut exprs = Vec::new();
    crate::common::for_each_window_stage(&ctx, query, |stage| {
        exprs.extend(stage.window_expr().iter().cloned())
    })
    .await;
    assert_eq!(exprs.len(), 3);
    let probe = || Ok(Arc::new(Probe::default()) as Arc<dyn Backend>);
    let taken = |placement: DevicePlacement, rows: usize| -> Vec<bool> {
        exprs
            .iter()
            .map(|e| placement.may_evaluate(e.as_ref(), rows))
            .collect()
    };
    let none = || Err("no NVIDIA driver".to_string());
    assert_eq!(
        taken(DevicePlacement::new(Device::Cpu, probe()), 1 << 30),
        [false; 3]
    );
    assert_eq!(
        taken(DevicePlacement::new(Device::Auto, none()), 1 << 30),
        [false; 3]
    );
    assert_eq!(
        taken(DevicePlacement::new(Device::Gpu, probe()), 10),
        [true, true, false]
    );
    assert_eq!(
        taken(DevicePlacement::new(Device::Auto, probe()), 10),
        [false; 3]
    );
    assert_eq!(
        taken(DevicePlacement::new(Device::Auto, probe()), 40_000),
        [true, false, false]
    );
}

#[tokio::test]
async fn a_failing_device_falls_back_under_auto_and_is_an_error_under_gpu() {
    let oom = || {
        Arc::new(Probe {
            fail: Some(DeviceError::OutOfMemory("CUDA_ERROR_OUT_OF_MEMORY".into())),
            ..Probe::default()
        })
    };
    // Under auto, a run the cost rule sends to the device comes back from the CPU.
    let (cpu_values, _) = long_series("frac_diff(close, 0.2)", None, "cpu").await;
    let (auto_values, tried) = long_series("frac_diff(close, 0.2)", Some(oom()), "auto").await;
    assert!(tried > 0, "the device was tried");
    assert_eq!(auto_values, cpu_values);
    assert!(auto_values.iter().filter(|v| v.is_some()).count() > 100_000);

    let gpu = session(Some(oom()), "gpu").await;
    let err = gpu
        .sql(&format!(
            "SELECT {CALLS} FROM bars WINDOW w AS (PARTITION BY symbol ORDER BY ts)"
        ))
        .await
        .unwrap()
        .collect()
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("quantfusion.device = 'gpu': "), "{err}");
    assert!(
        err.contains("device out of memory: CUDA_ERROR_OUT_OF_MEMORY"),
        "{err}"
    );
    assert!(err.contains("use 'auto' to fall back to the CPU"), "{err}");
}

#[tokio::test]
async fn gpu_without_a_device_is_refused_before_anything_runs() {
    let ctx = session(None, "auto").await;
    ctx.sql("SET quantfusion.device = 'gpu'").await.unwrap();
    let result = ctx
        .sql("SELECT sma(close, 3) OVER (PARTITION BY symbol ORDER BY ts) FROM bars")
        .await
        .unwrap()
        .collect()
        .await;
    if quantfusion::device::probe().gpus.is_empty() {
        let err = result.unwrap_err().to_string();
        assert!(
            err.contains("quantfusion.device = 'gpu' but there is no usable GPU"),
            "{err}"
        );
    } else {
        assert!(result.is_ok(), "{result:?}");
    }
}

/// A window over a whole table (no PARTITION BY) is one run on the device.
#[tokio::test]
async fn a_window_over_a_whole_table_runs_as_one_partition() {
    let sql = "SELECT ts, frac_diff(close, 0.3, 1e-3) OVER (ORDER BY ts) AS f, \
                      linreg_slope(close, 20) OVER (ORDER BY ts) AS s, rsi(close) OVER (ORDER BY ts) AS r \
               FROM bars WHERE symbol = 7 ORDER BY ts";
    let rows = |batches: Vec<datafusion::arrow::array::RecordBatch>| {
        pretty_format_batches(&batches).unwrap().to_string()
    };
    let cpu = session(None, "cpu").await;
    let expected = rows(cpu.sql(sql).await.unwrap().collect().await.unwrap());
    let probe = Arc::new(Probe::default());
    let gpu = session(Some(probe.clone()), "gpu").await;
    assert_eq!(
        rows(gpu.sql(sql).await.unwrap().collect().await.unwrap()),
        expected
    );
    assert_eq!(
        probe.runs.load(Ordering::SeqCst),
        2,
        "frac_diff and linreg_slope, once each"
    );
    assert!(
        expected.lines().count() > 500,
        "{} lines",
        expected.lines().count()
    );
    let plan = rows(
        gpu.sql(&format!("EXPLAIN FORMAT INDENT {sql}"))
            .await
            .unwrap()
            .collect()
            .await
            .unwrap(),
    );
    assert!(plan.contains("on probe device"), "{plan}");
}
