//! Rolling statistics with `min_periods` below the window length against pandas
//! (tests/data/rolling_min_periods_reference.py wrote the expected values).

use crate::common::{column, error, repo_root, session};
use datafusion::arrow::array::{Float64Array, Int64Array, RecordBatch};
use datafusion::datasource::MemTable;
use std::sync::Arc;

#[tokio::test]
async fn warm_up_rows_match_pandas() {
    let path = repo_root().join("tests/data/rolling_min_periods_reference.json");
    let reference: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let x: Vec<f64> = serde_json::from_value(reference["x"].clone()).unwrap();
    let y: Vec<f64> = serde_json::from_value(reference["y"].clone()).unwrap();
    let ctx = session();
    let batch = RecordBatch::try_from_iter([
        (
            "i",
            Arc::new(Int64Array::from_iter_values(0..x.len() as i64)) as _,
        ),
        ("x", Arc::new(Float64Array::from(x)) as _),
        ("y", Arc::new(Float64Array::from(y)) as _),
    ])
    .unwrap();
    let table = MemTable::try_new(batch.schema(), vec![vec![batch]]).unwrap();
    ctx.register_table("s", Arc::new(table)).unwrap();
    let cases = reference["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 36);
    for case in cases {
        let sql = case["sql"].as_str().unwrap();
        // pandas' skew and kurtosis come from running raw power sums and lose digits
        // to cancellation (the golden cases use an exact reference instead).
        let rtol = if sql.contains("skew") || sql.contains("kurt") {
            1e-6
        } else {
            1e-9
        };
        let expected: Vec<Option<f64>> = serde_json::from_value(case["expected"].clone()).unwrap();
        let got = column(
            &ctx,
            &format!("SELECT {sql} OVER (ORDER BY i) FROM s ORDER BY i"),
        )
        .await
        .unwrap();
        assert_eq!(got.len(), expected.len());
        for (row, (g, e)) in got.iter().zip(&expected).enumerate() {
            match (g, e) {
                (None, None) => {}
                (Some(g), Some(e)) => assert!(
                    (g - e).abs() <= rtol * e.abs().max(1e-3),
                    "{sql} row {row}: {g} vs pandas {e}"
                ),
                _ => panic!("{sql} row {row}: {g:?} vs pandas {e:?}"),
            }
        }
    }
}

#[tokio::test]
async fn min_periods_above_the_window_is_a_planning_error() {
    let e = error(
        &session(),
        "SELECT rolling_mean(x, 5, 6) OVER (ORDER BY x) FROM (VALUES (1.0)) t(x)",
    )
    .await;
    assert!(
        e.contains("rolling_mean: min_periods must be at most n (5), got 6"),
        "{e}"
    );
}
