//! `quantfusion run` and `plan`: each stage, in dependency order, is materialised
//! unless its inputs are unchanged since it last completed.
//!
//! A stage's fingerprint covers its SQL text, output settings, and the listing
//! (path, size, e-tag or modification time) of every source and of the committed
//! output of each stage it depends on; a stage whose last completed attempt had the same
//! fingerprint is skipped. Sources and earlier stages' outputs are tables named after
//! them. Each stage is written with the atomic `overwrite` of [`crate::materialize`].

use super::config::{Incremental, OnFailure, Pipeline, TaskSplit};
use super::incremental::{plan_task, stage_warmup, Extent, TaskRun, Warmup};
use super::state::{Mark, State};
use crate::errors::one_line;
use crate::materialize::{materialize, materialize_frame, run_stage, MaterializeOptions};
use crate::partitioned_writer::partition_directory;
use crate::publish::WriteMode;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{exec_datafusion_err, Column, Result, ScalarValue};
use datafusion::datasource::listing::ListingTableUrl;
use datafusion::logical_expr::{cast, lit, Expr};
use datafusion::prelude::{DataFrame, SessionContext};
use futures::{StreamExt, TryStreamExt};
use object_store::ObjectStoreExt;
use std::fmt;

/// The whole stage is one task until stages are split by output partition.
const WHOLE: &str = "*";

#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Only this stage (its dependencies are not run, their outputs are read).
    pub only: Option<String>,
    /// Run even when the inputs are unchanged.
    pub force: bool,
    /// Only the task of this partition (`pair=EURUSD`) in split stages.
    pub partition: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Completed {
        rows: u64,
        attempts: u32,
        /// How an incremental task ran (appended after a warm-up, or why in full).
        note: Option<String>,
    },
    Skipped(String),
    Failed(String),
    /// A stage it depends on failed.
    NotRun(String),
    /// Another live process is running it (or a stage it depends on).
    Busy(String),
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Completed {
                rows,
                attempts,
                note,
            } => {
                write!(f, "completed: {rows} rows")?;
                if let Some(note) = note {
                    write!(f, " ({note})")?;
                }
                if *attempts > 1 {
                    write!(f, " (attempt {attempts})")?;
                }
                Ok(())
            }
            Outcome::Skipped(why) => write!(f, "skipped: {why}"),
            Outcome::Failed(e) => write!(f, "failed: {e}"),
            Outcome::NotRun(why) => write!(f, "not run: {why}"),
            Outcome::Busy(owner) => write!(f, "left to another run: {owner}"),
        }
    }
}

/// What `plan` says of a stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub stage: String,
    pub run: bool,
    pub why: String,
}

/// What a run reports as it goes.
#[derive(Debug)]
pub enum Event<'a> {
    /// A selected stage is considered; `total` stages are selected.
    Started { stage: &'a str, total: usize },
    Finished {
        stage: &'a str,
        outcome: &'a Outcome,
        seconds: f64,
    },
}

