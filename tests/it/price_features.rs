//! Seed 003's features beyond TA-Lib, through SQL: bar ratios, price relative to its
//! average, crossover signals, return sign, acceleration and trading sessions.

use crate::common::{column, error, session};
use datafusion::arrow::datatypes::DataType;

/// Two symbols, rows stored out of order; B has a missing close.
const BARS: &str = "(VALUES \
    (3, 'A', 10.0, 12.0, 9.0, 11.0), (1, 'A', 10.0, 10.5, 9.5, 10.0), \
    (2, 'A', 10.0, 10.0, 8.0, 9.0), (4, 'A', 11.0, 11.0, 10.0, 10.0), \
    (1, 'B', 5.0, 6.0, 4.0, 5.0), (2, 'B', 5.0, 6.0, 4.0, NULL), (3, 'B', 5.0, 6.0, 4.0, 6.0)) \
    AS t(ts, symbol, open, high, low, close)";

async fn values(expr: &str) -> Vec<Option<f64>> {
    column(
        &session(),
        &format!("SELECT {expr} FROM {BARS} ORDER BY symbol, ts"),
    )
    .await
    .unwrap()
}

async fn result_type(expr: &str) -> DataType {
    let df = session()
        .sql(&format!("SELECT {expr} AS v FROM {BARS}"))
        .await
        .unwrap();
    df.schema().field(0).data_type().clone()
}

const W: &str = "OVER (PARTITION BY symbol ORDER BY ts)";

#[tokio::test]
async fn bar_ratios() {
    let hl = values("hl_pct(high, low, close)").await;
    assert_eq!(hl[0], Some(0.1)); // A ts 1: (10.5 - 9.5) / 10
    assert_eq!(hl[5], None); // B's missing close
    let oc = values("oc_pct(open, close)").await;
    assert_eq!(oc[2], Some(0.1)); // A ts 3: 11 / 10 - 1
    assert_eq!(oc[0], Some(0.0));
}

#[tokio::test]
async fn price_to_sma_warms_up() {
    let v = values(&format!("price_to_sma(close, 2) {W}")).await;
    // A closes 10, 9, 11, 10 -> averages -, 9.5, 10, 10.5
    assert_eq!(v[0], None);
    assert_eq!(v[1], Some(9.0 / 9.5));
    assert_eq!(v[2], Some(1.1));
    assert_eq!(v[3], Some(10.0 / 10.5));
    // B: 5, NULL, 6 -> the missing row is skipped
    assert_eq!(v[4..], [None, None, Some(6.0 / 5.5)]);
}

#[tokio::test]
async fn crossings_are_booleans_on_the_crossing_row() {
    assert_eq!(
        result_type(&format!("cross_above(close, 9.5) {W}")).await,
        DataType::Boolean
    );
    // A closes 10, 9, 11, 10 against the level 9.5: up on ts 3, down on ts 2.
    let level = "CASE WHEN symbol = 'A' THEN 9.5 ELSE 5.5 END";
    let up = values(&format!("cross_above(close, {level}) {W}")).await;
    let down = values(&format!("cross_below(close, {level}) {W}")).await;
    assert_eq!(up[..4], [None, Some(0.0), Some(1.0), Some(0.0)]);
    assert_eq!(down[..4], [None, Some(1.0), Some(0.0), Some(0.0)]);
    // B: 5, NULL, 6 with level 5.5: the crossing is seen across the missing row.
    assert_eq!(up[4..], [None, None, Some(1.0)]);
}

#[tokio::test]
async fn moving_average_crossover_never_fires_in_warm_up() {
    let sql = format!(
        "WITH ma AS (SELECT symbol, ts, sma(close, 2) OVER w AS fast, sma(close, 3) OVER w AS slow \
         FROM {BARS} WINDOW w AS (PARTITION BY symbol ORDER BY ts)) \
         SELECT cross_above(fast, slow) {W} FROM ma ORDER BY symbol, ts"
    );
    let v = column(&session(), &sql).await.unwrap();
    // A: fast -, 9.5, 10, 10.5; slow -, -, 10, 10 -> first comparable row is ts 3 (NULL),
    // ts 4: 10.5 > 10 and 10 <= 10 before -> a crossing.
    assert_eq!(v[..4], [None, None, None, Some(1.0)]);
}

