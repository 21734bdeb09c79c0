//! Stage materialisation: partitioned parquet, replaced only when complete.

use crate::common::{column, repo_root, session};
use quantfusion::materialize::materialize;

const STAGE: &str = "CREATE VIEW prices AS SELECT * FROM (VALUES ('A', 1, 1.0), ('A', 2, 2.0), ('B', 1, 5.0)) t(symbol, ts, close);\n\
                     SELECT symbol, ts, sma(close, 2) OVER (PARTITION BY symbol ORDER BY ts) AS s FROM prices";

#[tokio::test]
async fn writes_partitions_and_replaces_on_rerun() {
    let ctx = session();
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("features");
    let written = materialize(&ctx, STAGE, &dest, &["symbol".into()])
        .await
        .unwrap();
    assert_eq!((written.rows, written.partitions), (3, 2));
    assert!(dest.join("symbol=A").is_dir());

    let ctx = session();
    let again = materialize(&ctx, STAGE, &dest, &["symbol".into()])
        .await
        .unwrap();
    assert_eq!(again.rows, 3);
    let v = column(&ctx, &format!("SELECT count(*) FROM '{}/'", dest.display()))
        .await
        .unwrap();
    assert_eq!(v, vec![Some(3.0)], "a rerun replaces, it does not append");
    // no staging directories are left beside the output
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(leftovers.len(), 1);
}

#[tokio::test]
async fn failing_stage_leaves_the_previous_output() {
    let ctx = session();
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("features");
    materialize(&ctx, STAGE, &dest, &["symbol".into()])
        .await
        .unwrap();
    let bad = STAGE.replace("sma(close, 2)", "sma(close, 0)");
    let err = materialize(&session(), &bad, &dest, &["symbol".into()])
        .await
        .unwrap_err();
    assert!(err.to_string().contains("sma: period"), "{err}");
    let err = materialize(&session(), STAGE, &dest, &["pair".into()])
        .await
        .unwrap_err();
    assert!(err.to_string().contains("partition column 'pair'"), "{err}");
    assert!(dest.join("symbol=B").is_dir());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[tokio::test]
async fn the_shipped_stage_runs_on_the_shipped_sample() {
    let root = repo_root();
    let sql = std::fs::read_to_string(root.join("sql/daily_features.sql")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("daily");
    // the stage reads its sample by a path relative to the repository root
    let sql = sql.replace("'data/", &format!("'{}/data/", root.display()));
    let written = materialize(&session(), &sql, &dest, &["symbol".into()])
        .await
        .unwrap();
    assert!(written.rows > 10_000, "{written:?}");
    assert_eq!(written.partitions, 20);
}
