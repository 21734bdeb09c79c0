//! The rolling family agrees with DataFusion's own aggregates evaluated over
//! `ROWS BETWEEN n-1 PRECEDING AND CURRENT ROW` frames on random data.

use crate::common::session;
use datafusion::arrow::array::{Array, Float64Array, Int64Array, RecordBatch, StringArray};
use datafusion::arrow::compute::{cast, concat_batches};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::datasource::MemTable;
use datafusion::prelude::SessionContext;
use rstest::rstest;
use std::sync::Arc;

/// Three symbols of random walks (xorshift), rows interleaved by ts.
fn walks() -> SessionContext {
    let ctx = session();
    let mut s = 0x2545_F491_4F6C_DD1Du64;
    let mut next = || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s % 20001) as f64 / 10000.0 - 1.0
    };
    let (mut symbol, mut ts, mut x, mut y) = (vec![], vec![], vec![], vec![]);
    let mut level = [100.0, 50.0, 10.0];
    let mut other = [20.0, 30.0, 40.0];
    for t in 0..400i64 {
        for k in 0..3 {
            level[k] += next();
            other[k] += 0.5 * next() + 0.2 * next();
            symbol.push(format!("S{k}"));
            ts.push(t);
            x.push(level[k]);
            y.push(other[k] + 0.3 * level[k]);
        }
    }
    let schema = Arc::new(Schema::new(vec![
        Field::new("symbol", DataType::Utf8, false),
        Field::new("ts", DataType::Int64, false),
        Field::new("x", DataType::Float64, false),
        Field::new("y", DataType::Float64, false),
    ]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(StringArray::from(symbol)),
            Arc::new(Int64Array::from(ts)),
            Arc::new(Float64Array::from(x)),
            Arc::new(Float64Array::from(y)),
        ],
    )
    .unwrap();
    let table = MemTable::try_new(schema, vec![vec![batch]]).unwrap();
    ctx.register_table("walks", Arc::new(table)).unwrap();
    ctx
}

#[rstest]
#[case("rolling_mean(x, 20)", "avg(x) OVER f", 20)]
#[case("rolling_sum(x, 7)", "sum(x) OVER f", 7)]
#[case("rolling_var(x, 30)", "var_samp(x) OVER f", 30)]
#[case("rolling_std(x, 30)", "stddev_samp(x) OVER f", 30)]
#[case("rolling_min(x, 15)", "min(x) OVER f", 15)]
#[case("rolling_max(x, 15)", "max(x) OVER f", 15)]
#[case("rolling_median(x, 11)", "median(x) OVER f", 11)]
#[case("rolling_cov(x, y, 25)", "covar_samp(x, y) OVER f", 25)]
#[case("rolling_corr(x, y, 25)", "corr(x, y) OVER f", 25)]
#[case("rolling_beta(y, x, 40)", "regr_slope(y, x) OVER f", 40)]
#[case("linreg_slope(y, 14)", "regr_slope(y, CAST(ts AS DOUBLE)) OVER f", 14)]
#[case("linreg_r2(y, 60)", "regr_r2(y, CAST(ts AS DOUBLE)) OVER f", 60)]
#[case("tsf(y, 14)", "regr_intercept(y, CAST(ts AS DOUBLE)) OVER f + regr_slope(y, CAST(ts AS DOUBLE)) OVER f * (ts + 1)", 14)]
#[tokio::test]
async fn agrees_with_datafusion_frames(#[case] ours: &str, #[case] theirs: &str, #[case] n: usize) {
    let ctx = walks();
    // DataFusion's aggregates over the frame `f`; NULL until the frame holds n rows.
    let sql = format!(
        "SELECT {ours} OVER (PARTITION BY symbol ORDER BY ts) AS ours,
                CASE WHEN count(*) OVER f = {n} THEN {theirs} END AS theirs
         FROM walks
         WINDOW f AS (PARTITION BY symbol ORDER BY ts ROWS BETWEEN {} PRECEDING AND CURRENT ROW)
         ORDER BY symbol, ts",
        n - 1
    );
    let batches = ctx.sql(&sql).await.unwrap().collect().await.unwrap();
    let batch = concat_batches(&batches[0].schema(), &batches).unwrap();
    let get = |i: usize| cast(batch.column(i), &DataType::Float64).unwrap();
    let (a, b) = (get(0), get(1));
    let (a, b) = (
        a.as_any().downcast_ref::<Float64Array>().unwrap(),
        b.as_any().downcast_ref::<Float64Array>().unwrap(),
    );
    assert_eq!(a.len(), 1200);
    let mut compared = 0;
    for i in 0..a.len() {
        assert_eq!(
            a.is_null(i),
            b.is_null(i),
            "{ours}: NULL pattern differs at row {i}"
        );
        if a.is_valid(i) {
            let (u, v) = (a.value(i), b.value(i));
            assert!(
                (u - v).abs() <= 1e-9 * (1.0 + v.abs()),
                "{ours} row {i}: {u} vs {v}"
            );
            compared += 1;
        }
    }
    assert_eq!(compared, 3 * (400 - n + 1));
}