/// Runs the pipeline, calling `report` as each stage starts and ends.
pub async fn run(
    pipeline: &Pipeline,
    options: &RunOptions,
    mut report: impl FnMut(Event<'_>),
) -> Result<Vec<(String, Outcome)>> {
    let mut state = State::open(&pipeline.state_file())?;
    let ctx = crate::context::session_context()?;
    register_sources(&ctx, pipeline).await?;
    let mut outcomes: Vec<(String, Outcome)> = vec![];
    let mut stop = false;
    let order = pipeline.order()?;
    let selected_of = |name: &String| options.only.as_ref().is_none_or(|only| only == name);
    let total = order.iter().filter(|n| selected_of(n)).count();
    for name in order.iter().cloned() {
        let stage = &pipeline.stages[&name];
        let selected = selected_of(&name);
        let started = std::time::Instant::now();
        if selected {
            report(Event::Started {
                stage: &name,
                total,
            });
        }
        let dependency_that = |held: fn(&Outcome) -> bool| {
            stage
                .depends_on
                .iter()
                .find(|d| outcomes.iter().any(|(s, o)| s == *d && held(o)))
        };
        let blocked = dependency_that(|o| matches!(o, Outcome::Failed(_) | Outcome::NotRun(_)));
        let busy = dependency_that(|o| matches!(o, Outcome::Busy(_)));
        let outcome = if !selected {
            None
        } else if let Some(dep) = busy {
            Some(Outcome::Busy(format!(
                "stage '{dep}' is running in another process"
            )))
        } else if stop {
            Some(Outcome::NotRun(
                "an earlier stage failed (on_failure = fail-fast)".into(),
            ))
        } else if let Some(dep) = blocked {
            Some(Outcome::NotRun(format!("stage '{dep}' did not complete")))
        } else {
            match &stage.tasks {
                Some(split) => {
                    Some(run_split_stage(&ctx, pipeline, &name, split, options, &mut report).await?)
                }
                None => {
                    let inputs = stage_inputs(&ctx, pipeline, &name).await?;
                    let fingerprint = fingerprint(pipeline, &name, &inputs, None);
                    let unchanged =
                        state.completed_fingerprint(&name, WHOLE)?.as_deref() == Some(&fingerprint);
                    if unchanged && !options.force {
                        Some(Outcome::Skipped(
                            "inputs unchanged since it completed".into(),
                        ))
                    } else {
                        Some(
                            run_attempts(
                                &ctx,
                                pipeline,
                                &mut state,
                                &name,
                                WHOLE,
                                &fingerprint,
                                Job::Replace {
                                    mode: WriteMode::Overwrite,
                                    note: None,
                                },
                                None,
                            )
                            .await?,
                        )
                    }
                }
            }
        };
        // Later stages read this one's output by its name (absent if it never ran).
        let _ = register_table(&ctx, &name, &pipeline.output_url(&name)).await;
        if let Some(outcome) = outcome {
            if matches!(outcome, Outcome::Failed(_))
                && pipeline.settings.on_failure == OnFailure::FailFast
            {
                stop = true;
            }
            report(Event::Finished {
                stage: &name,
                outcome: &outcome,
                seconds: started.elapsed().as_secs_f64(),
            });
            outcomes.push((name, outcome));
        }
    }
    Ok(outcomes)
}

/// What `run` would do, without running anything.
pub async fn plan(pipeline: &Pipeline, options: &RunOptions) -> Result<Vec<Decision>> {
    let state = State::open(&pipeline.state_file())?;
    let ctx = crate::context::session_context()?;
    register_sources(&ctx, pipeline).await?;
    for name in pipeline.stages.keys() {
        let _ = register_table(&ctx, name, &pipeline.output_url(name)).await;
    }
    let mut decisions: Vec<Decision> = vec![];
    for name in pipeline.order()? {
        if options.only.as_ref().is_some_and(|only| *only != name) {
            continue;
        }
        if let Some(split) = &pipeline.stages[&name].tasks {
            let changed = changed_tasks(&ctx, pipeline, &state, &name, split).await;
            let known = changed.is_ok();
            let (run, mut why) = match changed {
                Ok((_, total)) if options.force => (true, format!("forced ({total} tasks)")),
                Ok((changed, total)) => (
                    changed > 0,
                    format!("{changed} of {total} tasks new or changed"),
                ),
                // A stage's output that does not exist yet.
                Err(_) if pipeline.stages.contains_key(&split.from) => (
                    true,
                    format!(
                        "its tasks (by {}) are known once stage '{}' has run",
                        split.by, split.from
                    ),
                ),
                Err(e) => return Err(e),
            };
            let incremental = match known {
                true => incremental_plan(&ctx, pipeline, &name).await?,
                false => None,
            };
            if let Some(incremental) = incremental {
                why.push_str(&match incremental.warmup {
                    Ok(warmup) if warmup.residual > 0.0 => format!(
                        "; incremental: new rows after {} rows of warm-up (earlier rows keep \
                         {:.0e} of the weight)",
                        warmup.rows, warmup.residual
                    ),
                    Ok(warmup) => format!(
                        "; incremental: new rows after {} rows of warm-up (exact)",
                        warmup.rows
                    ),
                    Err(reason) => format!("; not incremental: {reason}"),
                });
            }
            decisions.push(Decision {
                stage: name,
                run,
                why,
            });
            continue;
        }
        let inputs = stage_inputs(&ctx, pipeline, &name).await?;
        let fingerprint = fingerprint(pipeline, &name, &inputs, None);
        let last = state.completed_fingerprint(&name, WHOLE)?;
        let upstream_runs = pipeline.stages[&name]
            .depends_on
            .iter()
            .find(|d| decisions.iter().any(|x| x.stage == **d && x.run));
        let (run, why) = match (options.force, last, upstream_runs) {
            (true, _, _) => (true, "forced".to_string()),
            (_, None, _) => (true, "never completed".to_string()),
            (_, Some(_), Some(dep)) => (true, format!("stage '{dep}' runs first")),
            (_, Some(last), None) if last == fingerprint => (false, "inputs unchanged".to_string()),
            (_, Some(_), None) => (true, "inputs or SQL changed".to_string()),
        };
        decisions.push(Decision {
            stage: name,
            run,
            why,
        });
    }
    Ok(decisions)
}

async fn register_sources(ctx: &SessionContext, pipeline: &Pipeline) -> Result<()> {
    for (name, source) in &pipeline.sources {
        let mut url = pipeline.resolve(&source.url);
        if std::path::Path::new(&url).is_dir() && !url.ends_with('/') {
            url.push('/');
        }
        register_table(ctx, name, &url)
            .await
            .map_err(|e| exec_datafusion_err!("source '{name}' ({url}): {}", one_line(&e)))?;
    }
    Ok(())
}

/// Registers parquet at `url` as table `name`, hive directories as columns.
async fn register_table(ctx: &SessionContext, name: &str, url: &str) -> Result<()> {
    ctx.deregister_table(name)?;
    let sql = format!(
        "CREATE EXTERNAL TABLE \"{}\" STORED AS PARQUET LOCATION '{}'",
        name.replace('"', "\"\""),
        url.replace('\'', "''")
    );
    ctx.sql(&sql).await?.collect().await?;
    Ok(())
}

/// What an attempt writes.
#[derive(Debug, Clone)]
enum Job {
    /// The stage's whole result, written in this mode; `note` says why, for an
    /// incremental task run in full.
    Replace {
        mode: WriteMode,
        note: Option<String>,
    },
    /// The stage's rows after `after` (by `order_by`), appended; `note` says so.
    /// A failed append is retried in full, with `table` reading `full_input`.
    AppendAfter {
        order_by: String,
        after: ScalarValue,
        note: String,
        table: String,
        full_input: Box<DataFrame>,
    },
}

/// Runs one task (a whole stage, or one partition of it) with its retries; an
/// incremental task records `mark`, how far it read.
#[allow(clippy::too_many_arguments)]
async fn run_attempts(
    ctx: &SessionContext,
    pipeline: &Pipeline,
    state: &mut State,
    name: &str,
    partition: &str,
    fingerprint: &str,
    mut job: Job,
    mark: Option<Mark>,
) -> Result<Outcome> {
    let stage = &pipeline.stages[name];
    let sql = std::fs::read_to_string(pipeline.resolve(&stage.sql))
        .map_err(|e| exec_datafusion_err!("stage '{name}': cannot read its SQL: {e}"))?;
    let dest = pipeline.resolve(&stage.output);
    let attempts = 1 + pipeline.settings.retries;
    let mut last_error = String::new();
    for attempt in 1..=attempts {
        let status = match state.claim(name, partition, attempt, fingerprint)? {
            Ok(status) => status,
            Err(owner) => return Ok(Outcome::Busy(format!("running as {owner}"))),
        };
        let heartbeat = spawn_heartbeat(pipeline.state_file(), status);
        let result = write(ctx, &sql, &dest, &stage.partition_by, &job).await;
        heartbeat.abort();
        match result {
            Ok(written) => {
                match &mark {
                    Some(mark) => state.complete_at(status, written.rows, mark)?,
                    None => state.complete(status, written.rows)?,
                }
                let note = match job {
                    Job::AppendAfter { note, .. } => Some(note),
                    Job::Replace { note, .. } => note,
                };
                return Ok(Outcome::Completed {
                    rows: written.rows,
                    attempts: attempt,
                    note,
                });
            }
            Err(e) => {
                last_error = one_line(&e);
                state.fail(status, &last_error)?;
                // A failed commit may have appended to some partitions: retry in full.
                if let Job::AppendAfter {
                    table, full_input, ..
                } = &job
                {
                    ctx.deregister_table(table.as_str())?;
                    ctx.register_table(table.as_str(), (**full_input).clone().into_view())?;
                    job = Job::Replace {
                        mode: WriteMode::OverwritePartitions,
                        note: Some("in full after a failed append".into()),
                    };
                }
            }
        }
    }
    Ok(Outcome::Failed(last_error))
}

/// One attempt's write.
async fn write(
    ctx: &SessionContext,
    sql: &str,
    dest: &str,
    partition_by: &[String],
    job: &Job,
) -> Result<crate::materialize::Written> {
    let mut options = MaterializeOptions {
        partition_by: partition_by.to_vec(),
        mode: WriteMode::Append,
    };
    match job {
        Job::Replace { mode, .. } => {
            options.mode = *mode;
            materialize(ctx, sql, dest, &options).await
        }
        Job::AppendAfter {
            order_by, after, ..
        } => {
            let df = run_stage(ctx, sql).await?;
            if df.schema().field_with_unqualified_name(order_by).is_err() {
                return Err(exec_datafusion_err!(
                    "incremental.order_by '{order_by}' is not a column of the stage's result"
                ));
            }
            let column = Expr::Column(Column::new_unqualified(order_by));
            let df = df.filter(column.gt(lit(after.clone())))?;
            materialize_frame(ctx, df, dest, &options).await
        }
    }
}

/// Beats for a RUNNING attempt from its own connection until aborted, so that other
/// runs see its owner is alive however long the stage takes.
fn spawn_heartbeat(state_file: std::path::PathBuf, status: i64) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let Ok(state) = State::open(&state_file) else {
            return;
        };
        loop {
            tokio::time::sleep(super::state::HEARTBEAT_INTERVAL).await;
            if state.beat(status).is_err() {
                return;
            }
        }
    })
}

