//! Runs a feature stage (a SQL file whose last statement is a query) and writes its
//! result as hive-partitioned parquet (`symbol=AAPL/…parquet`).
//!
//! The result is written to a sibling staging directory and moved into place only
//! when complete, so a failed or killed run never leaves a partial output visible.

use datafusion::common::{exec_err, plan_err, Result};
use datafusion::dataframe::DataFrameWriteOptions;
use datafusion::prelude::{DataFrame, SessionContext};
use datafusion::sql::parser::{DFParser, Statement};
use std::path::{Path, PathBuf};

/// What a materialisation wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub path: PathBuf,
    pub rows: u64,
    pub partitions: usize,
    pub files: usize,
}

/// Runs every statement of `sql`; the last must be a query, whose result is written
/// under `dest` partitioned by `partition_by`, replacing what was there.
pub async fn materialize(
    ctx: &SessionContext,
    sql: &str,
    dest: &Path,
    partition_by: &[String],
) -> Result<Written> {
    let df = run_stage(ctx, sql).await?;
    let schema = df.schema().clone();
    for col in partition_by {
        if schema.field_with_unqualified_name(col).is_err() {
            return plan_err!(
                "partition column '{col}' is not in the stage's result (columns: {})",
                schema
                    .fields()
                    .iter()
                    .map(|f| f.name().as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }

    let staging = staging_dir(dest)?;
    let _cleanup = RemoveOnDrop(staging.clone());
    let options = DataFrameWriteOptions::new().with_partition_by(partition_by.to_vec());
    let staging_url = format!("{}/", staging.display());
    let counts = df.write_parquet(&staging_url, options, None).await?;
    let rows = counts
        .iter()
        .filter_map(|b| {
            b.column(0)
                .as_any()
                .downcast_ref::<datafusion::arrow::array::UInt64Array>()
                .map(|c| c.values().iter().sum::<u64>())
        })
        .sum();

    publish(&staging, dest)?;
    let (partitions, files) = count_outputs(dest, partition_by.len())?;
    Ok(Written {
        path: dest.to_path_buf(),
        rows,
        partitions,
        files,
    })
}

/// Executes all but the last statement and returns the last as a DataFrame.
async fn run_stage(ctx: &SessionContext, sql: &str) -> Result<DataFrame> {
    let mut statements = DFParser::parse_sql(sql)?;
    let Some(last) = statements.pop_back() else {
        return plan_err!("the stage has no SQL statement");
    };
    for statement in statements {
        let plan = ctx.state().statement_to_plan(statement).await?;
        ctx.execute_logical_plan(plan).await?.collect().await?;
    }
    if !matches!(&last, Statement::Statement(s) if matches!(**s, datafusion::sql::sqlparser::ast::Statement::Query(_)))
    {
        return plan_err!("the last statement of a stage must be a query (SELECT ...)");
    }
    let plan = ctx.state().statement_to_plan(last).await?;
    ctx.execute_logical_plan(plan).await
}

fn staging_dir(dest: &Path) -> Result<PathBuf> {
    let name = dest
        .file_name()
        .ok_or_else(|| {
            datafusion::error::DataFusionError::Plan(format!(
                "output path '{}' must name a directory",
                dest.display()
            ))
        })?
        .to_string_lossy()
        .into_owned();
    let parent = dest
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)?;
    Ok(parent.join(format!(".{name}.staging-{}", std::process::id())))
}

/// Replaces `dest` with the complete `staging` directory.
fn publish(staging: &Path, dest: &Path) -> Result<()> {
    if dest.exists() {
        if !dest.is_dir() {
            return exec_err!(
                "output path '{}' exists and is not a directory",
                dest.display()
            );
        }
        let mut old = staging.as_os_str().to_owned();
        old.push(".replaced");
        let old = PathBuf::from(old);
        std::fs::rename(dest, &old)?;
        std::fs::rename(staging, dest)?;
        std::fs::remove_dir_all(&old)?;
    } else {
        std::fs::rename(staging, dest)?;
    }
    Ok(())
}

/// Counts partition directories (at depth `levels`) and parquet files under `dir`.
fn count_outputs(dir: &Path, levels: usize) -> Result<(usize, usize)> {
    fn walk(
        dir: &Path,
        depth: usize,
        levels: usize,
        acc: &mut (usize, usize),
    ) -> std::io::Result<()> {
        if depth == levels {
            acc.0 += 1;
        }
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            if path.is_dir() {
                walk(&path, depth + 1, levels, acc)?;
            } else if path.extension().is_some_and(|e| e == "parquet") {
                acc.1 += 1;
            }
        }
        Ok(())
    }
    let mut acc = (0, 0);
    walk(dir, 0, levels, &mut acc)?;
    Ok(acc)
}

/// Deletes a staging directory left behind by a failed run.
struct RemoveOnDrop(PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        if self.0.exists() {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}
