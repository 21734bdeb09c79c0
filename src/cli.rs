//! The `quantfusion` command line: an interactive SQL shell (datafusion-cli's, with
//! every quantfusion function registered), non-interactive `-c` / `-f`, the function
//! catalogue and stage materialisation.

use crate::catalog::functions_batch;
use crate::context::{engine, Engine};
use crate::materialize::{materialize, MaterializeOptions};
use crate::pipeline::runner::{self, Outcome, RunOptions};
use crate::pipeline::state::State;
use crate::pipeline::Pipeline;
use crate::publish::WriteMode;
use clap::{Parser, Subcommand, ValueEnum};
use datafusion::arrow::util::pretty::pretty_format_batches;
use datafusion::common::{exec_datafusion_err, Result};
use datafusion::prelude::ParquetReadOptions;
use datafusion_cli::exec;
use datafusion_cli::print_format::PrintFormat;
use datafusion_cli::print_options::{MaxRows, PrintOptions};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "quantfusion",
    version,
    about = "Financial feature engineering as SQL.\n\nWith no arguments: an interactive SQL shell \
             (\\? for help, \\q to quit, SHOW FUNCTIONS LIKE 'ema' for a function's documentation)."
)]
pub struct Args {
    /// Run the given SQL statement(s), then exit. Stops at the first error.
    #[arg(short = 'c', long = "command", num_args = 1..)]
    pub command: Vec<String>,

    /// Run the SQL statements in the given file(s), then exit. Stops at the first error.
    #[arg(short = 'f', long = "file", num_args = 1..)]
    pub file: Vec<PathBuf>,

    /// Output format of query results.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,

    /// Most rows to print in table format (a number, or 'inf').
    #[arg(long, default_value = "40")]
    pub maxrows: MaxRows,

    /// Print only results (no timing lines or banners).
    #[arg(short, long)]
    pub quiet: bool,

    /// Where quantfusion functions run: auto, cpu or gpu (as `SET quantfusion.device`
    /// and QUANTFUSION_DEVICE).
    #[arg(long, global = true)]
    pub device: Option<String>,

    #[command(subcommand)]
    pub subcommand: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List every quantfusion function with its documentation.
    Functions {
        /// Only functions whose name contains this text.
        filter: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = CatalogFormat::Table)]
        format: CatalogFormat,
    },
    /// Run a feature stage (SQL file; the last statement a query) and write its
    /// result as partitioned parquet, published atomically per partition when complete.
    Materialize {
        /// The stage's SQL file.
        #[arg(long)]
        sql: PathBuf,
        /// Destination: a local directory, s3://BUCKET/PREFIX or r2://BUCKET/PREFIX.
        #[arg(long)]
        to: String,
        /// Partition columns, comma-separated (e.g. symbol or pair,year_month).
        #[arg(long, value_delimiter = ',')]
        partition_by: Vec<String>,
        /// Register a parquet file or directory as a table the stage reads
        /// (NAME=PATH, repeatable).
        #[arg(long = "table", value_parser = parse_table)]
        tables: Vec<(String, String)>,
        /// What happens to data already at the destination.
        #[arg(long, value_enum, default_value_t = Mode::Overwrite)]
        mode: Mode,
    },
    /// What NVIDIA GPU this machine offers: driver, devices, memory, compute
    /// capability, NVRTC.
    Device {
        #[arg(long, value_enum, default_value_t = CatalogFormat::Table)]
        format: CatalogFormat,
    },
    /// Run a pipeline's stages in dependency order, skipping those whose inputs are
    /// unchanged since they completed. Exits non-zero unless every stage completed or
    /// was skipped.
    Run(PipelineArgs),
    /// Say what `run` would do and why, without running anything.
    Plan(PipelineArgs),
    /// The pipeline's task table: each stage's latest attempt.
    Status {
        /// The pipeline file (TOML).
        pipeline: PathBuf,
        #[arg(long, value_enum, default_value_t = CatalogFormat::Table)]
        format: CatalogFormat,
    },
}

