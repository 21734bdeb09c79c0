//! The `quantfusion` binary: exit codes, one-line errors, output formats, catalogue.

use crate::common::repo_root;
use std::process::{Command, Output};

fn quantfusion(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_quantfusion"))
        .args(args)
        .current_dir(repo_root())
        .output()
        .expect("run quantfusion")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn command_prints_results_in_the_chosen_format() {
    let o = quantfusion(&[
        "-c",
        "SELECT t, sma(x, 2) OVER (ORDER BY t) AS s FROM (VALUES (1, 1.0), (2, 3.0)) v(t, x)",
        "--format",
        "csv",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "t,s\n1,\n2,2.0\n");

    let o = quantfusion(&["-c", "SELECT 1 AS one", "--format", "ndjson"]);
    assert_eq!(stdout(&o).trim(), r#"{"one":1}"#);
    let o = quantfusion(&["-c", "SELECT 1 AS one", "--format", "json"]);
    assert_eq!(stdout(&o).trim(), r#"[{"one":1}]"#);
    let o = quantfusion(&["-c", "SELECT 1 AS one"]);
    assert!(stdout(&o).contains("| one |"), "{}", stdout(&o));
}

#[test]
fn machine_formats_print_every_row() {
    // More rows, in more batches, than the shell's table shows.
    let query = "SELECT value % 1000 AS k, count(*) AS n FROM range(100000) GROUP BY k";
    for format in ["csv", "tsv", "ndjson"] {
        let o = quantfusion(&["-c", query, "--format", format]);
        assert!(o.status.success(), "{}", stderr(&o));
        let header = usize::from(format != "ndjson");
        assert_eq!(stdout(&o).lines().count(), 1000 + header, "{format}");
    }
    let o = quantfusion(&["-c", query, "--format", "json"]);
    assert_eq!(stdout(&o).matches("\"k\"").count(), 1000);
    let o = quantfusion(&["-c", query, "--format", "csv", "--maxrows", "10"]);
    assert_eq!(stdout(&o).lines().count(), 1001, "--maxrows is for tables");
}

#[test]
fn failure_is_one_line_on_stderr_and_non_zero_exit() {
    let o = quantfusion(&[
        "-c",
        "SELECT ema(x, 0) OVER (ORDER BY x) FROM (VALUES (1.0)) v(x)",
    ]);
    assert!(!o.status.success());
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("ema: period must be an integer >= 2, got 0"),
        "{err}"
    );
    assert!(
        !err.contains("panicked") && !err.contains("backtrace"),
        "{err}"
    );
}

#[test]
fn file_stops_at_the_first_failing_statement() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("stage.sql");
    std::fs::write(
        &file,
        "-- a comment\nSELECT 1 AS first;\nSELECT sma(x) OVER (ORDER BY x) FROM (VALUES (1.0)) v(x);\nSELECT 3 AS third;\n",
    )
    .unwrap();
    let o = quantfusion(&["-f", file.to_str().unwrap(), "--format", "csv"]);
    assert!(!o.status.success());
    assert!(stdout(&o).contains("first"));
    assert!(!stdout(&o).contains("third"));
    assert!(
        stderr(&o).contains("sma: expected 2 arguments"),
        "{}",
        stderr(&o)
    );

    let o = quantfusion(&["-f", "no/such/stage.sql"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("cannot read SQL file 'no/such/stage.sql'"));
}

#[test]
fn functions_lists_the_catalogue() {
    let o = quantfusion(&["functions", "--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows: Vec<serde_json::Value> = serde_json::from_str(stdout(&o).trim()).unwrap();
    let ema = rows
        .iter()
        .find(|r| r["name"] == "ema")
        .expect("ema listed");
    assert_eq!(ema["kind"], "window");
    assert_eq!(ema["looks_ahead"], false);
    assert_eq!(ema["syntax"], "ema(x, period)");
    assert!(ema["arguments"].as_str().unwrap().contains("period: "));
    let kinds: std::collections::BTreeSet<&str> =
        rows.iter().map(|r| r["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        ["aggregate", "scalar", "window"].into_iter().collect()
    );

    let o = quantfusion(&["functions", "rolling_"]);
    let text = stdout(&o);
    assert!(
        text.contains("rolling_std") && !text.contains("sortino_ratio"),
        "{text}"
    );
}

#[test]
fn shell_reads_statements_from_stdin() {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_quantfusion"))
        .arg("--quiet")
        .current_dir(std::env::temp_dir())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"SELECT cyclical_cos(0,\n 24) AS c;\n\\q\n")
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("1.0"), "{}", stdout(&o));
}

#[test]
fn a_reader_that_goes_away_ends_the_output_quietly() {
    use std::io::{BufRead, BufReader};
    let mut child = Command::new(env!("CARGO_BIN_EXE_quantfusion"))
        .args(["functions"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with('+'), "{first}");
    // The pipe is closed here, as `| head -1` does.
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("internal error"), "{err}");
}

#[test]
fn device_reports_the_gpu_or_why_there_is_none() {
    let o = quantfusion(&["device", "--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let report: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    let gpus = report["gpus"].as_array().unwrap();
    if gpus.is_empty() {
        // No panic and no silence: the reason is stated.
        let why = report["unavailable"].as_str().unwrap();
        assert!(why.contains("driver") || why.contains("device"), "{why}");
        if !std::path::Path::new("/proc/driver/nvidia").exists() {
            assert!(why.starts_with("no NVIDIA driver"), "{why}");
        }
    } else {
        for g in gpus {
            assert!(!g["name"].as_str().unwrap().is_empty());
            assert!(g["memory_total_bytes"].as_u64().unwrap() > 0);
        }
    }
    let o = quantfusion(&["device"]);
    assert!(stdout(&o).contains("NVRTC:"), "{}", stdout(&o));
}

#[test]
fn the_device_setting_is_checked() {
    let o = quantfusion(&["-c", "SET quantfusion.device = 'tpu'"]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("quantfusion.device must be 'auto', 'cpu' or 'gpu', got 'tpu'"),
        "{}",
        stderr(&o)
    );
    let query = "SELECT sma(x, 2) OVER (ORDER BY x) AS s FROM (VALUES (1.0), (2.0)) t(x)";
    for device in ["auto", "cpu"] {
        let set = format!("SET quantfusion.device = '{device}'");
        let o = quantfusion(&["--format", "csv", "-c", &set, query]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(stdout(&o), "s\n\"\"\n1.5\n");
    }
    let o = quantfusion(&["--device", "cpu", "--format", "csv", "-c", query]);
    assert_eq!(stdout(&o), "s\n\"\"\n1.5\n", "{}", stderr(&o));
    let o = quantfusion(&["--device", "gpu", "-c", query]);
    assert!(
        stderr(&o).contains("quantfusion.device = 'gpu'"),
        "{}",
        stderr(&o)
    );
    // 'gpu' never silently runs on the CPU: without a usable GPU it names the reason.
    let o = quantfusion(&["-c", "SET quantfusion.device = 'gpu'", query]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("quantfusion.device = 'gpu'"),
        "{}",
        stderr(&o)
    );
}
