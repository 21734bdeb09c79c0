//! An object store as quantfusion readers see it: in a directory that has a
//! manifest, only the files it lists exist; manifests and `_SUCCESS` markers are
//! commit records, not data, and are not listed (DataFusion would otherwise take
//! them for data files when inferring a table's format). Everything else passes
//! through unchanged, and errors name the URL they concern.

use super::manifest::{parent, read_manifest, Manifest, MANIFEST, SUCCESS};
use async_trait::async_trait;
use futures::stream::{self, BoxStream};
use futures::{StreamExt, TryStreamExt};
use object_store::path::Path;
use object_store::{
    CopyOptions, GetOptions, GetResult, GetResultPayload, ListResult, MultipartUpload, ObjectMeta,
    ObjectStore, PutMultipartOptions, PutOptions, PutPayload, PutResult, Result,
};
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

/// Manifests read at once when a listing spans many partition directories.
const MANIFEST_READS_IN_FLIGHT: usize = 16;

/// Wraps a store so that listings hide uncommitted data.
pub struct CommittedView {
    inner: Arc<dyn ObjectStore>,
    manifests: Arc<ManifestCache>,
    /// `s3://bucket` or `file://`, for messages.
    url: String,
}

impl CommittedView {
    pub fn new(inner: Arc<dyn ObjectStore>, url: &str) -> Self {
        CommittedView {
            inner,
            manifests: Arc::default(),
            url: url.trim_end_matches('/').to_string(),
        }
    }

    fn named(&self, location: Option<&Path>, err: object_store::Error) -> object_store::Error {
        with_url(&self.url, location, err)
    }
}

/// Adds the object's URL to an error, keeping its kind where DataFusion acts on it (a
/// missing object is how it tells a prefix from a file).
fn with_url(url: &str, location: Option<&Path>, err: object_store::Error) -> object_store::Error {
    if matches!(err, object_store::Error::NotFound { .. }) {
        return err;
    }
    let at = match location {
        Some(p) => format!("{url}/{p}"),
        None => url.to_string(),
    };
    object_store::Error::Generic {
        store: "quantfusion",
        source: format!("{at}: {err}").into(),
    }
}

/// The committed data among `objects` (a listing of `store`): in each directory with
/// a manifest, the files it lists; elsewhere everything but commit markers.
pub async fn visible(
    store: &dyn ObjectStore,
    mut objects: Vec<ObjectMeta>,
    cache: &ManifestCache,
) -> Result<Vec<ObjectMeta>> {
    let managed: Vec<ObjectMeta> = objects
        .iter()
        .filter(|o| o.location.filename() == Some(MANIFEST))
        .cloned()
        .collect();
    objects.retain(|o| !matches!(o.location.filename(), Some(MANIFEST | SUCCESS)));
    if managed.is_empty() {
        return Ok(objects);
    }
    let manifests: HashMap<Path, _> = stream::iter(managed)
        .map(|meta| async move {
            let dir = parent(&meta.location);
            if let Some(manifest) = cache.get(&meta) {
                return Ok((dir, manifest));
            }
            let manifest = read_manifest(store, &dir)
                .await
                .map_err(|e| object_store::Error::Generic {
                    store: "quantfusion",
                    source: Box::new(e),
                })?
                .map(Arc::new);
            cache.put(meta, manifest.clone());
            Ok::<_, object_store::Error>((dir, manifest))
        })
        .buffer_unordered(MANIFEST_READS_IN_FLIGHT)
        .try_collect()
        .await?;
    objects.retain(|o| {
        let name = o.location.filename().unwrap_or_default();
        match manifests.get(&parent(&o.location)) {
            // Deleted between the listing and the read: the directory is being
            // removed as a whole.
            Some(None) => false,
            Some(Some(manifest)) => manifest.lists(name),
            None => true,
        }
    });
    Ok(objects)
}

/// Manifests already read, with the listing's version of each (e-tag, size,
/// modification time): a replaced manifest has a new version and is read again.
/// A query lists a table several times while planning it; without this, each
/// listing read every partition's manifest again.
#[derive(Debug, Default)]
pub struct ManifestCache {
    entries: Mutex<HashMap<Path, CachedManifest>>,
}

/// The listed version of a manifest and its content (`None`: it had gone).
type CachedManifest = (ObjectMeta, Option<Arc<Manifest>>);

impl ManifestCache {
    /// Entries kept before the cache starts over (manifests are a few hundred bytes).
    const CAPACITY: usize = 100_000;

    fn get(&self, meta: &ObjectMeta) -> Option<Option<Arc<Manifest>>> {
        let entries = self.entries.lock().expect("manifest cache lock");
        let (version, manifest) = entries.get(&meta.location)?;
        let same = version.e_tag == meta.e_tag
            && version.size == meta.size
            && version.last_modified == meta.last_modified;
        same.then(|| manifest.clone())
    }