/// Options shared by `run` and `plan`.
#[derive(Debug, clap::Args)]
pub struct PipelineArgs {
    /// The pipeline file (TOML).
    pub pipeline: PathBuf,
    /// Only this stage (the outputs of the stages it depends on are read as they are).
    #[arg(long)]
    pub only: Option<String>,
    /// Run stages even when their inputs are unchanged.
    #[arg(long)]
    pub force: bool,
    /// Only the task of one partition of split stages (e.g. pair=EURUSD).
    #[arg(long)]
    pub partition: Option<String>,
    /// How `run` reports: plain lines (with a progress bar on a terminal) or one JSON
    /// object per line.
    #[arg(long, value_enum, default_value_t = LogFormat::Plain)]
    pub log_format: LogFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Plain,
    Json,
}

/// Write modes of `materialize` (see [`WriteMode`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Mode {
    /// Replace the destination: partitions not written by this run are removed.
    Overwrite,
    /// Replace only the partitions this run writes.
    OverwritePartitions,
    /// Add this run's files to the partitions.
    Append,
    /// Fail if the destination already holds data.
    ErrorIfExists,
}

impl From<Mode> for WriteMode {
    fn from(m: Mode) -> Self {
        match m {
            Mode::Overwrite => WriteMode::Overwrite,
            Mode::OverwritePartitions => WriteMode::OverwritePartitions,
            Mode::Append => WriteMode::Append,
            Mode::ErrorIfExists => WriteMode::ErrorIfExists,
        }
    }
}

/// Formats for query results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Table,
    Csv,
    Tsv,
    Json,
    Ndjson,
}

impl From<OutputFormat> for PrintFormat {
    fn from(f: OutputFormat) -> Self {
        match f {
            OutputFormat::Table => PrintFormat::Table,
            OutputFormat::Csv => PrintFormat::Csv,
            OutputFormat::Tsv => PrintFormat::Tsv,
            OutputFormat::Json => PrintFormat::Json,
            OutputFormat::Ndjson => PrintFormat::NdJson,
        }
    }
}

/// Formats for the function catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CatalogFormat {
    Table,
    Json,
}

/// Runs the command line. Errors are returned to `main`, which prints them on one line.
pub async fn run(args: Args) -> Result<()> {
    match args.subcommand {
        Some(Command::Functions { filter, format }) => print_functions(filter.as_deref(), format),
        Some(Command::Materialize {
            sql,
            to,
            partition_by,
            tables,
            mode,
        }) => {
            let text = read_file(&sql)?;
            let Engine { ctx, .. } = engine()?;
            for (name, path) in &tables {
                ctx.register_parquet(name, path, ParquetReadOptions::default())
                    .await?;
            }
            let options = MaterializeOptions {
                partition_by,
                mode: mode.into(),
            };
            let written = materialize(&ctx, &text, &to, &options).await?;
            println!(
                "wrote {} rows to {} ({} partitions, {} files, {:.1} MB)",
                written.rows,
                written.location,
                written.partitions,
                written.files,
                written.bytes as f64 / 1e6
            );
            Ok(())
        }
        Some(Command::Device { format }) => {
            let report = crate::device::probe();
            match format {
                CatalogFormat::Table => print!("{report}"),
                CatalogFormat::Json => println!(
                    "{}",
                    serde_json::to_string(&report).map_err(|e| exec_datafusion_err!("{e}"))?
                ),
            }
            Ok(())
        }
        Some(Command::Run(a)) => run_pipeline(&a).await,
        Some(Command::Plan(a)) => {
            let pipeline = Pipeline::load(&a.pipeline)?;
            for d in runner::plan(&pipeline, &run_options(&a)).await? {
                let verb = if d.run { "run " } else { "skip" };
                println!("{verb} {}: {}", d.stage, d.why);
            }
            Ok(())
        }
        Some(Command::Status { pipeline, format }) => {
            let pipeline = Pipeline::load(&pipeline)?;
            print_status(&pipeline, format)
        }
        None => run_sql(args).await,
    }
}

