//! The pipeline file (TOML), checked completely before anything runs.
//!
//! ```toml
//! [settings]
//! retries = 1               # extra attempts of a failing stage
//! on_failure = "continue"   # or "fail-fast"
//!
//! [sources.bars]
//! url = "${DATA_DIR:data}/bars.parquet"
//!
//! [stages.indicators]
//! sql = "sql/indicators36.sql"
//! output = "${OUT:out}/indicators36"
//! partition_by = ["symbol"]
//! depends_on = []
//! tasks = { by = "symbol", from = "bars" }   # one task per symbol
//! incremental = { order_by = "ts" }          # new rows only, after a warm-up
//! ```
//!
//! `${VAR}` and `${VAR:default}` are replaced from the environment (as in seed 000's
//! config); a variable that is unset and has no default is an error. Paths are
//! relative to the pipeline file's directory.

use datafusion::common::{plan_datafusion_err, plan_err, Result};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pipeline {
    #[serde(default)]
    pub settings: Settings,
    #[serde(default)]
    pub sources: BTreeMap<String, Source>,
    pub stages: BTreeMap<String, Stage>,
    /// The pipeline file's directory; relative paths are resolved against it.
    #[serde(skip)]
    pub base: PathBuf,
    /// The pipeline file.
    #[serde(skip)]
    pub file: PathBuf,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Extra attempts of a failing stage.
    #[serde(default)]
    pub retries: u32,
    /// Tasks of one stage run at once.
    #[serde(default = "one")]
    pub parallelism: usize,
    #[serde(default)]
    pub on_failure: OnFailure,
    /// The SQLite state file; default `<pipeline file>.state.sqlite` beside it.
    pub state: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            retries: 0,
            parallelism: 1,
            on_failure: OnFailure::Continue,
            state: None,
        }
    }
}

fn one() -> usize {
    1
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OnFailure {
    /// Stop at the first failed stage.
    FailFast,
    /// Run every stage that does not depend on a failed one.
    #[default]
    Continue,
}

/// A table the stages read by name.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// A parquet file or directory: local path or s3:// / r2:// URL.
    pub url: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stage {
    /// The stage's SQL file (its last statement a query).
    pub sql: String,
    /// Where its result is materialised; later stages read it by the stage's name.
    pub output: String,
    #[serde(default)]
    pub partition_by: Vec<String>,
    #[serde(default)]
    pub depends_on: Vec<String>,
    /// One task per value of a column: `tasks = { by = "symbol", from = "bars" }`.
    pub tasks: Option<TaskSplit>,
    /// Compute only new rows of each task: `incremental = { order_by = "ts" }`.
    pub incremental: Option<Incremental>,
}

/// Lets a split stage compute only the rows of its tasks' input that are newer (by
/// `order_by`) than what it has written, after recomputing as many earlier rows as
/// its window functions look back (the warm-up), and append them.
///
/// Finite look-backs (`sma(x, 20)`: 20 rows) give exactly a full recompute's values.
/// Recursions (EMA, Wilder's RSI/ATR/ADX, MACD) keep a decaying weight of every
/// earlier row; the warm-up is made long enough that the rows before it keep at
/// most `tolerance` of the weight (the difference from a full recompute is at most
/// `tolerance` times the range of the inputs), or is `warmup` rows when given
/// (refused if that leaves more than `tolerance`). Functions that need the whole
/// partition (cumulative sums, drawdown from the start, filters that look ahead)
/// make every run a full recompute of the task, as do changed SQL and a failed or
/// killed last attempt. Rows whose `order_by` is NULL are left out.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Incremental {
    /// The column new rows are later in: the ORDER BY of the stage's windows.
    pub order_by: String,
    /// Rows of warm-up for recursions, instead of the length `tolerance` implies.
    pub warmup: Option<usize>,
    #[serde(default = "default_tolerance")]
    pub tolerance: f64,
}

fn default_tolerance() -> f64 {
    1e-12
}

