//! Incremental stages: every window function's declared look-back is long enough
//! (new rows computed after the derived warm-up equal a full recompute), the stage
//! analysis refuses what cannot run on new rows alone, and a pipeline appends only
//! new rows and still equals a full recompute.

use crate::pipeline::{quantfusion, text, write_partitioned_source, write_symbols};
use datafusion::arrow::array::{Array, Float64Array};
use datafusion::arrow::compute::{cast, concat_batches};
use datafusion::arrow::datatypes::DataType;
use datafusion::prelude::SessionContext;
use quantfusion::pipeline::config::Incremental;
use quantfusion::pipeline::incremental::{stage_warmup, Warmup};
use rstest::rstest;

const ROWS: usize = 3000;
/// New rows start here.
const CUT: usize = 2400;

/// OHLCV bars on a pseudo-random walk, with every 97th row's prices NULL (a gap the
/// functions skip, so the warm-up must count complete rows).
async fn bars() -> SessionContext {
    let ctx = quantfusion::context::session_context().unwrap();
    let sql = format!(
        "CREATE TABLE walk AS SELECT i AS ts, \
                100 + sum(sin(i * 12.9898) * 0.7 + cos(i * 4.1414) * 0.3) OVER (ORDER BY i) AS mid, \
                abs(sin(i * 7.77)) AS spread, 1000 + (i * 7919) % 997 AS volume \
         FROM generate_series(1, {ROWS}) t(i)"
    );
    ctx.sql(&sql).await.unwrap().collect().await.unwrap();
    ctx.sql(
        "CREATE TABLE bars AS SELECT ts, \
                CASE WHEN ts % 97 = 0 THEN NULL ELSE mid + sin(ts * 3.3) * spread * 0.5 END AS open, \
                CASE WHEN ts % 97 = 0 THEN NULL ELSE mid + spread END AS high, \
                CASE WHEN ts % 97 = 0 THEN NULL ELSE mid - spread END AS low, \
                CASE WHEN ts % 97 = 0 THEN NULL ELSE mid + cos(ts * 5.1) * spread * 0.9 END AS close, \
                CAST(volume AS DOUBLE) AS volume, \
                (mid - lag(mid) OVER (ORDER BY ts)) / 100 AS ret \
         FROM walk",
    )
    .await
    .unwrap()
    .collect()
    .await
    .unwrap();
    ctx
}

fn config(warmup: Option<usize>) -> Incremental {
    Incremental {
        order_by: "ts".into(),
        warmup,
        tolerance: 1e-12,
    }
}

/// The stage's values as floats (NULL as None), by row.
async fn values(ctx: &SessionContext, sql: &str) -> Vec<(i64, Option<f64>)> {
    let df = ctx.sql(sql).await.unwrap();
    let schema = df.schema().as_arrow().clone();
    let batches = df.collect().await.unwrap();
    let batch = concat_batches(&std::sync::Arc::new(schema), &batches).unwrap();
    let ts = cast(batch.column(0), &DataType::Int64).unwrap();
    let ts = ts
        .as_any()
        .downcast_ref::<datafusion::arrow::array::Int64Array>()
        .unwrap();
    let v = cast(batch.column(1), &DataType::Float64).unwrap();
    let v = v.as_any().downcast_ref::<Float64Array>().unwrap();
    (0..batch.num_rows())
        .map(|i| (ts.value(i), v.is_valid(i).then(|| v.value(i))))
        .collect()
}

/// The warm-up of the query over `bars`, as a pipeline derives it.
async fn warmup_of(
    ctx: &SessionContext,
    query: &str,
    warmup: Option<usize>,
) -> Result<Warmup, String> {
    let df = ctx.sql(query).await.unwrap();
    stage_warmup(df.logical_plan(), &config(warmup))
}

