//! Object storage against a real S3 server on 127.0.0.1: reading hive partitions with
//! pruning, atomic partitioned writes in every mode, COPY, faults and bad input.

use crate::common::{column, error, session};
use crate::s3_server::{files_under, S3Server};
use datafusion::arrow::util::pretty::pretty_format_batches;
use datafusion::prelude::SessionContext;
use quantfusion::materialize::{materialize, MaterializeOptions};
use quantfusion::publish::WriteMode;

/// Four symbols of 2,000 rows each; `n` symbols are kept.
fn bars_view(symbols: usize) -> String {
    format!(
        "CREATE OR REPLACE VIEW bars AS SELECT \
           chr(65 + CAST(i % 4 AS INT)) AS symbol, i / 4 AS ts, \
           100 + sin(i * 0.01) + (i % 4) AS x \
         FROM generate_series(0, 7999) t(i) WHERE i % 4 < {symbols}"
    )
}

const STAGE: &str =
    "SELECT symbol, ts, x, ema(x, 5) OVER (PARTITION BY symbol ORDER BY ts) AS e FROM bars";

async fn session_with(server: &S3Server, buckets: &[&str], symbols: usize) -> SessionContext {
    let ctx = session();
    for b in buckets {
        server.register(&ctx, b);
    }
    ctx.sql(&bars_view(symbols)).await.unwrap();
    ctx
}

/// Row count and sums per symbol: equal fingerprints mean equal data.
async fn fingerprint(ctx: &SessionContext, url: &str) -> String {
    let sql = format!(
        "SELECT symbol, count(*) AS n, round(sum(x), 9) AS x, round(sum(e), 9) AS e \
         FROM '{url}/' GROUP BY symbol ORDER BY symbol"
    );
    crate::common::table_text(ctx, &sql).await
}