/// Splits a stage into one task per value of `by` in table `from` (a source or a
/// stage it depends on). Each task reads `from` filtered to its value and replaces
/// only its own output partitions, so a change in one symbol's input reruns one task.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskSplit {
    pub by: String,
    pub from: String,
}

impl Pipeline {
    /// Reads, substitutes and checks a pipeline file.
    pub fn load(file: &Path) -> Result<Pipeline> {
        let text = std::fs::read_to_string(file).map_err(|e| {
            plan_datafusion_err!("cannot read pipeline file '{}': {e}", file.display())
        })?;
        let text = substitute(&text, |name| std::env::var(name).ok())
            .map_err(|e| plan_datafusion_err!("{}: {e}", file.display()))?;
        let mut pipeline: Pipeline = toml::from_str(&text)
            .map_err(|e| plan_datafusion_err!("{}: {}", file.display(), e.to_string().trim()))?;
        pipeline.file = file.to_path_buf();
        pipeline.base = file
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        pipeline.check()?;
        Ok(pipeline)
    }

    /// A path or URL of the file, made absolute when it is a relative path.
    pub fn resolve(&self, path: &str) -> String {
        if path.contains("://") || Path::new(path).is_absolute() {
            path.to_string()
        } else {
            let joined =
                std::path::absolute(self.base.join(path)).unwrap_or_else(|_| self.base.join(path));
            crate::storage::location::normalize(&joined)
                .display()
                .to_string()
        }
    }

    /// Where stage `name` writes, as a directory URL (with its trailing `/`).
    pub fn output_url(&self, name: &str) -> String {
        let output = self.resolve(&self.stages[name].output);
        format!("{}/", output.trim_end_matches('/'))
    }

    /// The SQLite state file: `settings.state` (a path, relative to the pipeline
    /// file, or a `file://` URL), else `<pipeline file>.state.sqlite` beside it.
    pub fn state_file(&self) -> PathBuf {
        match &self.settings.state {
            Some(url) if url.starts_with("file://") => PathBuf::from(&url["file://".len()..]),
            Some(path) => PathBuf::from(self.resolve(path)),
            None => {
                let mut name = self.file.file_name().unwrap_or_default().to_os_string();
                name.push(".state.sqlite");
                self.file.with_file_name(name)
            }
        }
    }

    /// Stage names in an order where each comes after its dependencies.
    pub fn order(&self) -> Result<Vec<String>> {
        let mut order = vec![];
        let mut done = BTreeSet::new();
        let mut visiting = vec![];
        for name in self.stages.keys() {
            self.visit(name, &mut done, &mut visiting, &mut order)?;
        }
        Ok(order)
    }

    fn visit(
        &self,
        name: &str,
        done: &mut BTreeSet<String>,
        visiting: &mut Vec<String>,
        order: &mut Vec<String>,
    ) -> Result<()> {
        if done.contains(name) {
            return Ok(());
        }
        if let Some(start) = visiting.iter().position(|v| v == name) {
            let mut cycle = visiting[start..].to_vec();
            cycle.push(name.to_string());
            return plan_err!(
                "stages depend on each other in a cycle: {}",
                cycle.join(" -> ")
            );
        }
        visiting.push(name.to_string());
        for dep in &self.stages[name].depends_on {
            self.visit(dep, done, visiting, order)?;
        }
        visiting.pop();
        done.insert(name.to_string());
        order.push(name.to_string());
        Ok(())
    }