/// One input of a stage, listed: a source, or the committed output of a stage it
/// depends on.
struct Input {
    /// The table name the stage reads it by.
    table: String,
    /// `source NAME` or `after NAME`.
    heading: String,
    /// One line per committed object (see [`listing`]).
    listing: String,
}

/// Lists every input of stage `name` once; the fingerprints of the stage or of each
/// of its tasks are computed from these listings.
async fn stage_inputs(ctx: &SessionContext, pipeline: &Pipeline, name: &str) -> Result<Vec<Input>> {
    let mut inputs = vec![];
    for (source, config) in &pipeline.sources {
        inputs.push(Input {
            table: source.clone(),
            heading: format!("source {source}"),
            listing: listing(ctx, &pipeline.resolve(&config.url)).await?,
        });
    }
    // What a dependency wrote (its committed files), not what it would compute:
    // a stage run alone with `--only` must still see later changes upstream.
    for dep in &pipeline.stages[name].depends_on {
        inputs.push(Input {
            table: dep.clone(),
            heading: format!("after {dep}"),
            listing: listing(ctx, &pipeline.output_url(dep))
                .await
                .unwrap_or_default(),
        });
    }
    Ok(inputs)
}

/// A stable digest of everything a stage's (or one task's) result depends on: its
/// SQL, output settings and inputs; a task counts only its own directory of a
/// hive-partitioned `from`.
fn fingerprint(
    pipeline: &Pipeline,
    name: &str,
    inputs: &[Input],
    task: Option<(&TaskSplit, &Option<String>)>,
) -> String {
    let stage = &pipeline.stages[name];
    let mut text = std::fs::read_to_string(pipeline.resolve(&stage.sql)).unwrap_or_default();
    text.push_str(&format!(
        "\noutput={} by={:?}\n",
        stage.output, stage.partition_by
    ));
    for input in inputs {
        text.push_str(&input.heading);
        text.push('\n');
        match task {
            Some((split, value)) if split.from == input.table => {
                text.push_str(&only_partition(&input.listing, &split.by, value))
            }
            _ => text.push_str(&input.listing),
        }
    }
    format!("{:016x}", fnv1a(text.as_bytes()))
}

