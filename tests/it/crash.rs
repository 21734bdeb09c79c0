//! A materialisation killed with SIGKILL at several points leaves no partial
//! partition visible, and a rerun converges to the data of a clean run.

use crate::s3_server::{files_under, S3Server};
use datafusion::arrow::array::{Array, Float64Array, Int64Array, StringArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use std::collections::BTreeMap;
use std::process::{Command, Stdio};
use std::time::Instant;

const SYMBOLS: usize = 8;
const ROWS_PER_SYMBOL: usize = 40_000;

const STAGE: &str = "SELECT symbol, ts, x, \
       ema(x, 20) OVER w AS e, rolling_std(x, 50) OVER w AS s, rsi(x, 14) OVER w AS r \
     FROM bars WINDOW w AS (PARTITION BY symbol ORDER BY ts)";

/// (rows, sum x, sum e, sum s, sum r) per symbol.
type Fingerprint = BTreeMap<String, (i64, [f64; 4])>;

async fn fingerprint(server: &S3Server, url: &str) -> Fingerprint {
    let ctx = crate::common::session();
    server.register(&ctx, "features");
    let sql = format!(
        "SELECT symbol, count(*), sum(x), sum(e), sum(s), sum(r) FROM '{url}' GROUP BY symbol"
    );
    let batches = match ctx.sql(&sql).await {
        Ok(df) => df.collect().await.unwrap(),
        // Nothing committed yet.
        Err(e) if e.to_string().contains("no files found") => return Fingerprint::new(),
        Err(e) => panic!("{e}"),
    };
    let mut out = Fingerprint::new();
    for b in batches {
        let symbols = cast(b.column(0), &DataType::Utf8).unwrap();
        let symbols = symbols.as_any().downcast_ref::<StringArray>().unwrap();
        let counts = b.column(1).as_any().downcast_ref::<Int64Array>().unwrap();
        let sum = |i: usize, row: usize| {
            b.column(i)
                .as_any()
                .downcast_ref::<Float64Array>()
                .unwrap()
                .value(row)
        };
        for row in 0..b.num_rows() {
            out.insert(
                symbols.value(row).to_string(),
                (
                    counts.value(row),
                    [sum(2, row), sum(3, row), sum(4, row), sum(5, row)],
                ),
            );
        }
    }
    out
}

fn assert_same_partition(symbol: &str, got: &(i64, [f64; 4]), want: &(i64, [f64; 4])) {
    assert_eq!(got.0, want.0, "{symbol}: a partial partition is visible");
    for (g, w) in got.1.iter().zip(&want.1) {
        assert!(
            (g - w).abs() <= 1e-9 * w.abs().max(1.0),
            "{symbol}: {g} vs {w}"
        );
    }
}

#[test]
fn killed_writers_leave_no_partial_partition_and_reruns_converge() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = S3Server::start(&["features"]);
    let work = tempfile::tempdir().unwrap();
    let input = work.path().join("bars.parquet");
    runtime.block_on(async {
        let ctx = crate::common::session();
        ctx.sql(&format!(
            "COPY (SELECT chr(65 + CAST(i % {SYMBOLS} AS INT)) AS symbol, i / {SYMBOLS} AS ts, \
                    100 + sin(i * 0.001) + cos(i * 0.37) * 0.1 AS x \
                  FROM generate_series(0, {}) t(i) ORDER BY symbol, ts) \
             TO '{}' STORED AS PARQUET",
            SYMBOLS * ROWS_PER_SYMBOL - 1,
            input.display()
        ))
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    });
    let stage = work.path().join("stage.sql");
    std::fs::write(&stage, STAGE).unwrap();
    let table = format!("bars={}", input.display());
    let command = |url: &str| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_quantfusion"));
        c.args(["materialize", "--sql", stage.to_str().unwrap(), "--to", url])
            .args(["--partition-by", "symbol", "--table", &table])
            .env_clear()
            .envs(server.s3_env())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        c
    };

    // The clean run is timed twice and the faster one kept: a first run on a cold
    // machine (binary and files not yet cached) can take twice as long as the later
    // ones, whose kills would then land after they finished.
    let mut duration = std::time::Duration::MAX;
    for _ in 0..2 {
        let started = Instant::now();
        let clean = command("s3://features/clean").output().unwrap();
        assert!(
            clean.status.success(),
            "{}",
            String::from_utf8_lossy(&clean.stderr)
        );
        duration = duration.min(started.elapsed());
    }
    let reference = runtime.block_on(fingerprint(&server, "s3://features/clean/"));
    assert_eq!(reference.len(), SYMBOLS);

    let mut killed_while_running = 0;
    // The third kill usually comes after the commit: later kills then interrupt a run
    // replacing committed data.
    for fraction in [0.1, 0.5, 0.97, 0.3, 0.7, 0.85] {
        let mut child = command("s3://features/crash").spawn().unwrap();
        std::thread::sleep(duration.mul_f64(fraction));
        if child.try_wait().unwrap().is_none() {
            killed_while_running += 1;
        }
        child.kill().unwrap();
        child.wait().unwrap();
        let visible = runtime.block_on(fingerprint(&server, "s3://features/crash/"));
        for (symbol, got) in &visible {
            assert_same_partition(symbol, got, &reference[symbol]);
        }
    }
    assert!(
        killed_while_running >= 4,
        "only {killed_while_running} kills hit a running writer (clean run: {duration:?})"
    );

    let rerun = command("s3://features/crash").output().unwrap();
    assert!(
        rerun.status.success(),
        "{}",
        String::from_utf8_lossy(&rerun.stderr)
    );
    let converged = runtime.block_on(fingerprint(&server, "s3://features/crash/"));
    assert_eq!(
        converged.keys().collect::<Vec<_>>(),
        reference.keys().collect::<Vec<_>>()
    );
    for (symbol, want) in &reference {
        assert_same_partition(symbol, &converged[symbol], want);
    }
    // Nothing of the killed runs is left: each directory holds its manifest and the
    // files it lists.
    let crash = server.bucket_dir("features").join("crash");
    for symbol in reference.keys() {
        let dir = crash.join(format!("symbol={symbol}"));
        let manifest = std::fs::read_to_string(dir.join("_manifest.json")).unwrap();
        let data: Vec<String> = files_under(&dir)
            .into_iter()
            .filter(|f| f != "_manifest.json")
            .collect();
        assert_eq!(data.len(), 1, "{symbol}: {data:?}");
        assert!(manifest.contains(&data[0]), "{manifest}");
    }
}