async fn run_sql(args: Args) -> Result<()> {
    let Engine { ctx, object_stores } = engine()?;
    let interactive = args.command.is_empty() && args.file.is_empty();
    let mut print_options = PrintOptions {
        format: if interactive {
            PrintFormat::Automatic
        } else {
            args.format.into()
        },
        // Timing lines are for people at a prompt, not for scripts reading results.
        quiet: args.quiet || !interactive,
        // `--maxrows` shortens a table a person reads; a CSV or JSON result written
        // for a program is always whole (the shell would otherwise stop collecting
        // rows after the limit, silently).
        maxrows: if interactive || args.format == OutputFormat::Table {
            args.maxrows
        } else {
            MaxRows::Unlimited
        },
        color: false,
        instrumented_registry: object_stores,
    };
    if interactive {
        if !args.quiet {
            println!(
                "quantfusion {} (DataFusion {}) — \\? for help, \\q to quit",
                env!("CARGO_PKG_VERSION"),
                datafusion::DATAFUSION_VERSION
            );
        }
        return exec::exec_from_repl(&ctx, &mut print_options)
            .await
            .map_err(|e| exec_datafusion_err!("shell: {e}"));
    }
    for file in &args.file {
        let sql = read_file(file)?;
        exec::exec_from_commands(&ctx, vec![sql], &print_options).await?;
    }
    if !args.command.is_empty() {
        exec::exec_from_commands(&ctx, args.command, &print_options).await?;
    }
    Ok(())
}

/// `NAME=PATH` of `--table`.
fn parse_table(arg: &str) -> std::result::Result<(String, String), String> {
    match arg.split_once('=') {
        Some((name, path)) if !name.is_empty() && !path.is_empty() => {
            Ok((name.to_string(), path.to_string()))
        }
        _ => Err(format!("expected NAME=PATH, got '{arg}'")),
    }
}

fn read_file(path: &PathBuf) -> Result<String> {
    std::fs::read_to_string(path)
        .map_err(|e| exec_datafusion_err!("cannot read SQL file '{}': {e}", path.display()))
}

fn print_functions(filter: Option<&str>, format: CatalogFormat) -> Result<()> {
    let batch = functions_batch(filter)?;
    match format {
        CatalogFormat::Table => println!("{}", pretty_format_batches(&[batch])?),
        CatalogFormat::Json => {
            let mut writer = datafusion::arrow::json::ArrayWriter::new(Vec::new());
            writer.write(&batch)?;
            writer.finish()?;
            println!("{}", String::from_utf8_lossy(&writer.into_inner()));
        }
    }
    Ok(())
}

fn run_options(a: &PipelineArgs) -> RunOptions {
    RunOptions {
        only: a.only.clone(),
        force: a.force,
        partition: a.partition.clone(),
    }
}

async fn run_pipeline(a: &PipelineArgs) -> Result<()> {
    let pipeline = Pipeline::load(&a.pipeline)?;
    if let Some(only) = &a.only {
        if !pipeline.stages.contains_key(only) {
            return datafusion::common::plan_err!("--only {only}: no such stage");
        }
    }
    let started = std::time::Instant::now();
    let mut reporter = Reporter::new(a.log_format);
    let outcomes = runner::run(&pipeline, &run_options(a), |event| reporter.report(event)).await?;
    reporter.done();
    let failed = outcomes
        .iter()
        .filter(|(_, o)| matches!(o, Outcome::Failed(_) | Outcome::NotRun(_)))
        .count();
    println!(
        "{} stages: {} completed, {} skipped, {} left to another run, {failed} failed or not run ({:.1} s)",
        outcomes.len(),
        outcomes
            .iter()
            .filter(|(_, o)| matches!(o, Outcome::Completed { .. }))
            .count(),
        outcomes
            .iter()
            .filter(|(_, o)| matches!(o, Outcome::Skipped(_)))
            .count(),
        outcomes
            .iter()
            .filter(|(_, o)| matches!(o, Outcome::Busy(_)))
            .count(),
        started.elapsed().as_secs_f64()
    );
    if failed > 0 {
        return datafusion::common::exec_err!(
            "{failed} of {} stages did not complete",
            outcomes.len()
        );
    }
    Ok(())
}

