//! `quantfusion run` and `plan`: each stage, in dependency order, is materialised
//! unless its inputs are unchanged since it last completed.
//!
//! A stage's fingerprint covers its SQL text, output settings, and the listing
//! (path, size, e-tag or modification time) of every source and of the committed
//! output of each stage it depends on; a stage whose last completed attempt had the same
//! fingerprint is skipped. Sources and earlier stages' outputs are tables named after
//! them. Each stage is written with the atomic `overwrite` of [`crate::materialize`].

use super::config::{OnFailure, Pipeline};
use super::state::State;
use crate::errors::one_line;
use crate::materialize::{materialize, MaterializeOptions};
use crate::publish::WriteMode;
use datafusion::common::{exec_datafusion_err, Result};
use datafusion::datasource::listing::ListingTableUrl;
use datafusion::prelude::SessionContext;
use futures::TryStreamExt;
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
    /// A selected stage is considered (`index` of `total`, from 0).
    Started {
        stage: &'a str,
        index: usize,
        total: usize,
    },
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
                index: outcomes.len(),
                total,
            });
        }
        let blocked = stage.depends_on.iter().find(|d| {
            outcomes
                .iter()
                .any(|(s, o)| s == *d && matches!(o, Outcome::Failed(_) | Outcome::NotRun(_)))
        });
        let busy = stage.depends_on.iter().find(|d| {
            outcomes
                .iter()
                .any(|(s, o)| s == *d && matches!(o, Outcome::Busy(_)))
        });
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
            let fingerprint = fingerprint(&ctx, pipeline, &name).await?;
            let unchanged =
                state.completed_fingerprint(&name, WHOLE)?.as_deref() == Some(&fingerprint);
            if unchanged && !options.force {
                Some(Outcome::Skipped(
                    "inputs unchanged since it completed".into(),
                ))
            } else {
                Some(run_stage(&ctx, pipeline, &mut state, &name, &fingerprint).await?)
            }
        };
        // Later stages read this one's output by its name (absent if it never ran).
        let output = format!("{}/", pipeline.resolve(&stage.output).trim_end_matches('/'));
        let _ = register_table(&ctx, &name, &output).await;
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
    let mut decisions: Vec<Decision> = vec![];
    for name in pipeline.order()? {
        if options.only.as_ref().is_some_and(|only| *only != name) {
            continue;
        }
        let fingerprint = fingerprint(&ctx, pipeline, &name).await?;
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

async fn run_stage(
    ctx: &SessionContext,
    pipeline: &Pipeline,
    state: &mut State,
    name: &str,
    fingerprint: &str,
) -> Result<Outcome> {
    let stage = &pipeline.stages[name];
    let sql = std::fs::read_to_string(pipeline.resolve(&stage.sql))
        .map_err(|e| exec_datafusion_err!("stage '{name}': cannot read its SQL: {e}"))?;
    let options = MaterializeOptions {
        partition_by: stage.partition_by.clone(),
        mode: WriteMode::Overwrite,
    };
    let attempts = 1 + pipeline.settings.retries;
    let mut last_error = String::new();
    for attempt in 1..=attempts {
        let status = match state.claim(name, WHOLE, attempt, fingerprint)? {
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

/// A stable digest of everything a stage's result depends on.
async fn fingerprint(ctx: &SessionContext, pipeline: &Pipeline, name: &str) -> Result<String> {
    let stage = &pipeline.stages[name];
    let mut text = String::new();
    let sql_path = pipeline.resolve(&stage.sql);
    text.push_str(&std::fs::read_to_string(&sql_path).unwrap_or_default());
    text.push_str(&format!(
        "\noutput={} by={:?}\n",
        stage.output, stage.partition_by
    ));
    for (source, config) in &pipeline.sources {
        text.push_str(&format!("source {source}\n"));
        text.push_str(&listing(ctx, &pipeline.resolve(&config.url)).await?);
    }
    // What a dependency wrote (its committed files), not what it would compute:
    // a stage run alone with `--only` must still see later changes upstream.
    for dep in &stage.depends_on {
        let output = pipeline.resolve(&pipeline.stages[dep].output);
        let output = format!("{}/", output.trim_end_matches('/'));
        text.push_str(&format!("after {dep}\n"));
        text.push_str(&listing(ctx, &output).await.unwrap_or_default());
    }
    Ok(format!("{:016x}", fnv1a(text.as_bytes())))
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