/// Computes `call` over all rows, and over the rows from the warm-up's start on;
/// the rows from CUT on must agree.
async fn new_rows_equal_a_full_recompute(call: &str) {
    let ctx = bars().await;
    let query = |table: &str| {
        format!("SELECT ts, {call} AS v FROM {table} WINDOW w AS (ORDER BY ts) ORDER BY ts")
    };
    let warmup = warmup_of(&ctx, &query("bars"), None)
        .await
        .unwrap_or_else(|e| panic!("{call}: {e}"));
    let complete = "open IS NOT NULL AND high IS NOT NULL AND low IS NOT NULL \
                    AND close IS NOT NULL AND ret IS NOT NULL";
    let start = if warmup.rows == 0 {
        CUT as i64
    } else {
        let rows = values(
            &ctx,
            &format!(
                "SELECT ts, ts AS v FROM bars WHERE ts < {CUT} AND {complete} \
                 ORDER BY ts DESC LIMIT 1 OFFSET {}",
                warmup.rows - 1
            ),
        )
        .await;
        rows.first().map_or(i64::MIN, |r| r.0)
    };
    ctx.sql(&format!(
        "CREATE VIEW recent AS SELECT * FROM bars WHERE ts >= {start}"
    ))
    .await
    .unwrap();
    let full = values(&ctx, &query("bars")).await;
    let recent = values(&ctx, &query("recent")).await;
    let full: Vec<_> = full.into_iter().filter(|r| r.0 >= CUT as i64).collect();
    let recent: Vec<_> = recent.into_iter().filter(|r| r.0 >= CUT as i64).collect();
    assert_eq!(full.len(), ROWS - CUT + 1, "{call}");
    assert_eq!(full.len(), recent.len(), "{call}");
    let mut compared = 0;
    for ((ts, a), (_, b)) in full.iter().zip(&recent) {
        match (a, b) {
            (Some(a), Some(b)) => {
                assert!(
                    (a - b).abs() <= 1e-8 * a.abs().max(1.0),
                    "{call} at ts {ts}: full {a}, after a warm-up of {} rows {b}",
                    warmup.rows
                );
                compared += 1;
            }
            (None, None) => {}
            _ => panic!("{call} at ts {ts}: full {a:?}, incremental {b:?}"),
        }
    }
    assert!(
        compared > (ROWS - CUT) / 2,
        "{call}: only {compared} values"
    );
}

#[rstest]
// Finite look-backs.
#[case("sma(close, 20) OVER w")]
#[case("wma(close, 15) OVER w")]
#[case("trima(close, 12) OVER w")]
#[case("bb_upper(close, 20, 2) OVER w")]
#[case("bb_middle(close, 20) OVER w")]
#[case("bb_lower(close) OVER w")]
#[case("bb_percent_b(close, 20, 2) OVER w")]
#[case("bb_width(close, 20, 2) OVER w")]
#[case("willr(high, low, close, 14) OVER w")]
#[case("cci(high, low, close, 14) OVER w")]
#[case("mfi(high, low, close, volume, 14) OVER w")]
#[case("mom(close, 10) OVER w")]
#[case("roc(close, 10) OVER w")]
#[case("rocp(close) OVER w")]
#[case("aroon_up(high, low, 14) OVER w")]
#[case("aroon_down(high, low, 14) OVER w")]
#[case("aroonosc(high, low, 25) OVER w")]
#[case("stochf_k(high, low, close, 5, 3) OVER w")]
#[case("stochf_d(high, low, close, 5, 3) OVER w")]
#[case("stoch_k(high, low, close, 14, 3, 3) OVER w")]
#[case("stoch_d(high, low, close, 14, 3, 3) OVER w")]
#[case("ultosc(high, low, close, 7, 14, 28) OVER w")]
#[case("apo(close, 12, 26) OVER w")]
#[case("ppo(close, 12, 26) OVER w")]
#[case("trange(high, low, close) OVER w")]
#[case("bop(open, high, low, close) OVER w")]
#[case("avgprice(open, high, low, close) OVER w")]
#[case("medprice(high, low) OVER w")]
#[case("typprice(high, low, close) OVER w")]
#[case("wclprice(high, low, close) OVER w")]
#[case("linreg(close, 14) OVER w")]
#[case("linreg_slope(close, 14) OVER w")]
#[case("linreg_intercept(close, 14) OVER w")]
#[case("linreg_angle(close, 14) OVER w")]
#[case("linreg_r2(close, 30) OVER w")]
#[case("linreg_rmse(close, 30) OVER w")]
#[case("tsf(close, 14) OVER w")]
#[case("pct_return(close) OVER w")]
#[case("log_return(close) OVER w")]
#[case("return_sign(close) OVER w")]
#[case("acceleration(close) OVER w")]
#[case("realized_vol(close, 20) OVER w")]
#[case("price_to_sma(close, 20) OVER w")]
#[case("cross_above(close, open) OVER w")]
#[case("cross_below(close, open) OVER w")]
#[case("rolling_mean(close, 20) OVER w")]
#[case("rolling_sum(close, 20) OVER w")]
#[case("rolling_std(close, 20) OVER w")]
#[case("rolling_var(close, 20, 0) OVER w")]
#[case("rolling_min(close, 20) OVER w")]
#[case("rolling_max(close, 20) OVER w")]
#[case("rolling_median(close, 21) OVER w")]
#[case("rolling_quantile(close, 20, 0.3) OVER w")]
#[case("rolling_skew(close, 20) OVER w")]
#[case("rolling_kurt(close, 20) OVER w")]
#[case("rolling_zscore(close, 20) OVER w")]
#[case("rolling_corr(close, volume, 20) OVER w")]
#[case("rolling_cov(close, volume, 20) OVER w")]
#[case("rolling_beta(close, volume, 20) OVER w")]
#[case("rolling_mean(close, 20, 5) OVER w")]
#[case("rolling_sharpe(ret, 30) OVER w")]
#[case("rolling_max_drawdown(ret, 30) OVER w")]
#[case("rolling_distance_corr(close, volume, 15) OVER w")]
#[case("frac_diff(close, 0.4, 1e-3) OVER w")]
#[case("lag(close, 3) OVER w")]
#[case("avg(close) OVER (ORDER BY ts ROWS BETWEEN 9 PRECEDING AND CURRENT ROW)")]
// Recursions, warmed up to a residual weight of 1e-12.
#[case("ema(close, 10) OVER w")]
#[case("dema(close, 10) OVER w")]
#[case("tema(close, 10) OVER w")]
#[case("t3(close, 5, 0.7) OVER w")]
#[case("trix(close, 10) OVER w")]
#[case("kama(close, 10) OVER w")]
#[case("rsi(close, 14) OVER w")]
#[case("cmo(close, 14) OVER w")]
#[case("macd(close, 12, 26, 9) OVER w")]
#[case("macd_signal(close, 12, 26, 9) OVER w")]
#[case("macd_hist(close) OVER w")]
#[case("atr(high, low, close, 14) OVER w")]
#[case("natr(high, low, close, 14) OVER w")]
#[case("plus_dm(high, low, 14) OVER w")]
#[case("minus_dm(high, low, 14) OVER w")]
#[case("plus_di(high, low, close, 14) OVER w")]
#[case("minus_di(high, low, close, 14) OVER w")]
#[case("dx(high, low, close, 14) OVER w")]
#[case("adx(high, low, close, 14) OVER w")]
#[case("adxr(high, low, close, 14) OVER w")]
#[tokio::test]
async fn new_rows_after_the_warm_up_equal_a_full_recompute(#[case] call: &str) {
    new_rows_equal_a_full_recompute(call).await;
}