fn print_status(pipeline: &Pipeline, format: CatalogFormat) -> Result<()> {
    let tasks = State::open(&pipeline.state_file())?.latest()?;
    let mut counts = std::collections::BTreeMap::new();
    for t in &tasks {
        let key = if t.stuck { "STUCK" } else { t.status.as_str() };
        *counts.entry(key).or_insert(0usize) += 1;
    }
    match format {
        CatalogFormat::Json => {
            let rows: Vec<serde_json::Value> = tasks
                .iter()
                .map(|t| {
                    serde_json::json!({
                        "stage": t.stage, "partition": t.partition, "status": t.status,
                        "stuck": t.stuck, "attempt": t.attempt, "start_time": t.start_time,
                        "end_time": t.end_time, "seconds": t.seconds, "hostname": t.hostname,
                        "rows": t.rows, "error": t.error,
                    })
                })
                .collect();
            println!("{}", serde_json::json!({ "counts": counts, "tasks": rows }));
        }
        CatalogFormat::Table => {
            let summary: Vec<String> = counts.iter().map(|(k, n)| format!("{n} {k}")).collect();
            println!("{} tasks: {}", tasks.len(), summary.join(", "));
            println!(
                "{:<20} {:<22} {:<10} {:>7} {:>10} {:>9}  error",
                "stage", "partition", "status", "attempt", "rows", "seconds"
            );
            for t in &tasks {
                let status = if t.stuck { "STUCK" } else { t.status.as_str() };
                println!(
                    "{:<20} {:<22} {:<10} {:>7} {:>10} {:>9}  {}",
                    t.stage,
                    t.partition,
                    status,
                    t.attempt,
                    t.rows.map(|r| r.to_string()).unwrap_or_default(),
                    t.seconds.map(|s| format!("{s:.2}")).unwrap_or_default(),
                    t.error.clone().unwrap_or_default()
                );
            }
        }
    }
    Ok(())
}

/// Reports a run: JSON lines, or plain lines with a progress bar (stages done, ETA)
/// when standard output is a terminal.
struct Reporter {
    format: LogFormat,
    bar: Option<indicatif::ProgressBar>,
    rows: u64,
    started: std::time::Instant,
}

impl Reporter {
    fn new(format: LogFormat) -> Self {
        use std::io::IsTerminal;
        let bar = (format == LogFormat::Plain && std::io::stdout().is_terminal()).then(|| {
            let bar = indicatif::ProgressBar::new(0);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{bar:30} {pos}/{len} stages  {elapsed_precise} elapsed, ETA {eta}  {msg}",
                )
                .expect("a valid template"),
            );
            bar
        });
        Reporter {
            format,
            bar,
            rows: 0,
            started: std::time::Instant::now(),
        }
    }

    fn report(&mut self, event: runner::Event<'_>) {
        match (event, self.format) {
            (runner::Event::Started { stage, total }, _) => {
                if let Some(bar) = &self.bar {
                    bar.set_length(total as u64);
                    bar.set_message(format!("running {stage}"));
                }
            }
            (
                runner::Event::Finished {
                    stage,
                    outcome,
                    seconds,
                },
                LogFormat::Plain,
            ) => {
                let line = format!("{stage}: {outcome} ({seconds:.1} s)");
                // Split stages report their tasks, then the stage with the tasks' total.
                if let (Outcome::Completed { rows, .. }, false) = (outcome, stage.contains('[')) {
                    self.rows += rows;
                }
                let rate = self.rows as f64 / self.started.elapsed().as_secs_f64().max(1e-9);
                match &self.bar {
                    Some(bar) => {
                        bar.println(line);
                        // Tasks of a split stage are named `stage[key=value]`.
                        if !stage.contains('[') {
                            bar.inc(1);
                        }
                        bar.set_message(format!("{} rows written, {rate:.0} rows/s", self.rows));
                    }
                    None => println!("{line}"),
                }
            }
            (
                runner::Event::Finished {
                    stage,
                    outcome,
                    seconds,
                },
                LogFormat::Json,
            ) => {
                let (status, rows, detail) = match outcome {
                    Outcome::Completed { rows, .. } => ("completed", Some(*rows), None),
                    Outcome::Skipped(why) => ("skipped", None, Some(why.as_str())),
                    Outcome::Failed(e) => ("failed", None, Some(e.as_str())),
                    Outcome::NotRun(why) => ("not_run", None, Some(why.as_str())),
                    Outcome::Busy(who) => ("busy", None, Some(who.as_str())),
                };
                let rows_per_s = rows.map(|r| r as f64 / seconds.max(1e-9));
                println!(
                    "{}",
                    serde_json::json!({
                        "stage": stage, "status": status, "rows": rows, "seconds": seconds,
                        "rows_per_s": rows_per_s, "detail": detail,
                    })
                );
            }
        }
    }

    fn done(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
