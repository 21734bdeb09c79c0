//! `emd_imf` against the EMD-signal package (PyEMD) on real and synthetic series
//! (tests/data/emd_reference.py wrote the expected IMFs).

use crate::common::{column, repo_root, session};
use datafusion::arrow::array::{Float64Array, Int64Array, RecordBatch};
use datafusion::datasource::MemTable;
use std::sync::Arc;

fn reference() -> serde_json::Value {
    let path = repo_root().join("tests/data/emd_reference.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

async fn imf(x: &[f64], k: usize) -> Vec<Option<f64>> {
    let ctx = session();
    let batch = RecordBatch::try_from_iter([
        (
            "i",
            Arc::new(Int64Array::from_iter_values(0..x.len() as i64)) as _,
        ),
        ("x", Arc::new(Float64Array::from(x.to_vec())) as _),
    ])
    .unwrap();
    let table = MemTable::try_new(batch.schema(), vec![vec![batch]]).unwrap();
    ctx.register_table("s", Arc::new(table)).unwrap();
    column(
        &ctx,
        &format!("SELECT emd_imf(x, {k}) OVER (ORDER BY i) FROM s ORDER BY i"),
    )
    .await
    .unwrap()
}

/// Largest difference relative to the reference IMF's standard deviation.
fn relative_error(got: &[Option<f64>], want: &[f64]) -> f64 {
    let mean = want.iter().sum::<f64>() / want.len() as f64;
    let sd = (want.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / want.len() as f64).sqrt();
    got.iter()
        .zip(want)
        .map(|(g, w)| (g.expect("a value on every row") - w).abs() / sd)
        .fold(0.0, f64::max)
}

#[tokio::test]
async fn imfs_match_pyemd() {
    let reference = reference();
    for (name, case) in reference["cases"].as_object().unwrap() {
        let x: Vec<f64> = serde_json::from_value(case["x"].clone()).unwrap();
        let imfs: Vec<Vec<f64>> = serde_json::from_value(case["imfs"].clone()).unwrap();
        for (k, want) in imfs.iter().enumerate() {
            let got = imf(&x, k + 1).await;
            let err = relative_error(&got, want);
            println!("{name} imf {}: max |diff| / sd = {err:.2e}", k + 1);
            assert!(err < 1e-9, "{name} imf {}: {err}", k + 1);
        }
    }
}

#[tokio::test]
async fn beyond_the_last_imf_is_null() {
    let reference = reference();
    let case = &reference["cases"]["two_tones_and_trend_1000"];
    let x: Vec<f64> = serde_json::from_value(case["x"].clone()).unwrap();
    let total = case["total_imfs"].as_u64().unwrap() as usize;
    let got = imf(&x, total + 1).await;
    assert!(got.iter().all(Option::is_none));
}