/// Every window function either has a case above or needs its whole partition.
#[tokio::test]
async fn every_window_function_declares_its_memory() {
    let cases = include_str!("incremental.rs");
    let ctx = bars().await;
    for f in quantfusion::udfs::all_functions() {
        if f.kind() != "window" || cases.contains(&format!("#[case(\"{}(", f.name)) {
            continue;
        }
        let call = match f.name {
            "emd_imf" => "emd_imf(close, 1)".to_string(),
            "cum_return" | "drawdown" => format!("{}(ret)", f.name),
            "obv" => "obv(close, volume)".to_string(),
            "ad" | "adosc" => format!("{}(high, low, close, volume)", f.name),
            other => format!("{other}(close)"),
        };
        let query = format!("SELECT ts, {call} OVER (ORDER BY ts) FROM bars");
        let warmup = warmup_of(&ctx, &query, None).await;
        assert!(
            warmup
                .as_ref()
                .is_err_and(|e| e.contains("needs the whole partition")),
            "{} has no incremental case and claims {warmup:?}",
            f.name
        );
    }
}

#[tokio::test]
async fn window_stages_in_sequence_add_their_look_backs() {
    let ctx = bars().await;
    let query = "WITH f AS (SELECT ts, close, sma(close, 10) OVER w AS s FROM bars \
                            WINDOW w AS (ORDER BY ts)) \
                 SELECT ts, rolling_mean(s, 5) OVER w AS m, lag(close, 2) OVER w AS l FROM f \
                 WINDOW w AS (ORDER BY ts) ";
    assert_eq!(
        warmup_of(&ctx, query, None).await,
        Ok(Warmup {
            rows: 15,
            residual: 0.0
        })
    );
    // A filter after the windows keeps the look-back.
    let filtered = format!("SELECT * FROM ({query}) WHERE m > 0");
    assert_eq!(warmup_of(&ctx, &filtered, None).await.unwrap().rows, 15);
    // An explicit warm-up longer than the look-back is kept.
    assert_eq!(warmup_of(&ctx, query, Some(100)).await.unwrap().rows, 100);
    // Recursions: the derived warm-up leaves at most the tolerance.
    let ema = "SELECT ts, ema(close, 19) OVER (ORDER BY ts) FROM bars";
    let derived = warmup_of(&ctx, ema, None).await.unwrap();
    assert_eq!(derived.rows, 19 + 263); // ln(1e-12) / ln(0.9) = 262.3 after its seed
    assert!(derived.residual <= 1e-12 && derived.residual > 1e-13);
}

