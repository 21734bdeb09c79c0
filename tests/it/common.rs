//! Helpers shared by the integration tests.

use datafusion::arrow::array::{Array, Float64Array};
use datafusion::arrow::compute::{cast, concat_batches};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::tree_node::{TreeNode, TreeNodeRecursion};
use datafusion::common::Result;
use datafusion::prelude::SessionContext;
use quantfusion_udfs::framework::PartitionStreamExec;
use std::path::PathBuf;

/// The repository root.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The shared golden folder: `QUANTFUSION_GOLDEN`, else `../shared/golden`.
/// Panics (fails the test) when it is missing: golden parity must never pass vacuously.
pub fn golden_dir() -> PathBuf {
    let dir = std::env::var_os("QUANTFUSION_GOLDEN")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("../shared/golden"));
    assert!(
        dir.join("manifest.json").is_file(),
        "golden folder not found at {} (set QUANTFUSION_GOLDEN)",
        dir.display()
    );
    dir
}

/// A file of the shared real market-data samples (`../shared/data`), as a path for
/// SQL; panics (fails the test) when it is missing.
pub fn shared_data(file: &str) -> String {
    let path = repo_root().join("../shared/data").join(file);
    assert!(
        path.is_file(),
        "shared data sample not found at {}",
        path.display()
    );
    path.display().to_string()
}

/// A session with every quantfusion function, as the CLI builds it.
pub fn session() -> SessionContext {
    quantfusion::context::session_context().expect("session")
}

/// Runs `sql` and returns its only column as f64 values (NULL as `None`).
pub async fn column(ctx: &SessionContext, sql: &str) -> Result<Vec<Option<f64>>> {
    let batches = ctx.sql(sql).await?.collect().await?;
    let Some(first) = batches.first() else {
        return Ok(vec![]);
    };
    let batch = concat_batches(&first.schema(), &batches)?;
    let values = cast(batch.column(0), &DataType::Float64)?;
    let values = values.as_any().downcast_ref::<Float64Array>().unwrap();
    Ok(values.iter().collect())
}

/// Runs `sql` and returns its result as a printed table.
pub async fn table_text(ctx: &SessionContext, sql: &str) -> String {
    let batches = ctx.sql(sql).await.unwrap().collect().await.unwrap();
    datafusion::arrow::util::pretty::pretty_format_batches(&batches)
        .unwrap()
        .to_string()
}

/// Runs `sql` expecting an error and returns its one-line message.
pub async fn error(ctx: &SessionContext, sql: &str) -> String {
    let result = async { ctx.sql(sql).await?.collect().await }.await;
    match result {
        Ok(_) => panic!("expected an error from: {sql}"),
        Err(e) => quantfusion::errors::one_line(&e),
    }
}

/// Calls `visit` on each window stage (`PartitionStreamExec`) of `sql`'s physical
/// plan, outermost first.
pub async fn for_each_window_stage(
    ctx: &SessionContext,
    sql: &str,
    mut visit: impl FnMut(&PartitionStreamExec),
) {
    let plan = ctx
        .sql(sql)
        .await
        .unwrap()
        .create_physical_plan()
        .await
        .unwrap();
    plan.apply(|node| {
        if let Some(stage) = node.downcast_ref::<PartitionStreamExec>() {
            visit(stage);
        }
        Ok(TreeNodeRecursion::Continue)
    })
    .unwrap();
}
