//! Pipelines: dependency order, skipping unchanged stages, reruns on new data,
//! retries, fail-fast vs continue, the state table, bad files, and a run on S3.

use crate::s3_server::S3Server;
use std::path::Path;
use std::process::{Command, Output};

pub(crate) fn quantfusion(args: &[&str], env: &[(&str, String)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_quantfusion"))
        .args(args)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .output()
        .expect("run quantfusion")
}

pub(crate) fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Writes `rows` rows of two symbols as the source parquet file.
fn write_source(path: &Path, rows: usize) {
    let o = quantfusion(
        &[
            "-c",
            &format!(
                "COPY (SELECT CASE WHEN i % 2 = 0 THEN 'A' ELSE 'B' END AS symbol, i / 2 AS ts, \
                        100 + sin(i * 0.1) AS close FROM generate_series(0, {}) t(i)) \
                 TO '{}' STORED AS PARQUET",
                rows - 1,
                path.display()
            ),
        ],
        &[],
    );
    assert!(o.status.success(), "{}", text(&o));
}

/// A pipeline in `dir`: `features` reads the source, `summary` reads `features`,
/// `broken` fails, `lonely` depends on nothing.
fn write_pipeline(dir: &Path, source: &str, out: &str, on_failure: &str) -> String {
    std::fs::write(
        dir.join("features.sql"),
        "SELECT symbol, ts, close, ema(close, 5) OVER (PARTITION BY symbol ORDER BY ts) AS e FROM prices",
    )
    .unwrap();
    std::fs::write(
        dir.join("summary.sql"),
        "SELECT symbol, count(*) AS n, avg(e) AS mean_e FROM features GROUP BY symbol",
    )
    .unwrap();
    std::fs::write(dir.join("broken.sql"), "SELECT no_such_column FROM prices").unwrap();
    std::fs::write(dir.join("lonely.sql"), "SELECT 1 AS symbol_count").unwrap();
    let file = dir.join("pipeline.toml");
    std::fs::write(
        &file,
        format!(
            r#"
[settings]
retries = 1
on_failure = "{on_failure}"

[sources.prices]
url = "{source}"

[stages.features]
sql = "features.sql"
output = "${{OUT:{out}}}/features"
partition_by = ["symbol"]

[stages.summary]
sql = "summary.sql"
output = "{out}/summary"
depends_on = ["features"]

[stages.broken]
sql = "broken.sql"
output = "{out}/broken"
depends_on = ["features"]

[stages.after_broken]
sql = "lonely.sql"
output = "{out}/after_broken"
depends_on = ["broken"]

[stages.lonely]
sql = "lonely.sql"
output = "{out}/lonely"
"#
        ),
    )
    .unwrap();
    file.display().to_string()
}

fn count(path: &str, env: &[(&str, String)]) -> String {
    let o = quantfusion(
        &[
            "--format",
            "csv",
            "-c",
            &format!("SELECT sum(n) AS n FROM '{path}/'"),
        ],
        env,
    );
    assert!(o.status.success(), "{}", text(&o));
    text(&o)
}

#[test]
fn runs_in_order_skips_unchanged_and_reruns_on_new_data() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("prices.parquet");
    write_source(&source, 1000);
    let out = dir.path().join("out").display().to_string();
    let pipeline = write_pipeline(dir.path(), source.to_str().unwrap(), &out, "continue");

    let o = quantfusion(&["plan", &pipeline], &[]);
    assert!(
        text(&o).contains("run  features: never completed"),
        "{}",
        text(&o)
    );

    let o = quantfusion(&["run", &pipeline], &[]);
    assert!(!o.status.success(), "a failed stage makes the run fail");
    let t = text(&o);
    assert!(t.contains("features: completed: 1000 rows"), "{t}");
    assert!(t.contains("summary: completed: 2 rows"), "{t}");
    assert!(
        t.contains("broken: failed:") && t.contains("no_such_column"),
        "{t}"
    );
    assert!(
        t.contains("after_broken: not run: stage 'broken' did not complete"),
        "{t}"
    );
    assert!(t.contains("lonely: completed"), "{t}");
    assert_eq!(count(&format!("{out}/summary"), &[]), "n\n1000\n");

    // The state table: the failing stage was tried twice (retries = 1).
    let o = quantfusion(&["status", &pipeline, "--format", "json"], &[]);
    let status: serde_json::Value =
        serde_json::from_str(String::from_utf8_lossy(&o.stdout).trim()).unwrap();
    assert_eq!(status["counts"]["COMPLETED"], 3, "{status}");
    assert_eq!(status["counts"]["FAILED"], 1, "{status}");
    assert!(
        status["tasks"][0]["seconds"].as_f64().unwrap() >= 0.0,
        "{status}"
    );
    let status = &status["tasks"];
    let broken = status
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["stage"] == "broken")
        .unwrap();
    assert_eq!(broken["status"], "FAILED");
    assert_eq!(broken["attempt"], 2);
    assert!(broken["error"].as_str().unwrap().contains("no_such_column"));
    let features = status
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["stage"] == "features")
        .unwrap();
    assert_eq!(
        (features["status"].clone(), features["rows"].clone()),
        ("COMPLETED".into(), 1000.into())
    );

    // Nothing changed: completed stages are skipped, the failed one is tried again.
    let o = quantfusion(&["run", &pipeline], &[]);
    let t = text(&o);
    assert!(t.contains("features: skipped: inputs unchanged"), "{t}");
    assert!(t.contains("summary: skipped"), "{t}");
    assert!(t.contains("broken: failed"), "{t}");

    // New rows in the source: the stages reading it run again, and the result equals
    // a recompute over the whole input.
    write_source(&source, 1400);
    let o = quantfusion(&["plan", &pipeline], &[]);
    let t = text(&o);
    assert!(t.contains("run  features: inputs or SQL changed"), "{t}");
    assert!(
        t.contains("run  summary: stage 'features' runs first"),
        "{t}"
    );
    let o = quantfusion(&["run", &pipeline, "--only", "summary"], &[]);
    assert!(
        text(&o).contains("summary: completed: 2 rows"),
        "{}",
        text(&o)
    );
    assert_eq!(
        count(&format!("{out}/summary"), &[]),
        "n\n1000\n",
        "features was not rerun"
    );
    quantfusion(&["run", &pipeline], &[]);
    assert_eq!(count(&format!("{out}/summary"), &[]), "n\n1400\n");

    // --force reruns what is unchanged.
    let o = quantfusion(&["run", &pipeline, "--only", "lonely", "--force"], &[]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("lonely: completed"), "{}", text(&o));
}