#[rstest]
#[case::cumulative("sum(close) OVER (ORDER BY ts)", "sum needs the whole partition")]
#[case::obv(
    "obv(close, volume) OVER (ORDER BY ts)",
    "obv needs the whole partition"
)]
#[case::looks_ahead(
    "hp_trend(close) OVER (ORDER BY ts)",
    "hp_trend needs the whole partition"
)]
#[case::ranks(
    "row_number() OVER (ORDER BY ts)",
    "row_number needs the whole partition"
)]
#[case::following(
    "avg(close) OVER (ORDER BY ts ROWS BETWEEN 2 PRECEDING AND 1 FOLLOWING)",
    "avg needs the whole partition"
)]
#[case::other_order("sma(close, 5) OVER (ORDER BY volume)", "not ordered by ts ascending")]
#[case::descending("sma(close, 5) OVER (ORDER BY ts DESC)", "not ordered by ts ascending")]
#[tokio::test]
async fn what_needs_the_whole_partition_is_a_full_recompute(#[case] call: &str, #[case] why: &str) {
    let ctx = bars().await;
    let query = format!("SELECT ts, {call} AS v FROM bars");
    let err = warmup_of(&ctx, &query, None).await.unwrap_err();
    assert!(err.contains(why), "{call}: {err}");
}

#[rstest]
#[case::aggregate("SELECT count(*) AS n FROM bars", "Aggregate")]
#[case::join(
    "SELECT a.ts, sma(a.close, 3) OVER (ORDER BY a.ts) FROM bars a JOIN bars b ON a.ts = b.ts",
    "Join"
)]
#[case::filter_first(
    "SELECT ts, sma(close, 3) OVER (ORDER BY ts) FROM bars WHERE volume > 1200",
    "filters rows before a window function"
)]
#[case::subquery(
    "SELECT ts, close - (SELECT avg(close) FROM bars) AS c FROM bars",
    "subquery"
)]
#[case::limit("SELECT ts FROM bars ORDER BY ts LIMIT 5", "Limit")]
#[tokio::test]
async fn queries_beyond_windows_over_rows_are_full_recomputes(
    #[case] query: &str,
    #[case] why: &str,
) {
    let ctx = bars().await;
    let err = warmup_of(&ctx, query, None).await.unwrap_err();
    assert!(err.contains(why), "{query}: {err}");
}

#[tokio::test]
async fn a_warm_up_too_short_for_the_tolerance_is_refused() {
    let ctx = bars().await;
    let query = "SELECT ts, rsi(close, 14) OVER (ORDER BY ts) FROM bars";
    let err = warmup_of(&ctx, query, Some(100)).await.unwrap_err();
    assert!(err.contains("a warm-up of 100 rows leaves"), "{err}");
    assert!(warmup_of(&ctx, query, Some(1000)).await.is_ok());
}