/// The lines of a listing inside `by=value/` directories, when the listing has such
/// directories at all (otherwise every line: any change may concern the value).
fn only_partition(listing: &str, by: &str, value: &Option<String>) -> String {
    let marker = format!("/{by}=");
    if !listing.lines().any(|l| l.contains(&marker)) {
        return listing.to_string();
    }
    let segment = format!("/{}/", directory_name(by, value));
    listing
        .lines()
        .filter(|l| l.contains(&segment))
        .map(|l| format!("{l}\n"))
        .collect()
}

/// `by=value` as the partitioned writer names the directory.
fn directory_name(by: &str, value: &Option<String>) -> String {
    partition_directory(by, value.as_deref())
        .as_ref()
        .to_string()
}

/// Runs the tasks of a split stage, `settings.parallelism` at a time, reporting each.
async fn run_split_stage(
    ctx: &SessionContext,
    pipeline: &Pipeline,
    name: &str,
    split: &TaskSplit,
    options: &RunOptions,
    report: &mut impl FnMut(Event<'_>),
) -> Result<Outcome> {
    let mut values = partition_values(ctx, &split.from, &split.by).await?;
    if let Some(only) = &options.partition {
        values.retain(|v| directory_name(&split.by, v) == *only);
        if values.is_empty() {
            return Ok(Outcome::Failed(format!(
                "no task {only} (tasks are by {})",
                split.by
            )));
        }
    }
    let inputs = &stage_inputs(ctx, pipeline, name).await?;
    let incremental = &incremental_plan(ctx, pipeline, name).await?;
    let mut tasks = futures::stream::iter(values)
        .map(|value| async move {
            let started = std::time::Instant::now();
            let label = directory_name(&split.by, &value);
            let fingerprint = fingerprint(pipeline, name, inputs, Some((split, &value)));
            let task = Task {
                split,
                value: &value,
                label: &label,
                fingerprint: &fingerprint,
                incremental: incremental.as_ref(),
            };
            let outcome = match run_task(ctx, pipeline, name, task, options.force).await {
                Ok(outcome) => outcome,
                Err(e) => Outcome::Failed(one_line(&e)),
            };
            (label, outcome, started.elapsed().as_secs_f64())
        })
        .buffer_unordered(pipeline.settings.parallelism);
    let (mut rows, mut completed, mut skipped, mut failures, mut busy) = (0, 0, 0, vec![], None);
    while let Some((label, outcome, seconds)) = tasks.next().await {
        report(Event::Finished {
            stage: &format!("{name}[{label}]"),
            outcome: &outcome,
            seconds,
        });
        match outcome {
            Outcome::Completed { rows: r, .. } => {
                rows += r;
                completed += 1;
            }
            Outcome::Skipped(_) => skipped += 1,
            Outcome::Busy(owner) => busy = Some(format!("{label}: {owner}")),
            Outcome::Failed(e) | Outcome::NotRun(e) => failures.push(format!("{label}: {e}")),
        }
    }
    Ok(if let Some(first) = failures.first() {
        Outcome::Failed(format!(
            "{} of its tasks failed, first {first}",
            failures.len()
        ))
    } else if let Some(owner) = busy {
        Outcome::Busy(owner)
    } else if completed == 0 {
        Outcome::Skipped(format!(
            "inputs of all {skipped} tasks unchanged or without new rows since they completed"
        ))
    } else {
        Outcome::Completed {
            rows,
            attempts: 1,
            note: None,
        }
    })
}

/// How the tasks of an incremental stage may run, decided once for all of them.
struct IncrementalPlan<'a> {
    config: &'a Incremental,
    /// The warm-up, or why every task is a full recompute.
    warmup: std::result::Result<Warmup, String>,
    /// Digest of the stage's definition: the SQL and every setting of its output.
    definition: String,
}

