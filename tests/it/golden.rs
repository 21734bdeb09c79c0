//! Golden parity: every case of `../shared/golden/manifest.json` whose function is
//! registered runs through SQL exactly as written there and must match the expected
//! values, NULL pattern and key rows within the case's tolerance.

use crate::common::{golden_dir, session};
use datafusion::arrow::array::{Array, Float64Array, Int64Array, RecordBatch, StringArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, TimeUnit};
use datafusion::prelude::{ParquetReadOptions, SessionContext};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

/// A row key: symbol and, for window cases, the timestamp in microseconds.
type Key = (String, Option<i64>);

struct Case {
    id: String,
    function: String,
    kind: String,
    query: String,
    file: String,
    expected_file: String,
    expected_column: String,
    rtol: f64,
    atol_by_symbol: HashMap<String, f64>,
}

fn load_cases(dir: &Path) -> Vec<Case> {
    let text = std::fs::read_to_string(dir.join("manifest.json")).expect("manifest.json");
    let manifest: Vec<Value> = serde_json::from_str(&text).expect("manifest is a JSON list");
    manifest
        .iter()
        .map(|c| {
            let s = |k: &str| {
                c[k].as_str()
                    .unwrap_or_else(|| panic!("case field {k}"))
                    .to_string()
            };
            Case {
                id: s("id"),
                function: s("function"),
                kind: s("kind"),
                query: s("query"),
                file: s("file"),
                expected_file: s("expected_file"),
                expected_column: s("expected_column"),
                rtol: c["rtol"].as_f64().expect("rtol"),
                atol_by_symbol: c["atol_by_symbol"]
                    .as_object()
                    .expect("atol_by_symbol")
                    .iter()
                    .map(|(k, v)| (k.clone(), v.as_f64().expect("atol")))
                    .collect(),
            }
        })
        .collect()
}

fn table_name(file: &str) -> String {
    Path::new(file)
        .file_stem()
        .unwrap()
        .to_string_lossy()
        .replace(['-', '.'], "_")
}

/// Reads `(symbol[, ts], value)` rows into a map, refusing duplicate keys.
fn keyed_values(
    batches: &[RecordBatch],
    with_ts: bool,
    value_col: usize,
) -> Result<BTreeMap<Key, Option<f64>>, String> {
    let mut out = BTreeMap::new();
    for b in batches {
        let symbols = cast(b.column(0), &DataType::Utf8).map_err(|e| e.to_string())?;
        let symbols = symbols.as_any().downcast_ref::<StringArray>().unwrap();
        let ts = if with_ts {
            let t = cast(
                b.column(1),
                &DataType::Timestamp(TimeUnit::Microsecond, None),
            )
            .and_then(|t| cast(&t, &DataType::Int64))
            .map_err(|e| e.to_string())?;
            Some(t)
        } else {
            None
        };
        let ts = ts
            .as_ref()
            .map(|t| t.as_any().downcast_ref::<Int64Array>().unwrap());
        let values = cast(b.column(value_col), &DataType::Float64).map_err(|e| e.to_string())?;
        let values = values.as_any().downcast_ref::<Float64Array>().unwrap();
        for i in 0..b.num_rows() {
            let key = (symbols.value(i).to_string(), ts.map(|t| t.value(i)));
            let value = values.is_valid(i).then(|| values.value(i));
            if out.insert(key.clone(), value).is_some() {
                return Err(format!("duplicate key row {key:?}"));
            }
        }
    }
    Ok(out)
}

