//! Commits written files: each partition directory's manifest is replaced in one
//! PUT, then what it no longer lists is deleted.
//!
//! Modes: `overwrite` replaces the destination (partitions this run did not write
//! are removed), `overwrite-partitions` replaces only the partitions written,
//! `append` adds files to them, `error-if-exists` refuses a destination that
//! already holds committed data. Rerunning a killed `overwrite` converges: files of
//! the killed run were never listed and are deleted by the next commit.

use crate::partitioned_writer::WrittenFile;
use crate::storage::committed::{visible, ManifestCache};
use crate::storage::manifest::{
    is_data_file, manifest_path, parent, read_manifest, write_manifest, Manifest, ManifestFile,
    MANIFEST, SUCCESS,
};
use datafusion::common::{plan_datafusion_err, plan_err, Result};
use futures::{stream, StreamExt, TryStreamExt};
use object_store::path::Path;
use object_store::{ObjectMeta, ObjectStore, ObjectStoreExt, PutPayload};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

/// Partition directories committed at once.
const COMMITS_IN_FLIGHT: usize = 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum WriteMode {
    /// The destination ends up holding exactly this run's partitions.
    #[default]
    Overwrite,
    /// The partitions this run writes are replaced; others are kept.
    OverwritePartitions,
    /// This run's files are added to the partitions they belong to.
    Append,
    /// Fails if the destination already holds committed data.
    ErrorIfExists,
}

impl FromStr for WriteMode {
    type Err = datafusion::error::DataFusionError;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "overwrite" => Ok(WriteMode::Overwrite),
            "overwrite-partitions" => Ok(WriteMode::OverwritePartitions),
            "append" => Ok(WriteMode::Append),
            "error-if-exists" => Ok(WriteMode::ErrorIfExists),
            other => plan_err!(
                "unknown write mode '{other}' (expected overwrite, overwrite-partitions, append \
                 or error-if-exists)"
            ),
        }
    }
}

impl fmt::Display for WriteMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            WriteMode::Overwrite => "overwrite",
            WriteMode::OverwritePartitions => "overwrite-partitions",
            WriteMode::Append => "append",
            WriteMode::ErrorIfExists => "error-if-exists",
        })
    }
}

/// Fails when `root` already holds committed data files (for `error-if-exists`).
pub async fn ensure_empty(store: &dyn ObjectStore, root: &Path, url: &str) -> Result<()> {
    let objects: Vec<ObjectMeta> = store.list(Some(root)).try_collect().await?;
    let committed = visible(store, objects, &ManifestCache::default()).await?;
    if committed.iter().any(|o| is_data_file(&o.location)) {
        return plan_err!(
            "'{url}' already holds data (write mode error-if-exists); choose --mode overwrite, \
             overwrite-partitions or append"
        );
    }
    Ok(())
}

/// The `_SUCCESS` record of a materialisation, written last.
#[derive(Debug, Serialize)]
struct Success<'a> {
    run: &'a str,
    mode: WriteMode,
    rows: u64,
    files: usize,
    partitions: Vec<String>,
}

/// Makes `files` (all written by `run` under `root`) visible according to `mode`.
pub async fn commit(
    store: &dyn ObjectStore,
    root: &Path,
    run: &str,
    mode: WriteMode,
    files: &[WrittenFile],
) -> Result<()> {
    let mut by_dir: BTreeMap<Path, Vec<ManifestFile>> = BTreeMap::new();
    for f in files {
        by_dir.entry(f.dir.clone()).or_default().push(ManifestFile {
            name: f.name.clone(),
            rows: Some(f.rows),
            bytes: f.bytes,
        });
    }
    stream::iter(by_dir.iter())
        .map(|(dir, new)| commit_directory(store, dir, run, mode, new))
        .buffer_unordered(COMMITS_IN_FLIGHT)
        .try_collect::<Vec<()>>()
        .await?;
    if mode == WriteMode::Overwrite {
        let kept: BTreeSet<Path> = by_dir.keys().cloned().collect();
        retire_other_directories(store, root, &kept).await?;
    }
    let success = Success {
        run,
        mode,
        rows: files.iter().map(|f| f.rows).sum(),
        files: files.len(),
        partitions: by_dir.keys().map(|d| relative(root, d)).collect(),
    };
    let json = serde_json::to_vec_pretty(&success)
        .map_err(|e| plan_datafusion_err!("cannot encode the _SUCCESS record: {e}"))?;
    store
        .put(&root.clone().join(SUCCESS), PutPayload::from(json))
        .await?;
    Ok(())
}

async fn commit_directory(
    store: &dyn ObjectStore,
    dir: &Path,
    run: &str,
    mode: WriteMode,
    new: &[ManifestFile],
) -> Result<()> {
    let mut files = match (mode, read_manifest(store, dir).await?) {
        (WriteMode::Append, Some(old)) => old.files,
        _ => vec![],
    };
    files.extend(new.iter().cloned());
    let manifest = Manifest::new(run, files);
    write_manifest(store, dir, &manifest).await?;
    delete_unlisted(store, dir, &manifest).await
}

/// Deletes the data files of `dir` its manifest does not list: replaced files and
/// those of runs that never committed.
async fn delete_unlisted(store: &dyn ObjectStore, dir: &Path, manifest: &Manifest) -> Result<()> {
    let listing = store.list_with_delimiter(Some(dir)).await?;
    let stale = listing
        .objects
        .into_iter()
        .filter(|o| is_data_file(&o.location))
        .filter(|o| !manifest.lists(o.location.filename().unwrap_or_default()))
        .map(|o| o.location);
    delete_all(store, stale.collect()).await
}

/// Removes every directory under `root` holding data or a manifest, except `kept`.
/// Each is first emptied by its manifest (one PUT hides all its files), then deleted.
async fn retire_other_directories(
    store: &dyn ObjectStore,
    root: &Path,
    kept: &BTreeSet<Path>,
) -> Result<()> {
    let objects: Vec<ObjectMeta> = store.list(Some(root)).try_collect().await?;
    let mut retired: BTreeMap<Path, Vec<Path>> = BTreeMap::new();
    for o in objects {
        let dir = parent(&o.location);
        let name = o.location.filename().unwrap_or_default();
        if !kept.contains(&dir) && (is_data_file(&o.location) || name == MANIFEST) {
            retired.entry(dir).or_default().push(o.location);
        }
    }
    for (dir, paths) in retired {
        write_manifest(store, &dir, &Manifest::new("retired", vec![])).await?;
        let data: Vec<_> = paths.into_iter().filter(is_data_file).collect();
        delete_all(store, data).await?;
        delete_all(store, vec![manifest_path(&dir)]).await?;
    }
    Ok(())
}

/// Deletes `paths`; objects already gone are not an error.
pub(crate) async fn delete_all(store: &dyn ObjectStore, paths: Vec<Path>) -> Result<()> {
    if paths.is_empty() {
        return Ok(());
    }
    let mut deleted = store.delete_stream(stream::iter(paths.into_iter().map(Ok)).boxed());
    while let Some(result) = deleted.next().await {
        match result {
            // Already gone (a concurrent cleanup, or a retried request that succeeded).
            Ok(_) | Err(object_store::Error::NotFound { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// `dir` relative to `root` (`symbol=AAPL`), or `.` for the root itself.
fn relative(root: &Path, dir: &Path) -> String {
    match dir.prefix_match(root) {
        Some(parts) => {
            let rest: Vec<String> = parts.map(|p| p.as_ref().to_string()).collect();
            if rest.is_empty() {
                ".".to_string()
            } else {
                rest.join("/")
            }
        }
        None => dir.to_string(),
    }
}