#[test]
fn fail_fast_stops_at_the_first_failure() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("prices.parquet");
    write_source(&source, 100);
    let out = dir.path().join("out").display().to_string();
    let pipeline = write_pipeline(dir.path(), source.to_str().unwrap(), &out, "fail-fast");
    let o = quantfusion(&["run", &pipeline], &[]);
    assert!(!o.status.success());
    let t = text(&o);
    // Stages run in dependency order, names breaking ties: broken comes before lonely.
    assert!(t.contains("broken: failed"), "{t}");
    assert!(
        t.contains("lonely: not run: an earlier stage failed"),
        "{t}"
    );
}

#[test]
fn bad_pipeline_files_fail_before_anything_runs() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out").display().to_string();
    let pipeline = write_pipeline(dir.path(), "prices.parquet", &out, "continue");
    let good = std::fs::read_to_string(&pipeline).unwrap();
    let cases = [
        (
            good.replace("retries = 1", "retries = 1\nparallel = 4"),
            "unknown field `parallel`",
        ),
        (
            good.replace("sql = \"summary.sql\"", "sql = \"missing.sql\""),
            "SQL file",
        ),
        (
            good.replace(
                "partition_by = [\"symbol\"]",
                "partition_by = [\"symbol\"]\ndepends_on = [\"summary\"]",
            ),
            "cycle: features -> summary -> features",
        ),
        (
            good.replace("retries = 1", "retries = ${UNSET_RETRIES}"),
            "variable 'UNSET_RETRIES' is not set",
        ),
        (
            good.replace("depends_on = [\"broken\"]", "depends_on = [\"nothing\"]"),
            "depends on 'nothing', which is not a stage",
        ),
    ];
    for (text_, expected) in cases {
        std::fs::write(&pipeline, &text_).unwrap();
        for command in ["run", "plan", "status"] {
            let o = quantfusion(&[command, &pipeline], &[]);
            assert!(!o.status.success(), "{command}: {}", text(&o));
            assert!(
                text(&o).contains(expected),
                "{command}: expected '{expected}' in {}",
                text(&o)
            );
        }
        assert!(!dir.path().join("out").exists(), "nothing ran");
        assert!(
            !dir.path().join("pipeline.toml.state.sqlite").exists(),
            "no state written"
        );
    }
}