/// The incremental plan of stage `name`, if it is incremental: its query is planned
/// in a scratch session holding the run's tables (the stage's own statements may
/// create views) and its window functions' look-backs read from the plan.
async fn incremental_plan<'a>(
    parent: &SessionContext,
    pipeline: &'a Pipeline,
    name: &str,
) -> Result<Option<IncrementalPlan<'a>>> {
    let stage = &pipeline.stages[name];
    let Some(config) = &stage.incremental else {
        return Ok(None);
    };
    let sql = std::fs::read_to_string(pipeline.resolve(&stage.sql)).unwrap_or_default();
    let definition = format!(
        "{:016x}",
        fnv1a(
            format!(
                "{sql}\noutput={} by={:?} tasks={:?} incremental={:?}",
                stage.output, stage.partition_by, stage.tasks, config
            )
            .as_bytes()
        )
    );
    let scratch = session_with_tables_of(parent, pipeline).await?;
    let warmup = match run_stage(&scratch, &sql).await {
        Ok(df)
            if df
                .schema()
                .field_with_unqualified_name(&config.order_by)
                .is_err() =>
        {
            Err(format!(
                "its result has no column '{}' (incremental.order_by)",
                config.order_by
            ))
        }
        Ok(df) => stage_warmup(df.logical_plan(), config),
        Err(e) => Err(format!("its query does not plan: {}", one_line(&e))),
    };
    Ok(Some(IncrementalPlan {
        config,
        warmup,
        definition,
    }))
}