    fn check(&self) -> Result<()> {
        if self.settings.parallelism == 0 {
            return plan_err!("settings.parallelism must be at least 1");
        }
        if let Some(state) = &self.settings.state {
            if state.contains("://") && !state.starts_with("file://") {
                return plan_err!(
                    "settings.state = '{state}': the state is an SQLite file, which needs a \
                     local or mounted filesystem (file locks); give a path or a file:// URL"
                );
            }
        }
        if self.stages.is_empty() {
            return plan_err!("{}: the pipeline has no [stages.NAME]", self.file.display());
        }
        for (name, stage) in &self.stages {
            if self.sources.contains_key(name) {
                return plan_err!("'{name}' is both a source and a stage");
            }
            let sql = self.resolve(&stage.sql);
            if !Path::new(&sql).is_file() {
                return plan_err!("stage '{name}': SQL file '{sql}' not found");
            }
            for dep in &stage.depends_on {
                if !self.stages.contains_key(dep) {
                    return plan_err!("stage '{name}' depends on '{dep}', which is not a stage");
                }
            }
            if let Some(split) = &stage.tasks {
                if !stage.partition_by.contains(&split.by) {
                    return plan_err!(
                        "stage '{name}': tasks.by = '{}' must be one of its partition_by columns",
                        split.by
                    );
                }
                if !self.sources.contains_key(&split.from)
                    && !stage.depends_on.contains(&split.from)
                {
                    return plan_err!(
                        "stage '{name}': tasks.from = '{}' is neither a source nor a stage it depends on",
                        split.from
                    );
                }
            }
            if let Some(incremental) = &stage.incremental {
                if stage.tasks.is_none() {
                    return plan_err!(
                        "stage '{name}': incremental needs tasks = {{ by, from }} (new rows are \
                         found per task)"
                    );
                }
                if incremental.order_by.is_empty() {
                    return plan_err!("stage '{name}': incremental.order_by is empty");
                }
                if !(incremental.tolerance > 0.0 && incremental.tolerance < 1.0) {
                    return plan_err!(
                        "stage '{name}': incremental.tolerance must be between 0 and 1, got {}",
                        incremental.tolerance
                    );
                }
            }
        }
        self.order().map(|_| ())
    }
}

/// Replaces `${VAR}` and `${VAR:default}` using `lookup`.
pub fn substitute(text: &str, lookup: impl Fn(&str) -> Option<String>) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            let line = text[..text.len() - rest.len() + start]
                .lines()
                .count()
                .max(1);
            return Err(format!("line {line}: '${{' without a closing '}}'"));
        };
        let (name, default) = match after[..end].split_once(':') {
            Some((name, default)) => (name, Some(default)),
            None => (&after[..end], None),
        };
        match (lookup(name), default) {
            (Some(value), _) => out.push_str(&value),
            (None, Some(default)) => out.push_str(default),
            (None, None) => {
                let line = text[..text.len() - rest.len() + start]
                    .lines()
                    .count()
                    .max(1);
                return Err(format!(
                    "line {line}: variable '{name}' is not set and has no default (write ${{{name}:default}})"
                ));
            }
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_state_file_is_a_path_or_a_file_url() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.sql"), "SELECT 1 AS x").unwrap();
        let load = |state: &str| {
            let file = dir.path().join("p.toml");
            std::fs::write(
                &file,
                format!("[settings]\nstate = \"{state}\"\n[stages.a]\nsql = \"a.sql\"\noutput = \"out\"\n"),
            )
            .unwrap();
            Pipeline::load(&file)
        };
        let p = load("file:///var/lib/qf/state.sqlite").unwrap();
        assert_eq!(p.state_file(), PathBuf::from("/var/lib/qf/state.sqlite"));
        let p = load("state/p.sqlite").unwrap();
        assert!(p.state_file().ends_with("state/p.sqlite") && p.state_file().is_absolute());
        let err = load("s3://bucket/state.sqlite").unwrap_err().to_string();
        assert!(err.contains("needs a local or mounted filesystem"), "{err}");
    }

    #[test]
    fn variables_with_and_without_defaults() {
        let env = |name: &str| (name == "BUCKET").then(|| "quotes".to_string());
        assert_eq!(
            substitute("url = \"s3://${BUCKET}/${PREFIX:m1}\"", env).unwrap(),
            "url = \"s3://quotes/m1\""
        );
        assert_eq!(substitute("${EMPTY:}x", env).unwrap(), "x");
        let err = substitute("a\nb = \"${MISSING}\"", env).unwrap_err();
        assert!(err.contains("line 2") && err.contains("'MISSING'"), "{err}");
        assert!(substitute("${OPEN", env).is_err());
    }
}