#[test]
fn a_pipeline_reads_and_writes_object_storage() {
    let server = S3Server::start(&["lake"]);
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("prices.parquet");
    write_source(&source, 600);
    // The source goes to the bucket first, as partitioned parquet.
    std::fs::write(dir.path().join("copy.sql"), "SELECT * FROM raw").unwrap();
    let o = quantfusion(
        &[
            "materialize",
            "--sql",
            dir.path().join("copy.sql").to_str().unwrap(),
            "--to",
            "s3://lake/prices",
            "--partition-by",
            "symbol",
            "--table",
            &format!("raw={}", source.display()),
        ],
        &server.s3_env(),
    );
    assert!(o.status.success(), "{}", text(&o));
    let pipeline = write_pipeline(dir.path(), "s3://lake/prices/", "s3://lake/out", "continue");
    let o = quantfusion(&["run", &pipeline, "--only", "features"], &server.s3_env());
    assert!(o.status.success(), "{}", text(&o));
    let o = quantfusion(&["run", &pipeline, "--only", "summary"], &server.s3_env());
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(count("s3://lake/out/summary", &server.s3_env()), "n\n600\n");
    let o = quantfusion(&["run", &pipeline, "--only", "features"], &server.s3_env());
    assert!(
        text(&o).contains("features: skipped: inputs unchanged"),
        "{}",
        text(&o)
    );
}

/// A one-stage pipeline over a source of `rows` rows, in `dir`.
fn one_stage_pipeline(dir: &Path, rows: usize) -> String {
    let source = dir.join("prices.parquet");
    write_source(&source, rows);
    std::fs::write(
        dir.join("features.sql"),
        "SELECT symbol, ts, close, ema(close, 5) OVER w AS e, rolling_std(close, 50) OVER w AS s, \
                rsi(close, 14) OVER w AS r \
         FROM prices WINDOW w AS (PARTITION BY symbol ORDER BY ts)",
    )
    .unwrap();
    let file = dir.join("pipeline.toml");
    std::fs::write(
        &file,
        format!(
            "[sources.prices]\nurl = \"{}\"\n\n[stages.features]\nsql = \"features.sql\"\n\
             output = \"out/features\"\npartition_by = [\"symbol\"]\n",
            source.display()
        ),
    )
    .unwrap();
    file.display().to_string()
}

fn statuses(pipeline: &str) -> Vec<(String, Option<String>)> {
    try_statuses(pipeline).unwrap()
}

/// The attempts so far; an error while the run is still creating the state file.
fn try_statuses(pipeline: &str) -> rusqlite::Result<Vec<(String, Option<String>)>> {
    let db = rusqlite::Connection::open(format!("{pipeline}.state.sqlite"))?;
    let mut q = db.prepare("SELECT status, error_message FROM task_status ORDER BY status_id")?;
    let rows: rusqlite::Result<Vec<_>> = q.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect();
    rows
}

fn summary_of(dir: &Path) -> String {
    let o = quantfusion(
        &[
            "--format",
            "csv",
            "-c",
            &format!(
                "SELECT symbol, count(*) AS n, round(sum(e), 6) AS e, round(sum(s), 6) AS s, round(sum(r), 6) AS r \
                 FROM '{}/out/features/' GROUP BY symbol ORDER BY symbol",
                dir.display()
            ),
        ],
        &[],
    );
    assert!(o.status.success(), "{}", text(&o));
    text(&o)
}