/// A new session sharing the run's tables (sources and stage outputs), rather than
/// listing and inferring them again.
async fn session_with_tables_of(
    parent: &SessionContext,
    pipeline: &Pipeline,
) -> Result<SessionContext> {
    let ctx = crate::context::session_context()?;
    for table in pipeline.sources.keys().chain(pipeline.stages.keys()) {
        if let Ok(provider) = parent.table_provider(table.as_str()).await {
            ctx.register_table(table.as_str(), provider)?;
        }
    }
    Ok(ctx)
}

/// How many of a split stage's tasks would run (new or changed inputs), of all.
async fn changed_tasks(
    ctx: &SessionContext,
    pipeline: &Pipeline,
    state: &State,
    name: &str,
    split: &TaskSplit,
) -> Result<(usize, usize)> {
    let values = partition_values(ctx, &split.from, &split.by).await?;
    let inputs = stage_inputs(ctx, pipeline, name).await?;
    let mut changed = 0;
    for value in &values {
        let label = directory_name(&split.by, value);
        let fingerprint = fingerprint(pipeline, name, &inputs, Some((split, value)));
        if state.completed_fingerprint(name, &label)?.as_deref() != Some(&fingerprint) {
            changed += 1;
        }
    }
    Ok((changed, values.len()))
}

/// The values of `by` in table `from`, NULL included.
async fn partition_values(
    ctx: &SessionContext,
    from: &str,
    by: &str,
) -> Result<Vec<Option<String>>> {
    let sql = format!(
        "SELECT DISTINCT CAST(\"{by}\" AS VARCHAR) FROM \"{from}\" ORDER BY 1",
        by = by.replace('"', "\"\""),
        from = from.replace('"', "\"\"")
    );
    let batches = ctx.sql(&sql).await?.collect().await?;
    let mut values = vec![];
    for batch in batches {
        let column = datafusion::arrow::compute::cast(
            batch.column(0),
            &datafusion::arrow::datatypes::DataType::Utf8,
        )?;
        let column = column
            .as_any()
            .downcast_ref::<datafusion::arrow::array::StringArray>()
            .ok_or_else(|| exec_datafusion_err!("partition values of '{by}' are not text"))?;
        values.extend(column.iter().map(|v| v.map(str::to_string)));
    }
    Ok(values)
}

/// One task of a split stage: its value of `split.by`, its label (`by=value`), the
/// fingerprint of its inputs and, for an incremental stage, the stage's plan.
struct Task<'a> {
    split: &'a TaskSplit,
    value: &'a Option<String>,
    label: &'a str,
    fingerprint: &'a str,
    incremental: Option<&'a IncrementalPlan<'a>>,
}

