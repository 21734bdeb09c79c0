//! The commit record of a partition directory (`_manifest.json`) and of a whole
//! materialisation (`_SUCCESS`).
//!
//! A directory with a manifest holds exactly the files it lists; anything else in it
//! is data of a writer that has not committed (or never will) and is ignored by
//! readers. A manifest is replaced with a single PUT, which object stores apply
//! atomically, so a partition's old and new files are never visible together.

use datafusion::common::{exec_datafusion_err, Result};
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use serde::{Deserialize, Serialize};

pub const MANIFEST: &str = "_manifest.json";
pub const SUCCESS: &str = "_SUCCESS";
const FORMAT: &str = "quantfusion.partition/1";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    /// The materialisation that committed these files.
    pub run: String,
    pub files: Vec<ManifestFile>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestFile {
    /// File name within the directory.
    pub name: String,
    /// Unknown for files adopted from a directory written by another tool.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows: Option<u64>,
    pub bytes: u64,
}

impl Manifest {
    pub fn new(run: &str, files: Vec<ManifestFile>) -> Self {
        Manifest {
            format: FORMAT.to_string(),
            run: run.to_string(),
            files,
        }
    }

    pub fn lists(&self, name: &str) -> bool {
        self.files.iter().any(|f| f.name == name)
    }

    /// Rows of the files whose count is known.
    pub fn rows(&self) -> u64 {
        self.files.iter().filter_map(|f| f.rows).sum()
    }
}

/// The manifest path of directory `dir`.
pub fn manifest_path(dir: &Path) -> Path {
    dir.clone().join(MANIFEST)
}

/// The manifest of `dir`, or `None` if it has none.
pub async fn read_manifest(store: &dyn ObjectStore, dir: &Path) -> Result<Option<Manifest>> {
    let path = manifest_path(dir);
    let bytes = match store.get(&path).await {
        Ok(got) => got.bytes().await?,
        Err(object_store::Error::NotFound { .. }) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| exec_datafusion_err!("the manifest '{path}' is not readable: {e}"))
}

/// Replaces the manifest of `dir`.
pub async fn write_manifest(
    store: &dyn ObjectStore,
    dir: &Path,
    manifest: &Manifest,
) -> Result<()> {
    let json = serde_json::to_vec_pretty(manifest)
        .map_err(|e| exec_datafusion_err!("cannot encode a manifest: {e}"))?;
    store
        .put(&manifest_path(dir), PutPayload::from(json))
        .await?;
    Ok(())
}

/// The directory an object is in.
pub fn parent(path: &Path) -> Path {
    let parts: Vec<_> = path.parts().collect();
    Path::from_iter(parts[..parts.len().saturating_sub(1)].iter().cloned())
}

/// Whether an object is a data file (as opposed to a manifest or marker).
pub fn is_data_file(path: &Path) -> bool {
    path.filename().is_some_and(|n| n.ends_with(".parquet"))
}

/// Makes `dir` a managed directory before new files go into it. A directory without
/// a manifest gets one listing the data files already there, so that they stay
/// visible and the new ones do not until they are committed.
pub async fn claim_directory(store: &dyn ObjectStore, dir: &Path) -> Result<()> {
    match store.head(&manifest_path(dir)).await {
        Ok(_) => return Ok(()),
        Err(object_store::Error::NotFound { .. }) => {}
        Err(e) => return Err(e.into()),
    }
    let existing = store.list_with_delimiter(Some(dir)).await?;
    let files = existing
        .objects
        .iter()
        .filter(|o| is_data_file(&o.location))
        .map(|o| ManifestFile {
            name: o.location.filename().unwrap_or_default().to_string(),
            rows: None,
            bytes: o.size,
        })
        .collect();
    write_manifest(store, dir, &Manifest::new("adopted", files)).await
}