#[test]
fn a_killed_run_is_taken_over_and_gives_the_clean_result() {
    let clean_dir = tempfile::tempdir().unwrap();
    let clean = one_stage_pipeline(clean_dir.path(), 400_000);
    let o = quantfusion(&["run", &clean], &[]);
    assert!(o.status.success(), "{}", text(&o));

    let dir = tempfile::tempdir().unwrap();
    let pipeline = one_stage_pipeline(dir.path(), 400_000);
    let mut child = Command::new(env!("CARGO_BIN_EXE_quantfusion"))
        .args(["run", &pipeline])
        .env_clear()
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let state = format!("{pipeline}.state.sqlite");
    loop {
        let running = Path::new(&state).exists()
            && try_statuses(&pipeline).is_ok_and(|s| s.iter().any(|(s, _)| s == "RUNNING"));
        if running {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the stage never started"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(
        statuses(&pipeline).last().unwrap().0,
        "RUNNING",
        "killed mid-stage"
    );

    let o = quantfusion(&["run", &pipeline], &[]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("features: completed: 400000 rows"),
        "{}",
        text(&o)
    );
    let history = statuses(&pipeline);
    assert_eq!(history.len(), 2, "{history:?}");
    assert_eq!(history[0].0, "FAILED");
    assert!(
        history[0].1.as_deref().unwrap().starts_with("abandoned"),
        "{history:?}"
    );
    assert_eq!(history[1].0, "COMPLETED");
    assert_eq!(summary_of(dir.path()), summary_of(clean_dir.path()));
}

#[test]
fn two_concurrent_runs_do_not_both_run_a_stage() {
    let dir = tempfile::tempdir().unwrap();
    let pipeline = one_stage_pipeline(dir.path(), 200_000);
    let spawn = || {
        Command::new(env!("CARGO_BIN_EXE_quantfusion"))
            .args(["run", &pipeline])
            .env_clear()
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn(), spawn());
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    assert!(
        a.status.success() && b.status.success(),
        "{}\n{}",
        text(&a),
        text(&b)
    );
    let history = statuses(&pipeline);
    assert_eq!(
        history,
        vec![("COMPLETED".to_string(), None)],
        "{}\n{}",
        text(&a),
        text(&b)
    );
    let both = format!("{}{}", text(&a), text(&b));
    assert!(both.contains("features: completed"), "{both}");
    assert!(
        both.contains("features: left to another run") || both.contains("features: skipped"),
        "{both}"
    );
}

#[test]
fn json_logs_are_one_object_per_stage() {
    let dir = tempfile::tempdir().unwrap();
    let pipeline = one_stage_pipeline(dir.path(), 1000);
    let o = quantfusion(&["run", &pipeline, "--log-format", "json"], &[]);
    assert!(o.status.success(), "{}", text(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    let mut lines = stdout.lines();
    let event: serde_json::Value = serde_json::from_str(lines.next().unwrap()).unwrap();
    assert_eq!(event["stage"], "features");
    assert_eq!(event["status"], "completed");
    assert_eq!(event["rows"], 1000);
    assert!(event["rows_per_s"].as_f64().unwrap() > 0.0);
    assert!(lines.next().unwrap().starts_with("1 stages: 1 completed"));
}

/// Writes `rows` rows per symbol of `symbols` to `dest` (a directory or URL of
/// parquet partitioned by symbol), replacing only those symbols' partitions.
pub(crate) fn write_symbols(
    work: &Path,
    dest: &str,
    symbols: &[&str],
    rows: usize,
    env: &[(&str, String)],
) {
    let list = symbols
        .iter()
        .map(|s| format!("('{s}')"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = work.join("source.sql");
    std::fs::write(
        &sql,
        format!(
            "SELECT s.symbol, i AS ts, 100 + sin(i * 0.1 + length(s.symbol)) AS close \
             FROM (VALUES {list}) s(symbol), generate_series(0, {}) t(i)",
            rows - 1
        ),
    )
    .unwrap();
    let o = quantfusion(
        &[
            "materialize",
            "--sql",
            sql.to_str().unwrap(),
            "--to",
            dest,
            "--partition-by",
            "symbol",
            "--mode",
            "overwrite-partitions",
        ],
        env,
    );
    assert!(o.status.success(), "{}", text(&o));
}

/// [`write_symbols`] into a local directory.
pub(crate) fn write_partitioned_source(work: &Path, dir: &Path, symbols: &[&str], rows: usize) {
    write_symbols(work, dir.to_str().unwrap(), symbols, rows, &[]);
}

#[test]
fn split_stages_rerun_only_the_partitions_whose_input_changed() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("prices");
    write_partitioned_source(dir.path(), &source, &["A", "BB", "C"], 500);
    std::fs::write(
        dir.path().join("features.sql"),
        "SELECT symbol, ts, close, ema(close, 5) OVER w AS e, rolling_std(close, 50) OVER w AS s, \
                rsi(close, 14) OVER w AS r \
         FROM prices WINDOW w AS (PARTITION BY symbol ORDER BY ts)",
    )
    .unwrap();
    let pipeline = dir.path().join("pipeline.toml");
    std::fs::write(
        &pipeline,
        format!(
            "[settings]\nparallelism = 2\n\n[sources.prices]\nurl = \"{}\"\n\n\
             [stages.features]\nsql = \"features.sql\"\noutput = \"out/features\"\n\
             partition_by = [\"symbol\"]\ntasks = {{ by = \"symbol\", from = \"prices\" }}\n",
            source.display()
        ),
    )
    .unwrap();
    let pipeline = pipeline.to_str().unwrap();

    let o = quantfusion(&["run", pipeline], &[]);
    assert!(o.status.success(), "{}", text(&o));
    for symbol in ["A", "BB", "C"] {
        assert!(
            text(&o).contains(&format!("features[symbol={symbol}]: completed: 500 rows")),
            "{}",
            text(&o)
        );
    }
    let o = quantfusion(&["run", pipeline], &[]);
    assert!(
        text(&o).contains("features: skipped: inputs of all 3 tasks unchanged"),
        "{}",
        text(&o)
    );

    // New rows for BB only: one task runs, the others are skipped.
    write_partitioned_source(dir.path(), &source, &["BB"], 800);
    let o = quantfusion(&["plan", pipeline], &[]);
    assert!(
        text(&o).contains("run  features: 1 of 3 tasks new or changed"),
        "{}",
        text(&o)
    );
    let o = quantfusion(&["run", pipeline], &[]);
    assert!(o.status.success(), "{}", text(&o));
    let t = text(&o);
    assert!(
        t.contains("features[symbol=BB]: completed: 800 rows"),
        "{t}"
    );
    assert!(t.contains("features[symbol=A]: skipped"), "{t}");
    assert!(t.contains("features[symbol=C]: skipped"), "{t}");

    // The result equals a full recompute over the final input.
    let incremental = summary_of(dir.path());
    std::fs::remove_dir_all(dir.path().join("out")).unwrap();
    let o = quantfusion(&["run", pipeline, "--force"], &[]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(summary_of(dir.path()), incremental);
    assert!(incremental.contains("BB,800,"), "{incremental}");

    let o = quantfusion(&["status", pipeline, "--format", "json"], &[]);
    let tasks: serde_json::Value =
        serde_json::from_str(String::from_utf8_lossy(&o.stdout).trim()).unwrap();
    let partitions: Vec<_> = tasks["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["partition"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(partitions, ["symbol=A", "symbol=BB", "symbol=C"]);
}

#[test]
fn the_shipped_pipelines_run() {
    let out = tempfile::tempdir().unwrap();
    let env = |name: &str| {
        vec![
            ("QF_OUT", out.path().join(name).display().to_string()),
            (
                "QF_STATE",
                out.path()
                    .join(format!("{name}.sqlite"))
                    .display()
                    .to_string(),
            ),
        ]
    };
    let root = crate::common::repo_root();
    let equities = root.join("sql/pipelines/equities.toml");
    let o = quantfusion(&["run", equities.to_str().unwrap()], &env("equities"));
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("indicators36: completed: 25180 rows"),
        "{}",
        text(&o)
    );

    crate::common::shared_data("fx_m1_yahoo_9pairs_2025-12-30_2026-01-09.parquet");
    let fx = root.join("sql/pipelines/fx.toml");
    let o = quantfusion(&["run", fx.to_str().unwrap()], &env("fx"));
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("fx_regression: completed: 77685 rows"),
        "{}",
        text(&o)
    );
    // A targeted rerun of one pair.
    let o = quantfusion(
        &[
            "run",
            fx.to_str().unwrap(),
            "--only",
            "fx_regression",
            "--partition",
            "pair=EURUSD",
            "--force",
        ],
        &env("fx"),
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("fx_regression[pair=EURUSD]: completed: 9779 rows"),
        "{}",
        text(&o)
    );
    assert!(!text(&o).contains("pair=USDJPY"), "{}", text(&o));
    let o = quantfusion(
        &[
            "run",
            fx.to_str().unwrap(),
            "--only",
            "fx_regression",
            "--partition",
            "pair=XXXYYY",
        ],
        &env("fx"),
    );
    assert!(!o.status.success());
    assert!(text(&o).contains("no task pair=XXXYYY"), "{}", text(&o));
}