/// Runs one case; `Err` describes the first mismatches.
async fn check(ctx: &SessionContext, dir: &Path, case: &Case) -> Result<usize, String> {
    let sql = case.query.replace("{table}", &table_name(&case.file));
    let actual = ctx
        .sql(&sql)
        .await
        .map_err(|e| format!("planning: {e}"))?
        .collect()
        .await
        .map_err(|e| format!("execution: {e}"))?;
    let window = case.kind == "window";
    let value_col = if window { 2 } else { 1 };
    let actual = keyed_values(&actual, window, value_col)?;

    let expected_path = dir.join(&case.expected_file);
    let columns: Vec<&str> = if window {
        vec!["symbol", "ts", &case.expected_column]
    } else {
        vec!["symbol", &case.expected_column]
    };
    let expected = ctx
        .read_parquet(
            expected_path.to_str().unwrap(),
            ParquetReadOptions::default(),
        )
        .await
        .map_err(|e| e.to_string())?
        .select_columns(&columns)
        .map_err(|e| e.to_string())?
        .collect()
        .await
        .map_err(|e| e.to_string())?;
    let expected = keyed_values(&expected, window, value_col)?;

    let missing: Vec<_> = expected
        .keys()
        .filter(|k| !actual.contains_key(*k))
        .take(3)
        .collect();
    let extra: Vec<_> = actual
        .keys()
        .filter(|k| !expected.contains_key(*k))
        .take(3)
        .collect();
    if !missing.is_empty() || !extra.is_empty() {
        return Err(format!(
            "key rows differ: missing {missing:?}, extra {extra:?}"
        ));
    }
    let mut problems = vec![];
    for (key, want) in &expected {
        let got = actual[key];
        let atol = case.atol_by_symbol.get(&key.0).copied().unwrap_or(0.0);
        let ok = match (got, want) {
            (None, None) => true,
            (Some(g), Some(w)) => g.is_finite() && (g - w).abs() <= atol + case.rtol * w.abs(),
            _ => false,
        };
        if !ok {
            problems.push(format!("{key:?}: got {got:?}, expected {want:?}"));
        }
    }
    if problems.is_empty() {
        Ok(expected.len())
    } else {
        Err(format!(
            "{} of {} rows differ, first: {}",
            problems.len(),
            expected.len(),
            problems[..problems.len().min(3)].join("; ")
        ))
    }
}

#[tokio::test]
async fn golden_cases_of_registered_functions_pass() {
    let dir = golden_dir();
    let cases = load_cases(&dir);
    let registered: BTreeSet<&str> = quantfusion::udfs::all_functions()
        .iter()
        .map(|f| f.name)
        .collect();

    let ctx = session();
    let files: BTreeSet<&str> = cases.iter().map(|c| c.file.as_str()).collect();
    for file in files {
        ctx.register_parquet(
            &table_name(file),
            dir.join(file).to_str().unwrap(),
            ParquetReadOptions::default(),
        )
        .await
        .unwrap();
    }

    let mut passed = 0;
    let mut failures = vec![];
    let mut unregistered: BTreeMap<&str, usize> = BTreeMap::new();
    for case in &cases {
        if !registered.contains(case.function.as_str()) {
            *unregistered.entry(case.function.as_str()).or_default() += 1;
            continue;
        }
        match check(&ctx, &dir, case).await {
            Ok(_) => passed += 1,
            Err(why) => failures.push(format!("{}: {why}", case.id)),
        }
    }
    let pending: usize = unregistered.values().sum();
    println!(
        "golden: {passed} cases passed, {} failed; {pending} cases of {} functions not registered yet: {}",
        failures.len(),
        unregistered.len(),
        unregistered.keys().copied().collect::<Vec<_>>().join(", ")
    );
    assert!(
        failures.is_empty(),
        "golden failures:\n{}",
        failures.join("\n")
    );
    assert!(passed > 0, "no golden case ran");

    // Every registered function that has golden cases was exercised.
    let covered: BTreeSet<&str> = cases.iter().map(|c| c.function.as_str()).collect();
    for f in [
        "sma",
        "ema",
        "log_return",
        "pct_return",
        "rolling_mean",
        "rolling_std",
        "sharpe_ratio",
    ] {
        assert!(covered.contains(f), "no golden case for {f}");
    }
}