/// Runs a task in its own session where `from` holds only the task's rows (for an
/// incremental stage: up to its input's current high-water mark, and from the
/// warm-up's start when only new rows are computed).
async fn run_task(
    parent: &SessionContext,
    pipeline: &Pipeline,
    name: &str,
    task: Task<'_>,
    force: bool,
) -> Result<Outcome> {
    let Task {
        split,
        value,
        label,
        fingerprint,
        incremental,
    } = task;
    let ctx = session_with_tables_of(parent, pipeline).await?;
    let mut state = State::open(&pipeline.state_file())?;
    if !force && state.completed_fingerprint(name, label)?.as_deref() == Some(fingerprint) {
        return Ok(Outcome::Skipped(
            "inputs unchanged since it completed".into(),
        ));
    }
    let by = Expr::Column(Column::new_unqualified(&split.by));
    let input = ctx.table(quoted(&split.from).as_str()).await?;
    let input = match value {
        Some(v) => input.filter(cast(by, DataType::Utf8).eq(lit(v.as_str())))?,
        None => input.filter(by.is_null())?,
    };
    let (input, job, mark) = match incremental {
        None => {
            let mode = WriteMode::OverwritePartitions;
            (input, Job::Replace { mode, note: None }, None)
        }
        Some(plan) => {
            let last = state.last_attempt(name, label)?;
            match incremental_job(plan, split, input, last, force).await? {
                Ok(prepared) => prepared,
                Err(nothing_new) => {
                    let status = match state.claim(name, label, 1, fingerprint)? {
                        Ok(status) => status,
                        Err(owner) => return Ok(Outcome::Busy(format!("running as {owner}"))),
                    };
                    if let Some(mark) = nothing_new.mark(&plan.definition)? {
                        state.complete_at(status, 0, &mark)?;
                    }
                    return Ok(Outcome::Skipped("no new rows since it completed".into()));
                }
            }
        }
    };
    ctx.deregister_table(split.from.as_str())?;
    ctx.register_table(split.from.as_str(), input.into_view())?;
    run_attempts(
        &ctx,
        pipeline,
        &mut state,
        name,
        label,
        fingerprint,
        job,
        mark,
    )
    .await
}

/// What an incremental task reads (its input up to the high-water mark, from the
/// warm-up's start when appending), writes and records; `Err` with the input's
/// extent when nothing is newer than what the last run read.
async fn incremental_job(
    plan: &IncrementalPlan<'_>,
    split: &TaskSplit,
    input: DataFrame,
    last: Option<super::state::LastAttempt>,
    force: bool,
) -> Result<std::result::Result<(DataFrame, Job, Option<Mark>), Extent>> {
    let order_by = &plan.config.order_by;
    let forced = Err("forced".to_string());
    let warmup = if force { &forced } else { &plan.warmup };
    let run = plan_task(&input, order_by, warmup, last.as_ref(), &plan.definition).await?;
    let column = Expr::Column(Column::new_unqualified(order_by));
    let (extent, append) = match run {
        TaskRun::NothingNew { mark } => return Ok(Err(mark)),
        TaskRun::Full { reason, mark } => (mark, Err(reason)),
        TaskRun::Append {
            after,
            from,
            new_rows,
            mark,
        } => (mark, Ok((after, from, new_rows))),
    };
    // Rows that arrive while the task runs are left to the next run.
    let up_to_mark = match &extent.high_water {
        Some(high_water) => input.filter(column.clone().lt_eq(lit(high_water.clone())))?,
        None => input,
    };
    let mark = extent.mark(&plan.definition)?;
    Ok(Ok(match append {
        Ok((after, from, new_rows)) => {
            let warmup = warmup.as_ref().map(|w| w.rows).unwrap_or_default();
            let job = Job::AppendAfter {
                order_by: order_by.clone(),
                after,
                note: format!("{new_rows} new rows after a warm-up of {warmup} rows"),
                table: split.from.clone(),
                full_input: Box::new(up_to_mark.clone()),
            };
            let input = match from {
                Some(from) => up_to_mark.filter(column.gt_eq(lit(from)))?,
                None => up_to_mark,
            };
            (input, job, mark)
        }
        Err(reason) => {
            let job = Job::Replace {
                mode: WriteMode::OverwritePartitions,
                note: Some(format!("in full: {reason}")),
            };
            (up_to_mark, job, mark)
        }
    }))
}

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// One line per committed object under `url`: path, size and version.
async fn listing(ctx: &SessionContext, url: &str) -> Result<String> {
    let table = ListingTableUrl::parse(url)?;
    let store = ctx.runtime_env().object_store(table.object_store())?;
    let mut objects: Vec<_> = store.list(Some(table.prefix())).try_collect().await?;
    if objects.is_empty() {
        if let Ok(meta) = store.head(table.prefix()).await {
            objects.push(meta);
        }
    }
    objects.sort_by(|a, b| a.location.cmp(&b.location));
    Ok(objects
        .iter()
        .map(|o| {
            format!(
                "{} {} {} {}\n",
                o.location,
                o.size,
                o.e_tag.as_deref().unwrap_or(""),
                o.last_modified.timestamp_nanos_opt().unwrap_or_default()
            )
        })
        .collect())
}

/// FNV-1a: stable across builds, unlike the standard library's hasher.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}
