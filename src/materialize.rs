//! Runs a feature stage (a SQL file whose last statement is a query) and writes its
//! result as hive-partitioned parquet (`symbol=AAPL/…parquet`) to a local directory
//! or an `s3://` / `r2://` prefix.
//!
//! Files are written under their final partition directories with names unique to
//! the run, and become visible only when every stream has finished, through the
//! commit of [`crate::publish`]: a failed or killed run never leaves partial output
//! visible to quantfusion readers.

use crate::partitioned_writer::{PartitionedParquetWriter, WrittenFile};
use crate::publish::{commit, delete_all, ensure_empty, WriteMode};
use crate::storage::{Location, StoreRegistry};
use datafusion::arrow::datatypes::Schema;
use datafusion::common::exec_datafusion_err;
use datafusion::common::file_options::parquet_writer::ParquetWriterOptions;
use datafusion::common::Column;
use datafusion::common::{plan_err, Result};
use datafusion::error::DataFusionError;
use datafusion::logical_expr::Expr;
use datafusion::parquet::file::metadata::SortingColumn;
use datafusion::parquet::file::properties::WriterProperties;
use datafusion::parquet::schema::types::ColumnPath;
use datafusion::physical_expr::expressions::Column as PhysicalColumn;
use datafusion::physical_expr::LexOrdering;
use datafusion::physical_plan::{
    execute_stream_partitioned, ExecutionPlan, ExecutionPlanProperties,
};
use datafusion::prelude::{DataFrame, SessionContext};
use datafusion::sql::parser::{DFParser, Statement};
use futures::StreamExt;
use object_store::path::Path;
use object_store::ObjectStore;
use std::hash::{BuildHasher, Hasher};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};
use tokio::task::JoinSet;

/// How to write a stage's result.
#[derive(Debug, Clone, Default)]
pub struct MaterializeOptions {
    /// Hive partition columns, outermost first.
    pub partition_by: Vec<String>,
    pub mode: WriteMode,
}

impl MaterializeOptions {
    pub fn partitioned_by(columns: &[&str]) -> Self {
        MaterializeOptions {
            partition_by: columns.iter().map(|c| c.to_string()).collect(),
            mode: WriteMode::default(),
        }
    }

    pub fn with_mode(mut self, mode: WriteMode) -> Self {
        self.mode = mode;
        self
    }
}

/// What a materialisation wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// The destination URL.
    pub location: String,
    /// The run's identifier, recorded in the manifests and `_SUCCESS`.
    pub run: String,
    pub rows: u64,
    pub partitions: usize,
    pub files: usize,
    pub bytes: u64,
}

/// Runs every statement of `sql`; the last must be a query, whose result is written
/// under `dest` (a local directory or an object-store URL) as `options` say.
pub async fn materialize(
    ctx: &SessionContext,
    sql: &str,
    dest: &str,
    options: &MaterializeOptions,
) -> Result<Written> {
    let destination = Destination::open(ctx, dest, options).await?;
    let df = run_stage(ctx, sql).await?;
    destination.write(ctx, df, options).await
}

/// [`materialize`] for a query already planned as a DataFrame.
pub async fn materialize_frame(
    ctx: &SessionContext,
    df: DataFrame,
    dest: &str,
    options: &MaterializeOptions,
) -> Result<Written> {
    let destination = Destination::open(ctx, dest, options).await?;
    destination.write(ctx, df, options).await
}

/// A checked destination: its store is reachable (a missing bucket or a refused
/// credential fails before the stage runs) and, for `error-if-exists`, empty.
struct Destination {
    location: Location,
    store: Arc<dyn ObjectStore>,
}

impl Destination {
    async fn open(ctx: &SessionContext, dest: &str, options: &MaterializeOptions) -> Result<Self> {
        let location = Location::parse(dest)?;
        let store = raw_store(ctx, &location)?;
        let root = location.prefix();
        let at = |e| naming(&location, e);
        store
            .list_with_delimiter(Some(&root))
            .await
            .map_err(|e| at(e.into()))?;
        if options.mode == WriteMode::ErrorIfExists {
            ensure_empty(store.as_ref(), &root, location.url().as_str())
                .await
                .map_err(at)?;
        }
        Ok(Destination { location, store })
    }

    async fn write(
        self,
        ctx: &SessionContext,
        df: DataFrame,
        options: &MaterializeOptions,
    ) -> Result<Written> {
        let Destination { location, store } = self;
        let root = location.prefix();
        let at = |e| naming(&location, e);
        check_partition_columns(&df, &options.partition_by)?;
        let run = run_id();
        let files = write_partitioned(ctx, df, &store, &root, &options.partition_by, &run)
            .await
            .map_err(at)?;
        commit(store.as_ref(), &root, &run, options.mode, &files)
            .await
            .map_err(at)?;
        // Listings cached before this write would hide the new files from later queries.
        if let Some(cache) = ctx.runtime_env().cache_manager.get_list_files_cache() {
            cache.clear();
        }
        let partitions = files
            .iter()
            .map(|f| &f.dir)
            .collect::<std::collections::BTreeSet<_>>()
            .len();
        Ok(Written {
            location: location.to_string(),
            run,
            rows: files.iter().map(|f| f.rows).sum(),
            partitions,
            files: files.len(),
            bytes: files.iter().map(|f| f.bytes).sum(),
        })
    }
}

