//! `quantfusion run` and `plan`: each stage, in dependency order, is materialised
//! unless its inputs are unchanged since it last completed.
//!
//! A stage's fingerprint covers its SQL text, output settings, and the listing
//! (path, size, e-tag or modification time) of every source and of the committed
//! output of each stage it depends on; a stage whose last completed attempt had the same
//! fingerprint is skipped. Sources and earlier stages' outputs are tables named after
//! them. Each stage is written with the atomic `overwrite` of [`crate::materialize`].

use super::config::{OnFailure, Pipeline, TaskSplit};
use super::state::State;
use crate::errors::one_line;
use crate::materialize::{materialize, MaterializeOptions};
use crate::partitioned_writer::partition_directory;
use crate::publish::WriteMode;
use datafusion::common::{exec_datafusion_err, Result};
use datafusion::datasource::listing::ListingTableUrl;
use datafusion::prelude::SessionContext;
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
            Outcome::Completed { rows, attempts } => {
                write!(f, "completed: {rows} rows")?;
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
                                WriteMode::Overwrite,
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
            let (changed, total) = changed_tasks(&ctx, pipeline, &state, &name, split).await?;
            let run = options.force || changed > 0;
            let why = if options.force {
                format!("forced ({total} tasks)")
            } else {
                format!("{changed} of {total} tasks new or changed")
            };
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

/// Runs one task (a whole stage, or one partition of it) with its retries.
async fn run_attempts(
    ctx: &SessionContext,
    pipeline: &Pipeline,
    state: &mut State,
    name: &str,
    partition: &str,
    fingerprint: &str,
    mode: WriteMode,
) -> Result<Outcome> {
    let stage = &pipeline.stages[name];
    let sql = std::fs::read_to_string(pipeline.resolve(&stage.sql))
        .map_err(|e| exec_datafusion_err!("stage '{name}': cannot read its SQL: {e}"))?;
    let options = MaterializeOptions {
        partition_by: stage.partition_by.clone(),
        mode,
    };
    let attempts = 1 + pipeline.settings.retries;
    let mut last_error = String::new();
    for attempt in 1..=attempts {
        let status = match state.claim(name, partition, attempt, fingerprint)? {
            Ok(status) => status,
            Err(owner) => return Ok(Outcome::Busy(format!("running as {owner}"))),
        };
        let heartbeat = spawn_heartbeat(pipeline.state_file(), status);
        let result = materialize(ctx, &sql, &pipeline.resolve(&stage.output), &options).await;
        heartbeat.abort();
        match result {
            Ok(written) => {
                state.complete(status, written.rows)?;
                return Ok(Outcome::Completed {
                    rows: written.rows,
                    attempts: attempt,
                });
            }
            Err(e) => {
                last_error = one_line(&e);
                state.fail(status, &last_error)?;
            }
        }
    }
    Ok(Outcome::Failed(last_error))
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
            "inputs of all {skipped} tasks unchanged since they completed"
        ))
    } else {
        Outcome::Completed { rows, attempts: 1 }
    })
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

/// One task of a split stage: its value of `split.by`, its label (`by=value`) and the
/// fingerprint of its inputs.
struct Task<'a> {
    split: &'a TaskSplit,
    value: &'a Option<String>,
    label: &'a str,
    fingerprint: &'a str,
}

/// Runs a task in its own session where `from` holds only the task's value.
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
    } = task;
    // The run's tables, shared rather than listed and inferred again per task.
    let ctx = crate::context::session_context()?;
    for table in pipeline.sources.keys().chain(pipeline.stages.keys()) {
        if let Ok(provider) = parent.table_provider(table.as_str()).await {
            ctx.register_table(table.as_str(), provider)?;
        }
    }
    let mut state = State::open(&pipeline.state_file())?;
    if !force && state.completed_fingerprint(name, label)?.as_deref() == Some(fingerprint) {
        return Ok(Outcome::Skipped(
            "inputs unchanged since it completed".into(),
        ));
    }
    let quoted = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let all = format!("__all_{}", split.from);
    let full = ctx.table(quoted(&split.from).as_str()).await?;
    ctx.deregister_table(split.from.as_str())?;
    ctx.register_table(all.as_str(), full.into_view())?;
    let filter = match value {
        Some(v) => format!(
            "CAST({} AS VARCHAR) = '{}'",
            quoted(&split.by),
            v.replace('\'', "''")
        ),
        None => format!("{} IS NULL", quoted(&split.by)),
    };
    ctx.sql(&format!(
        "CREATE VIEW {} AS SELECT * FROM {} WHERE {filter}",
        quoted(&split.from),
        quoted(&all)
    ))
    .await?;
    run_attempts(
        &ctx,
        pipeline,
        &mut state,
        name,
        label,
        fingerprint,
        WriteMode::OverwritePartitions,
    )
    .await
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