#[tokio::test]
async fn return_sign_is_an_integer_and_acceleration_a_difference_of_returns() {
    assert_eq!(
        result_type(&format!("return_sign(close) {W}")).await,
        DataType::Int64
    );
    let sign = values(&format!("return_sign(close) {W}")).await;
    assert_eq!(sign[..4], [None, Some(-1.0), Some(1.0), Some(-1.0)]);
    let acc = values(&format!("acceleration(close) {W}")).await;
    // A returns: -0.1, 11/9 - 1, 10/11 - 1
    assert_eq!(acc[..2], [None, None]);
    assert!((acc[2].unwrap() - (11.0 / 9.0 - 1.0 + 0.1)).abs() < 1e-15);
    assert!((acc[3].unwrap() - (10.0 / 11.0 - 11.0 / 9.0)).abs() < 1e-15);
}

async fn sessions(times: &[&str], call: &str) -> Vec<Option<f64>> {
    let rows: Vec<String> = times
        .iter()
        .enumerate()
        .map(|(i, t)| format!("({i}, TIMESTAMP '{t}')"))
        .collect();
    column(
        &session(),
        &format!(
            "SELECT {call} FROM (VALUES {}) AS t(i, ts) ORDER BY i",
            rows.join(", ")
        ),
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn in_session_follows_the_seed_session_hours() {
    // 2024-03-04 is a Monday; 2024-03-08 a Friday; 2024-03-09 a Saturday.
    let v = sessions(
        &[
            "2024-03-04 00:00:00",
            "2024-03-04 21:54:59",
            "2024-03-04 21:55:00",
            "2024-03-08 19:59:00",
            "2024-03-08 20:00:00",
            "2024-03-09 12:00:00",
        ],
        "in_session(ts, '00:00', '21:55', '20:00')",
    )
    .await;
    let t = Some(1.0);
    let f = Some(0.0);
    assert_eq!(v, [t, t, f, t, f, f]);
    // Without friday_end, Friday closes at end.
    let v = sessions(&["2024-03-08 21:00:00"], "in_session(ts, '00:00', '21:55')").await;
    assert_eq!(v, [t]);
}

#[tokio::test]
async fn in_session_reads_the_clock_of_the_time_zone() {
    // 15:00 UTC is 10:00 in New York (EST, before the March switch), 21:30 UTC is
    // 16:30: New York's 09:30-16:00 session has the first, not the second.
    let v = sessions(
        &["2024-03-04 15:00:00", "2024-03-04 21:30:00"],
        "in_session(ts AT TIME ZONE 'UTC' AT TIME ZONE 'America/New_York', '09:30', '16:00')",
    )
    .await;
    assert_eq!(v, [Some(1.0), Some(0.0)]);
    assert_eq!(
        result_type("in_session(CAST(NULL AS TIMESTAMP), '00:00', '12:00')").await,
        DataType::Boolean
    );
}

#[tokio::test]
async fn in_session_rejects_bad_arguments_at_planning() {
    let ctx = session();
    let e = error(&ctx, "SELECT in_session(now(), '9:30', '16:00')").await;
    assert!(
        e.contains("in_session: start must be a time of day 'HH:MM' or 'HH:MM:SS', got '9:30'"),
        "{e}"
    );
    let e = error(&ctx, "SELECT in_session(1.5, '09:30', '16:00')").await;
    assert!(
        e.contains("in_session: argument ts must be a timestamp"),
        "{e}"
    );
    let e = error(&ctx, "SELECT in_session(now(), '09:30')").await;
    assert!(e.contains("in_session: expected 3 to 4 arguments"), "{e}");
}