/// Storage errors say which destination they concern (object_store names only the
/// key or the endpoint's address).
fn naming(location: &Location, err: DataFusionError) -> DataFusionError {
    match err.find_root() {
        DataFusionError::ObjectStore(e) => exec_datafusion_err!("{location}: {e}"),
        _ => err,
    }
}

/// The store behind `location`, seeing uncommitted files too (the writer cleans them
/// up). Sessions built by [`crate::context`] keep it in their [`StoreRegistry`].
fn raw_store(ctx: &SessionContext, location: &Location) -> Result<Arc<dyn ObjectStore>> {
    let url = location.store_url();
    match ctx.state().config().get_extension::<StoreRegistry>() {
        Some(registry) => registry.raw_store(url.as_ref()),
        None => ctx.runtime_env().object_store(&url),
    }
}

fn check_partition_columns(df: &DataFrame, partition_by: &[String]) -> Result<()> {
    let schema = df.schema();
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
    Ok(())
}

/// A name for this run's files, unique across hosts and processes and sortable by
/// start time.
fn run_id() -> String {
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or_default();
    let random = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    format!("{millis:013}-{:08x}", random as u32)
}

/// Writes the stage's rows under `root`, one writer per stream when the streams
/// are already ordered by a partition column (as after a window stage partitioned by
/// it: each value then sits in one stream and each file closes when its value ends),
/// otherwise after sorting by the partition columns. On failure the files already
/// written are deleted.
async fn write_partitioned(
    ctx: &SessionContext,
    df: DataFrame,
    store: &Arc<dyn ObjectStore>,
    root: &Path,
    partition_by: &[String],
    run: &str,
) -> Result<Vec<WrittenFile>> {
    let plan = df.clone().create_physical_plan().await?;
    let ordered = streams_ordered_by(&plan, partition_by);
    let properties = writer_properties(
        ctx,
        df.schema().as_arrow(),
        partition_by,
        ordered.then(|| plan.output_ordering()).flatten(),
    )?;
    let streams = if ordered {
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
            Arc::clone(store),
            root.clone(),
            &stream.schema(),
            partition_by,
            properties.clone(),
            &format!("part-{run}-{i}"),
        )?;
        tasks.spawn(async move {
            let mut failure = None;
            while let Some(batch) = stream.next().await {
                if let Err(e) = match batch {
                    Ok(batch) => writer.write(&batch).await,
                    Err(e) => Err(e),
                } {
                    failure = Some(e);
                    break;
                }
            }
            match failure {
                None => writer.finish().await.map_err(|e| (e, vec![])),
                Some(e) => Err((e, writer.written().to_vec())),
            }
        });
    }
    let mut files = vec![];
    let mut failure = None;
    while let Some(done) = tasks.join_next().await {
        match done {
            Ok(Ok(written)) => files.extend(written),
            Ok(Err((e, written))) => {
                files.extend(written);
                failure.get_or_insert(e);
            }
            Err(e) => {
                failure.get_or_insert(exec_datafusion_err!("a writer task failed: {e}"));
            }
        }
    }
    match failure {
        None => Ok(files),
        Some(e) => {
            // Never listed by a manifest, so invisible either way; removed to save space.
            let _ = delete_all(
                store.as_ref(),
                files.iter().map(WrittenFile::path).collect(),
            )
            .await;
            Err(e)
        }
    }
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

/// The session's parquet writer settings (zstd by default), with dictionary encoding
/// off for float columns (feature values are nearly all distinct, and building their
/// dictionaries cost a third of the writing time) and the rows' order within each
/// file recorded as the row groups' sorting columns.
fn writer_properties(
    ctx: &SessionContext,
    schema: &Schema,
    partition_by: &[String],
    ordering: Option<&LexOrdering>,
) -> Result<WriterProperties> {
    let mut options = ctx.state().default_table_options().parquet;
    // The arrow schema goes into each file's metadata from the arrow writer itself.
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
    let file_columns: Vec<&str> = schema
        .fields()
        .iter()
        .map(|f| f.name().as_str())
        .filter(|n| !partition_by.iter().any(|p| p == n))
        .collect();
    let flat = schema.fields().iter().all(|f| !f.data_type().is_nested());
    if let (Some(ordering), true) = (ordering, flat) {
        let sorting: Vec<SortingColumn> = ordering
            .iter()
            .map_while(|sort| {
                let column = sort.expr.downcast_ref::<PhysicalColumn>()?;
                Some((column.name(), sort.options))
            })
            .filter(|(name, _)| !partition_by.iter().any(|p| p == name))
            .map_while(|(name, options)| {
                let column_idx = file_columns.iter().position(|c| *c == name)? as i32;
                Some(SortingColumn {
                    column_idx,
                    descending: options.descending,
                    nulls_first: options.nulls_first,
                })
            })
            .collect();
        if !sorting.is_empty() {
            builder = builder.set_sorting_columns(Some(sorting));
        }
    }
    Ok(builder.build())
}

/// Executes all but the last statement and returns the last as a DataFrame.
pub(crate) async fn run_stage(ctx: &SessionContext, sql: &str) -> Result<DataFrame> {
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