    fn put(&self, meta: ObjectMeta, manifest: Option<Arc<Manifest>>) {
        let mut entries = self.entries.lock().expect("manifest cache lock");
        if entries.len() >= Self::CAPACITY {
            entries.clear();
        }
        entries.insert(meta.location.clone(), (meta, manifest));
    }
}

/// Footer reads of parquet files: a short range ending at the end of the object.
fn is_footer_read(location: &Path, result: &GetResult) -> bool {
    const FOOTER_READ_LIMIT: u64 = 1 << 20;
    location.as_ref().ends_with(".parquet")
        && result.range.end == result.meta.size
        && result.range.end - result.range.start <= FOOTER_READ_LIMIT
}

impl CommittedView {
    /// Names the object when its end is not a parquet footer; the parquet reader's
    /// own message ("Corrupt footer") does not say which of many files it was.
    async fn checked_footer(&self, location: &Path, result: GetResult) -> Result<GetResult> {
        let (meta, range, attributes) = (
            result.meta.clone(),
            result.range.clone(),
            result.attributes.clone(),
        );
        let bytes = result
            .bytes()
            .await
            .map_err(|e| self.named(Some(location), e))?;
        if !bytes.ends_with(b"PAR1") {
            return Err(object_store::Error::Generic {
                store: "quantfusion",
                source: format!(
                    "{}/{location} is not a parquet file (it does not end with a parquet footer)",
                    self.url
                )
                .into(),
            });
        }
        Ok(GetResult {
            payload: GetResultPayload::Stream(stream::once(async move { Ok(bytes) }).boxed()),
            meta,
            range,
            attributes,
        })
    }
}

impl fmt::Display for CommittedView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CommittedView({})", self.url)
    }
}

/// Shows only the URL: the inner store's debug form can hold credentials.
impl fmt::Debug for CommittedView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CommittedView({})", self.url)
    }
}

#[async_trait]
impl ObjectStore for CommittedView {
    async fn put_opts(
        &self,
        location: &Path,
        payload: PutPayload,
        opts: PutOptions,
    ) -> Result<PutResult> {
        self.inner
            .put_opts(location, payload, opts)
            .await
            .map_err(|e| self.named(Some(location), e))
    }

    async fn put_multipart_opts(
        &self,
        location: &Path,
        opts: PutMultipartOptions,
    ) -> Result<Box<dyn MultipartUpload>> {
        self.inner
            .put_multipart_opts(location, opts)
            .await
            .map_err(|e| self.named(Some(location), e))
    }

    async fn get_opts(&self, location: &Path, options: GetOptions) -> Result<GetResult> {
        let result = self
            .inner
            .get_opts(location, options)
            .await
            .map_err(|e| self.named(Some(location), e))?;
        if is_footer_read(location, &result) {
            return self.checked_footer(location, result).await;
        }
        Ok(result)
    }

    async fn get_ranges(
        &self,
        location: &Path,
        ranges: &[std::ops::Range<u64>],
    ) -> Result<Vec<bytes::Bytes>> {
        self.inner
            .get_ranges(location, ranges)
            .await
            .map_err(|e| self.named(Some(location), e))
    }

    fn delete_stream(
        &self,
        locations: BoxStream<'static, Result<Path>>,
    ) -> BoxStream<'static, Result<Path>> {
        self.inner.delete_stream(locations)
    }

    fn list(&self, prefix: Option<&Path>) -> BoxStream<'static, Result<ObjectMeta>> {
        let inner = Arc::clone(&self.inner);
        let manifests = Arc::clone(&self.manifests);
        let listing = self.inner.list(prefix);
        let url = self.url.clone();
        let prefix = prefix.cloned();
        stream::once(async move {
            let all: Vec<ObjectMeta> = listing.try_collect().await?;
            visible(inner.as_ref(), all, &manifests).await
        })
        .map_ok(|objects| stream::iter(objects.into_iter().map(Ok)))
        .try_flatten()
        .map_err(move |e| with_url(&url, prefix.as_ref(), e))
        .boxed()
    }

    async fn list_with_delimiter(&self, prefix: Option<&Path>) -> Result<ListResult> {
        let mut result = self
            .inner
            .list_with_delimiter(prefix)
            .await
            .map_err(|e| self.named(prefix, e))?;
        result.objects = visible(self.inner.as_ref(), result.objects, &self.manifests).await?;
        Ok(result)
    }

    async fn copy_opts(&self, from: &Path, to: &Path, options: CopyOptions) -> Result<()> {
        self.inner
            .copy_opts(from, to, options)
            .await
            .map_err(|e| self.named(Some(from), e))
    }
}