/// A pipeline over a partitioned source: new rows of one symbol are appended after
/// the warm-up, the result equals a full recompute, and a changed history or a
/// changed SQL file makes a full recompute.
#[test]
fn an_incremental_pipeline_appends_new_rows_and_equals_a_full_recompute() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("prices");
    write_partitioned_source(dir.path(), &source, &["A", "BB", "C"], 2000);
    let features = dir.path().join("features.sql");
    std::fs::write(
        &features,
        "WITH f AS ( \
             SELECT symbol, ts, close, ema(close, 5) OVER w AS e, rolling_std(close, 50) OVER w AS s, \
                    rsi(close, 14) OVER w AS r, lag(close, 3) OVER w AS l \
             FROM prices WINDOW w AS (PARTITION BY symbol ORDER BY ts)) \
         SELECT *, rolling_mean(r, 10) OVER w AS rm FROM f \
         WINDOW w AS (PARTITION BY symbol ORDER BY ts)",
    )
    .unwrap();
    let pipeline = dir.path().join("pipeline.toml");
    std::fs::write(
        &pipeline,
        format!(
            "[settings]\nparallelism = 2\n\n[sources.prices]\nurl = \"{}\"\n\n\
             [stages.features]\nsql = \"features.sql\"\noutput = \"out/features\"\n\
             partition_by = [\"symbol\"]\ntasks = {{ by = \"symbol\", from = \"prices\" }}\n\
             incremental = {{ order_by = \"ts\" }}\n",
            source.display()
        ),
    )
    .unwrap();
    let pipeline = pipeline.to_str().unwrap();
    let run = |args: &[&str]| {
        let o = quantfusion(&[&["run", pipeline], args].concat(), &[]);
        assert!(o.status.success(), "{}", text(&o));
        text(&o)
    };

    let t = run(&[]);
    assert!(
        t.contains("features[symbol=BB]: completed: 2000 rows (in full: first run)"),
        "{t}"
    );
    let o = quantfusion(&["plan", pipeline], &[]);
    // rsi's Wilder smoothing (1/14) to 1e-12: 373 rows after its 15-row seed and
    // rolling_mean's 10 (rolling_std's 50 is a floor it exceeds).
    assert!(
        text(&o).contains("incremental: new rows after 398 rows of warm-up"),
        "{}",
        text(&o)
    );

    // 300 new rows for BB: only they are computed, after the warm-up, and appended.
    write_partitioned_source(dir.path(), &source, &["BB"], 2300);
    let t = run(&[]);
    assert!(
        t.contains(
            "features[symbol=BB]: completed: 300 rows (300 new rows after a warm-up of 398 rows)"
        ),
        "{t}"
    );
    assert!(t.contains("features[symbol=A]: skipped"), "{t}");
    let incremental = rows_of(dir.path());
    // Rerunning with nothing new does nothing.
    assert!(run(&[]).contains("features: skipped"));

    let full_dir = dir.path().join("out");
    std::fs::rename(&full_dir, dir.path().join("incremental_out")).unwrap();
    let t = run(&["--force"]);
    assert!(t.contains("in full: forced"), "{t}");
    let full = rows_of(dir.path());
    assert_eq!(full.len(), 2000 + 2300 + 2000);
    assert_eq!(incremental.len(), full.len());
    for (a, b) in incremental.iter().zip(&full) {
        assert_eq!((&a.0, a.1), (&b.0, b.1));
        for (x, y) in a.2.iter().zip(&b.2) {
            match (x, y) {
                (Some(x), Some(y)) => assert!(
                    (x - y).abs() <= 1e-9 * x.abs().max(1.0),
                    "{} {}: {x} vs {y}",
                    a.0,
                    a.1
                ),
                _ => assert_eq!(x, y, "{} {}", a.0, a.1),
            }
        }
    }

    // History that changed under the mark (fewer rows) is recomputed in full.
    write_partitioned_source(dir.path(), &source, &["BB"], 1000);
    let t = run(&[]);
    assert!(
        t.contains("features[symbol=BB]: completed: 1000 rows (in full: its input up to 2299 changed (2300 rows then, 1000 now))"),
        "{t}"
    );
    // So is a task whose last attempt did not complete (killed during its append).
    let db = rusqlite::Connection::open(format!("{pipeline}.state.sqlite")).unwrap();
    db.execute(
        "UPDATE task_status SET status = 'FAILED' WHERE status_id = \
         (SELECT max(status_id) FROM task_status JOIN tasks USING (task_id) \
          WHERE partition = 'symbol=BB')",
        [],
    )
    .unwrap();
    write_partitioned_source(dir.path(), &source, &["BB"], 1100);
    let t = run(&[]);
    assert!(
        t.contains("features[symbol=BB]: completed: 1100 rows (in full: its last attempt did not complete)"),
        "{t}"
    );
    // So is every task after its SQL changed.
    std::fs::write(
        &features,
        std::fs::read_to_string(&features).unwrap() + " -- edited",
    )
    .unwrap();
    let t = run(&[]);
    assert!(
        t.contains(
            "features[symbol=C]: completed: 2000 rows (in full: its SQL or settings changed)"
        ),
        "{t}"
    );
}

/// Every row of the pipeline's output (under `out/`), sorted: symbol, ts, values.
type Row = (String, i64, Vec<Option<f64>>);

