//! Runs a feature stage (a SQL file whose last statement is a query) and writes its
//! result as hive-partitioned parquet (`symbol=AAPL/…parquet`).
//!
//! The result is written to a sibling staging directory and moved into place only
//! when complete, so a failed or killed run never leaves a partial output visible.

use crate::partitioned_writer::PartitionedParquetWriter;
use datafusion::arrow::datatypes::Schema;
use datafusion::common::exec_datafusion_err;
use datafusion::common::file_options::parquet_writer::ParquetWriterOptions;
use datafusion::common::Column;
use datafusion::common::{exec_err, plan_err, Result};
use datafusion::logical_expr::Expr;
use datafusion::parquet::file::properties::WriterProperties;
use datafusion::parquet::schema::types::ColumnPath;
use datafusion::physical_expr::expressions::Column as PhysicalColumn;
use datafusion::physical_plan::{
    execute_stream_partitioned, ExecutionPlan, ExecutionPlanProperties,
};
use datafusion::prelude::{DataFrame, SessionContext};
use datafusion::sql::parser::{DFParser, Statement};
use futures::StreamExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::task::JoinSet;

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
    std::fs::create_dir_all(&staging)?;
    let rows = write_partitioned(ctx, df, &staging, partition_by).await?;

    publish(&staging, dest)?;
    let (partitions, files) = count_outputs(dest, partition_by.len())?;
    Ok(Written {
        path: dest.to_path_buf(),
        rows,
        partitions,
        files,
    })
}

/// Writes the stage's rows under `staging`, one writer per stream when the streams
/// are already ordered by a partition column (as after a window stage partitioned by
/// it: each value then sits in one stream and each file closes when its value ends),
/// otherwise after sorting by the partition columns.
async fn write_partitioned(
    ctx: &SessionContext,
    df: DataFrame,
    staging: &Path,
    partition_by: &[String],
) -> Result<u64> {
    let properties = writer_properties(ctx, df.schema().as_arrow())?;
    let plan = df.clone().create_physical_plan().await?;
    let streams = if streams_ordered_by(&plan, partition_by) {
        execute_stream_partitioned(plan, ctx.task_ctx())?
    } else {
        let keys = partition_by
            .iter()
            .map(|c| Expr::Column(Column::new_unqualified(c)).sort(true, true))
            .collect();
        vec![df.sort(keys)?.execute_stream().await?]
    };
    let mut tasks = JoinSet::new();
    for (i, mut stream) in streams.into_iter().enumerate() {
        let mut writer = PartitionedParquetWriter::new(
            staging,
            &stream.schema(),
            partition_by,
            properties.clone(),
            &format!("part-{i}"),
        )?;
        tasks.spawn(async move {
            while let Some(batch) = stream.next().await {
                writer.write(&batch?)?;
            }
            writer.finish()
        });
    }
    let mut rows = 0;
    while let Some(done) = tasks.join_next().await {
        rows += done.map_err(|e| exec_datafusion_err!("a writer task failed: {e}"))??;
    }
    Ok(rows)
}

/// Whether each output stream of `plan` keeps the rows of a partition value together:
/// its ordering starts with one of the partition columns. The remaining partition
/// columns are usually functions of the ordering's later keys (a month of the
/// timestamp); where they are not, a value can come back and gets a second file.
fn streams_ordered_by(plan: &Arc<dyn ExecutionPlan>, partition_by: &[String]) -> bool {
    if partition_by.is_empty() {
        return true;
    }
    let Some(ordering) = plan.output_ordering() else {
        return false;
    };
    ordering
        .first()
        .expr
        .downcast_ref::<PhysicalColumn>()
        .is_some_and(|c| partition_by.iter().any(|p| p == c.name()))
}

/// The session's parquet writer settings, with dictionary encoding off for float
/// columns: feature values are nearly all distinct, and building their dictionaries
/// cost a third of the writing time.
fn writer_properties(ctx: &SessionContext, schema: &Schema) -> Result<WriterProperties> {
    let mut options = ctx.state().default_table_options().parquet;
    // The arrow schema goes into each file's metadata from ArrowWriter itself.
    options.global.skip_arrow_metadata = true;
    let mut builder = ParquetWriterOptions::try_from(&options)?
        .writer_options()
        .clone()
        .into_builder();
    for field in schema.fields() {
        if field.data_type().is_floating() {
            builder = builder
                .set_column_dictionary_enabled(ColumnPath::from(field.name().as_str()), false);
        }
    }
    Ok(builder.build())
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