fn by_symbol(mode: WriteMode) -> MaterializeOptions {
    MaterializeOptions::partitioned_by(&["symbol"]).with_mode(mode)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partitioned_write_then_pruned_read() {
    let server = S3Server::start(&["features"]);
    let ctx = session_with(&server, &["features"], 4).await;
    let written = materialize(
        &ctx,
        STAGE,
        "s3://features/ema",
        &by_symbol(WriteMode::Overwrite),
    )
    .await
    .unwrap();
    assert_eq!(
        (written.rows, written.partitions, written.files),
        (8000, 4, 4)
    );
    assert_eq!(written.location, "s3://features/ema/");

    // Each partition directory holds its manifest and the one file it lists.
    let files = files_under(&server.bucket_dir("features"));
    let data: Vec<_> = files.iter().filter(|f| f.ends_with(".parquet")).collect();
    assert_eq!(data.len(), 4, "{files:?}");
    assert!(
        files.contains(&"ema/symbol=C/_manifest.json".to_string()),
        "{files:?}"
    );
    assert!(files.contains(&"ema/_SUCCESS".to_string()), "{files:?}");

    // Hive partitions are discovered as a column and pruned by WHERE. Creating the
    // table reads one file's footer for the schema; the query then reads only the
    // objects of symbol=B.
    ctx.sql("CREATE EXTERNAL TABLE ema STORED AS PARQUET LOCATION 's3://features/ema/'")
        .await
        .unwrap();
    server.clear_log();
    let n = column(&ctx, "SELECT count(*), avg(e) FROM ema WHERE symbol = 'B'")
        .await
        .unwrap();
    assert_eq!(n, vec![Some(2000.0)]);
    assert!(server.gets_of("symbol=B/part-") > 0);
    for other in ["symbol=A/", "symbol=C/", "symbol=D/"] {
        assert_eq!(
            server.gets_of(&format!("{other}part-")),
            0,
            "{other} was read"
        );
    }
    let plan = ctx
        .sql("EXPLAIN FORMAT INDENT SELECT avg(e) FROM 's3://features/ema/' WHERE symbol = 'B'")
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    let plan = pretty_format_batches(&plan).unwrap().to_string();
    assert!(plan.contains("symbol=B/part-"), "{plan}");
    assert!(!plan.contains("symbol=A/"), "{plan}");
    let v = column(
        &ctx,
        "SELECT max(ts) FROM 's3://features/ema/' WHERE symbol IN ('C', 'D')",
    )
    .await
    .unwrap();
    assert_eq!(v, vec![Some(1999.0)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn write_modes_replace_add_or_refuse() {
    let server = S3Server::start(&["features"]);
    let url = "s3://features/modes";
    let all = session_with(&server, &["features"], 4).await;
    materialize(&all, STAGE, url, &by_symbol(WriteMode::Overwrite))
        .await
        .unwrap();
    let full = fingerprint(&all, url).await;

    // overwrite-partitions with two symbols keeps C and D.
    let two = session_with(&server, &["features"], 2).await;
    materialize(&two, STAGE, url, &by_symbol(WriteMode::OverwritePartitions))
        .await
        .unwrap();
    assert_eq!(fingerprint(&two, url).await, full);

    // append doubles the partitions written.
    materialize(&two, STAGE, url, &by_symbol(WriteMode::Append))
        .await
        .unwrap();
    let counts = column(
        &two,
        &format!("SELECT count(*) FROM '{url}/' GROUP BY symbol ORDER BY symbol"),
    )
    .await
    .unwrap();
    assert_eq!(
        counts,
        vec![Some(4000.0), Some(4000.0), Some(2000.0), Some(2000.0)]
    );

    // error-if-exists refuses, naming the destination, and changes nothing.
    let err = materialize(&two, STAGE, url, &by_symbol(WriteMode::ErrorIfExists))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("s3://features/modes/") && err.contains("already holds data"),
        "{err}"
    );

    // overwrite replaces everything: A and B once each, C and D gone, no stale files.
    materialize(&two, STAGE, url, &by_symbol(WriteMode::Overwrite))
        .await
        .unwrap();
    let counts = column(
        &two,
        &format!("SELECT count(*) FROM '{url}/' GROUP BY symbol ORDER BY symbol"),
    )
    .await
    .unwrap();
    assert_eq!(counts, vec![Some(2000.0), Some(2000.0)]);
    let files = files_under(&server.bucket_dir("features").join("modes"));
    assert_eq!(
        files.iter().filter(|f| f.ends_with(".parquet")).count(),
        2,
        "{files:?}"
    );
    assert!(
        !files.iter().any(|f| f.starts_with("symbol=C")),
        "{files:?}"
    );

    // error-if-exists writes into an empty destination.
    let fresh = materialize(
        &two,
        STAGE,
        "s3://features/fresh",
        &by_symbol(WriteMode::ErrorIfExists),
    )
    .await
    .unwrap();
    assert_eq!(fresh.rows, 4000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uncommitted_files_are_invisible_and_cleaned_by_the_next_commit() {
    let server = S3Server::start(&["features"]);
    let url = "s3://features/ema";
    let ctx = session_with(&server, &["features"], 4).await;
    materialize(&ctx, STAGE, url, &by_symbol(WriteMode::Overwrite))
        .await
        .unwrap();
    let before = fingerprint(&ctx, url).await;

    // A writer that died after writing a file: present in the bucket, not listed.
    let dir = server.bucket_dir("features").join("ema/symbol=A");
    let committed = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "parquet"))
        .unwrap();
    std::fs::copy(&committed, dir.join("part-orphan-0-0.parquet")).unwrap();
    assert_eq!(fingerprint(&ctx, url).await, before);

    // The next commit of that partition removes it.
    materialize(&ctx, STAGE, url, &by_symbol(WriteMode::Overwrite))
        .await
        .unwrap();
    assert!(!dir.join("part-orphan-0-0.parquet").exists());
    assert_eq!(fingerprint(&ctx, url).await, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copy_to_s3_with_partitions() {
    let server = S3Server::start(&["features"]);
    let ctx = session_with(&server, &["features"], 4).await;
    ctx.sql(&format!(
        "COPY ({STAGE}) TO 's3://features/copied/' STORED AS PARQUET PARTITIONED BY (symbol)"
    ))
    .await
    .unwrap()
    .collect()
    .await
    .unwrap();
    let v = column(
        &ctx,
        "SELECT count(*) FROM 's3://features/copied/' WHERE symbol = 'D'",
    )
    .await
    .unwrap();
    assert_eq!(v, vec![Some(2000.0)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transient_faults_are_retried_to_identical_data() {
    let server = S3Server::start(&["features"]);
    let ctx = session_with(&server, &["features"], 4).await;
    materialize(
        &ctx,
        STAGE,
        "s3://features/clean",
        &by_symbol(WriteMode::Overwrite),
    )
    .await
    .unwrap();
    let clean = fingerprint(&ctx, "s3://features/clean").await;

    // One request in three fails with 503 and one in seven loses its connection.
    server.inject_faults(3, 7);
    materialize(
        &ctx,
        STAGE,
        "s3://features/faulty",
        &by_symbol(WriteMode::Overwrite),
    )
    .await
    .unwrap();
    let faulty = fingerprint(&ctx, "s3://features/faulty").await;
    assert!(
        server.faults() > 10,
        "only {} faults injected",
        server.faults()
    );
    assert_eq!(faulty, clean);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn permanent_errors_name_the_url_and_no_secret() {
    let server = S3Server::start(&["features"]);
    let ctx = session_with(&server, &["features"], 4).await;
    let secret = crate::s3_server::SECRET_KEY;

    // A bucket the server does not have.
    server.register(&ctx, "nobucket");
    let err = error(&ctx, "SELECT count(*) FROM 's3://nobucket/x/'").await;
    assert!(err.contains("NoSuchBucket"), "{err}");
    assert!(err.contains("s3://nobucket"), "{err}");
    assert!(!err.contains(secret), "{err}");
    let err = materialize(
        &ctx,
        STAGE,
        "s3://nobucket/out",
        &by_symbol(WriteMode::Overwrite),
    )
    .await
    .unwrap_err();
    let err = quantfusion::errors::one_line(&err);
    assert!(err.contains("s3://nobucket"), "{err}");

    // Unknown schemes.
    let err = materialize(
        &ctx,
        STAGE,
        "gs://bucket/out",
        &by_symbol(WriteMode::Overwrite),
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(err.contains("unknown storage scheme 'gs://'"), "{err}");

    // A corrupt object in a partition directory.
    materialize(
        &ctx,
        STAGE,
        "s3://features/ema",
        &by_symbol(WriteMode::Overwrite),
    )
    .await
    .unwrap();
    let bad = server.bucket_dir("features").join("bad/symbol=A");
    std::fs::create_dir_all(&bad).unwrap();
    std::fs::write(bad.join("part-0.parquet"), b"this is not parquet").unwrap();
    let err = error(&ctx, "SELECT count(*) FROM 's3://features/bad/'").await;
    assert!(
        err.contains("s3://features/bad/symbol=A/part-0.parquet is not a parquet file"),
        "{err}"
    );

    // Partitions whose files disagree on a column's type.
    let mixed = server.bucket_dir("features").join("mixed");
    for (symbol, value) in [("A", "1.5"), ("B", "'text'")] {
        let dir = mixed.join(format!("symbol={symbol}"));
        std::fs::create_dir_all(&dir).unwrap();
        let local = session();
        local
            .sql(&format!(
                "COPY (SELECT {value} AS x) TO '{}' STORED AS PARQUET",
                dir.join("part-0.parquet").display()
            ))
            .await
            .unwrap()
            .collect()
            .await
            .unwrap();
    }
    let err = error(&ctx, "SELECT sum(x) FROM 's3://features/mixed/'").await;
    assert!(err.contains("field 'x'") && err.contains("Utf8"), "{err}");
}

/// The binary with only the given environment (no credentials leak in from the
/// machine running the tests).
fn quantfusion(args: &[&str], env: &[(&str, String)]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_quantfusion"))
        .args(args)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .output()
        .expect("run quantfusion")
}

fn text(o: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn credentials_and_endpoints_come_from_the_environment() {
    let server = S3Server::start(&["market"]);
    let secret = crate::s3_server::SECRET_KEY;
    let stage = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(stage.path(), format!("{};\n{STAGE}", bars_view(4))).unwrap();
    let stage = stage.path().to_str().unwrap();

    // Write with the AWS_* variables, read back as s3:// and as r2:// (R2_* variables).
    let o = quantfusion(
        &[
            "materialize",
            "--sql",
            stage,
            "--to",
            "s3://market/ema",
            "--partition-by",
            "symbol",
        ],
        &server.s3_env(),
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("wrote 8000 rows to s3://market/ema/ (4 partitions, 4 files"),
        "{}",
        text(&o)
    );
    let count = "SELECT count(*) AS n FROM 's3://market/ema/' WHERE symbol = 'A'";
    let o = quantfusion(&["--format", "csv", "-c", count], &server.s3_env());
    assert_eq!(text(&o), "n\n2000\n");
    let o = quantfusion(
        &["--format", "csv", "-c", &count.replace("s3://", "r2://")],
        &server.r2_env(),
    );
    assert_eq!(text(&o), "n\n2000\n");

    // No credentials: a clear error at once.
    let endpoint_only = vec![("AWS_ENDPOINT", server.endpoint.clone())];
    let o = quantfusion(&["-c", count], &endpoint_only);
    assert!(!o.status.success());
    assert!(
        text(&o).contains("no credentials for s3://market"),
        "{}",
        text(&o)
    );
    let o = quantfusion(&["-c", &count.replace("s3://", "r2://")], &[]);
    assert!(
        text(&o).contains("no account for r2://market"),
        "{}",
        text(&o)
    );

    // A wrong secret is refused by the server; the error names the URL, never the secret.
    let mut wrong = server.s3_env();
    wrong.retain(|(k, _)| *k != "AWS_SECRET_ACCESS_KEY");
    wrong.push(("AWS_SECRET_ACCESS_KEY", format!("{secret}-wrong")));
    let o = quantfusion(&["-c", count], &wrong);
    assert!(!o.status.success());
    assert!(text(&o).contains("s3://market/ema/"), "{}", text(&o));
    assert!(
        text(&o).contains("403") || text(&o).contains("Forbidden"),
        "{}",
        text(&o)
    );
    let o = quantfusion(
        &[
            "materialize",
            "--sql",
            stage,
            "--to",
            "s3://market/ema2",
            "--partition-by",
            "symbol",
        ],
        &wrong,
    );
    assert!(!o.status.success());
    assert!(text(&o).contains("s3://market/ema2/"), "{}", text(&o));

    // Secrets appear nowhere: not in errors, EXPLAIN, or settings.
    for args in [
        vec!["-c", "EXPLAIN SELECT count(*) FROM 's3://market/ema/'"],
        vec!["-c", "SELECT * FROM information_schema.df_settings"],
    ] {
        let o = quantfusion(&args, &server.s3_env());
        assert!(o.status.success(), "{}", text(&o));
        assert!(!text(&o).contains(secret), "{}", text(&o));
    }
    let o = quantfusion(&["-c", count], &wrong);
    assert!(!text(&o).contains(secret), "{}", text(&o));
}