fn rows_of(dir: &std::path::Path) -> Vec<Row> {
    let o = quantfusion(
        &[
            "--format",
            "csv",
            "-c",
            &format!(
                "SELECT symbol, ts, e, s, r, l, rm FROM '{}/out/features/' ORDER BY symbol, ts",
                dir.display()
            ),
        ],
        &[],
    );
    assert!(o.status.success(), "{}", text(&o));
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .skip(1)
        .map(|line| {
            let mut fields = line.split(',');
            let symbol = fields.next().unwrap().to_string();
            let ts = fields.next().unwrap().parse().unwrap();
            let values = fields.map(|f| f.parse().ok()).collect();
            (symbol, ts, values)
        })
        .collect()
}

/// A stage whose result lacks the order column runs every task in full, and says so.
#[test]
fn a_result_without_the_order_column_is_a_full_recompute() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("prices");
    write_partitioned_source(dir.path(), &source, &["A"], 50);
    std::fs::write(
        dir.path().join("features.sql"),
        "SELECT symbol, sma(close, 5) OVER (PARTITION BY symbol ORDER BY ts) AS s FROM prices",
    )
    .unwrap();
    let pipeline = dir.path().join("pipeline.toml");
    std::fs::write(
        &pipeline,
        format!(
            "[sources.prices]\nurl = \"{}\"\n\n[stages.features]\nsql = \"features.sql\"\n\
             output = \"out\"\npartition_by = [\"symbol\"]\n\
             tasks = {{ by = \"symbol\", from = \"prices\" }}\nincremental = {{ order_by = \"ts\" }}\n",
            source.display()
        ),
    )
    .unwrap();
    let pipeline = pipeline.to_str().unwrap();
    let o = quantfusion(&["plan", pipeline], &[]);
    assert!(
        text(&o).contains("not incremental: its result has no column 'ts'"),
        "{}",
        text(&o)
    );
    let o = quantfusion(&["run", pipeline], &[]);
    assert!(
        text(&o).contains("completed: 50 rows (in full: its result has no column 'ts'"),
        "{}",
        text(&o)
    );
}

/// The same on object storage: the source and the appended output live in a bucket.
#[test]
fn an_incremental_pipeline_appends_on_object_storage() {
    let server = crate::s3_server::S3Server::start(&["lake"]);
    let env = server.s3_env();
    let dir = tempfile::tempdir().unwrap();
    write_symbols(dir.path(), "s3://lake/prices", &["A", "B"], 1000, &env);
    std::fs::write(
        dir.path().join("features.sql"),
        "SELECT symbol, ts, sma(close, 30) OVER w AS s, linreg_slope(close, 60) OVER w AS b \
         FROM prices WINDOW w AS (PARTITION BY symbol ORDER BY ts)",
    )
    .unwrap();
    let pipeline = dir.path().join("pipeline.toml");
    std::fs::write(
        &pipeline,
        "[sources.prices]\nurl = \"s3://lake/prices/\"\n\n[stages.features]\n\
         sql = \"features.sql\"\noutput = \"s3://lake/features\"\npartition_by = [\"symbol\"]\n\
         tasks = { by = \"symbol\", from = \"prices\" }\nincremental = { order_by = \"ts\" }\n",
    )
    .unwrap();
    let pipeline = pipeline.to_str().unwrap();
    let o = quantfusion(&["run", pipeline], &env);
    assert!(o.status.success(), "{}", text(&o));

    write_symbols(dir.path(), "s3://lake/prices", &["B"], 1250, &env);
    let o = quantfusion(&["run", pipeline], &env);
    assert!(
        text(&o).contains(
            "features[symbol=B]: completed: 250 rows (250 new rows after a warm-up of 60 rows)"
        ),
        "{}",
        text(&o)
    );
    let summary = |env: &[(&str, String)]| {
        let o = quantfusion(
            &[
                "--format",
                "csv",
                "-c",
                "SELECT symbol, count(*), count(DISTINCT ts), round(sum(s), 9), round(sum(b), 12) \
                 FROM 's3://lake/features/' GROUP BY symbol ORDER BY symbol",
            ],
            env,
        );
        assert!(o.status.success(), "{}", text(&o));
        String::from_utf8_lossy(&o.stdout).to_string()
    };
    let incremental = summary(&env);
    assert!(incremental.contains("B,1250,1250,"), "{incremental}");
    let o = quantfusion(&["run", pipeline, "--force"], &env);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(summary(&env), incremental);
}
