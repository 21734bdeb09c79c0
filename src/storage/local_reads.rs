//! Local files read by mapping them. `LocalFileSystem` reads every range into a new
//! zero-filled vector: on a scan that is the whole file again in fresh memory, and
//! the copy out of the page cache plus the kernel's zeroing of the new pages cost
//! as much as decoding. Here a long range is a view of the file's mapping, so the
//! decoder reads the page cache directly (on the 13-indicator benchmark: fresh huge
//! pages per query 61 -> 26, median wall time 245 -> 231 ms). Short ranges (footers,
//! small columns) are read as before; everything but range reads passes through to
//! the inner store.
//!
//! A mapped file must not shrink while a query reads it (the reader would fault
//! past its end). Files this crate writes are never changed in place: a commit
//! writes new files and renames them, and a mapping keeps the replaced file's
//! contents alive.

use async_trait::async_trait;
use bytes::Bytes;
use futures::stream::{self, BoxStream};
use futures::StreamExt;
use memmap2::{Mmap, MmapOptions};
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{
    CopyOptions, GetOptions, GetResult, GetResultPayload, ListResult, MultipartUpload, ObjectMeta,
    ObjectStore, PutMultipartOptions, PutOptions, PutPayload, PutResult, Result,
};
use std::fmt;
use std::fs::File;
use std::ops::Range;
use std::sync::Arc;

/// Ranges shorter than this are copied: a mapping costs two system calls and a
/// page-table teardown, more than copying a footer.
const MAPPED_MIN: u64 = 256 << 10;

/// A local file system whose long range reads are views of the file's mapping.
#[derive(Debug)]
pub struct MappedLocalReads {
    inner: Arc<LocalFileSystem>,
}

impl MappedLocalReads {
    pub fn new(inner: LocalFileSystem) -> Self {
        MappedLocalReads {
            inner: Arc::new(inner),
        }
    }
}

/// The mapped span of a file, owned by every `Bytes` sliced from it.
struct MappedSpan(Mmap);

impl AsRef<[u8]> for MappedSpan {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

/// Reads `ranges` of `file` (named `path` in errors): the long ones as slices of
/// one mapping of the span that covers them all, the short ones copied.
fn read_ranges(file: &File, path: &std::path::Path, ranges: &[Range<u64>]) -> Result<Vec<Bytes>> {
    let size = file
        .metadata()
        .map_err(|e| generic(format!("{}: cannot read its size: {e}", path.display())))?
        .len();
    if let Some(past) = ranges.iter().find(|r| r.end > size || r.start > r.end) {
        return Err(generic(format!(
            "{}: cannot read bytes {}..{}: the file has {size} bytes",
            path.display(),
            past.start,
            past.end
        )));
    }
    let long = |r: &&Range<u64>| r.end - r.start >= MAPPED_MIN;
    let span = ranges.iter().filter(long).fold(None, |span, r| match span {
        None => Some(r.clone()),
        Some(s) => Some(s.start.min(r.start)..s.end.max(r.end)),
    });
    let mapped = match span {
        Some(span) => Some((map_span(file, path, span.clone())?, span.start)),
        None => None,
    };
    ranges
        .iter()
        .map(|r| match &mapped {
            Some((bytes, offset)) if long(&r) => {
                Ok(bytes.slice(to_index(r.start - offset)?..to_index(r.end - offset)?))
            }
            _ => copy_range(file, path, r.clone()),
        })
        .collect()
}

/// `span` of `file` mapped read-only, from the page boundary at or before it.
fn map_span(file: &File, path: &std::path::Path, span: Range<u64>) -> Result<Bytes> {
    let page = page_size();
    let aligned = span.start / page * page;
    let lead = to_index(span.start - aligned)?;
    let len = to_index(span.end - aligned)?;
    // Safety: the map is read-only and the range lies within the file (checked by
    // the caller); see the module docs for files shrinking while mapped.
    let map = unsafe { MmapOptions::new().offset(aligned).len(len).map(file) }.map_err(|e| {
        generic(format!(
            "{}: cannot map bytes {span:?}: {e}",
            path.display()
        ))
    })?;
    Ok(Bytes::from_owner(MappedSpan(map)).slice(lead..))
}

/// Reads `range` of `file` into a new buffer.
fn copy_range(file: &File, path: &std::path::Path, range: Range<u64>) -> Result<Bytes> {
    use std::os::unix::fs::FileExt;
    let mut buffer = vec![0; to_index(range.end - range.start)?];
    file.read_exact_at(&mut buffer, range.start).map_err(|e| {
        generic(format!(
            "{}: cannot read bytes {}..{}: {e}",
            path.display(),
            range.start,
            range.end
        ))
    })?;
    Ok(Bytes::from(buffer))
}

fn page_size() -> u64 {
    // Safety: sysconf has no preconditions.
    let size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    u64::try_from(size).ok().filter(|&s| s > 0).unwrap_or(4096)
}

fn to_index(offset: u64) -> Result<usize> {
    usize::try_from(offset).map_err(|_| generic(format!("offset {offset} is too large to address")))
}

/// Runs file I/O on tokio's blocking pool when there is a runtime (so it does not
/// stall the workers), on the calling thread otherwise.
async fn blocking<T: Send + 'static>(
    read: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    match tokio::runtime::Handle::try_current() {
        Ok(runtime) => runtime
            .spawn_blocking(read)
            .await
            .map_err(|e| generic(format!("a file read did not finish: {e}")))?,
        Err(_) => read(),
    }
}

fn generic(message: String) -> object_store::Error {
    object_store::Error::Generic {
        store: "LocalFileSystem",
        source: message.into(),
    }
}

fn open(path: &std::path::Path, location: &Path) -> Result<File> {
    File::open(path).map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => object_store::Error::NotFound {
            path: location.to_string(),
            source: Box::new(source),
        },
        _ => generic(format!("{}: cannot open: {source}", path.display())),
    })
}

impl fmt::Display for MappedLocalReads {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MappedLocalReads({})", self.inner)
    }
}

#[async_trait]
impl ObjectStore for MappedLocalReads {
    async fn put_opts(
        &self,
        location: &Path,
        payload: PutPayload,
        opts: PutOptions,
    ) -> Result<PutResult> {
        self.inner.put_opts(location, payload, opts).await
    }

    async fn put_multipart_opts(
        &self,
        location: &Path,
        opts: PutMultipartOptions,
    ) -> Result<Box<dyn MultipartUpload>> {
        self.inner.put_multipart_opts(location, opts).await
    }

    /// A long ranged read is mapped here, at once; anything else (whole objects,
    /// heads, short ranges) keeps the inner store's lazy file payload.
    async fn get_opts(&self, location: &Path, options: GetOptions) -> Result<GetResult> {
        let ranged = options.range.is_some() && !options.head;
        let GetResult {
            payload,
            meta,
            range,
            attributes,
        } = self.inner.get_opts(location, options).await?;
        let payload = match payload {
            GetResultPayload::File(file, path)
                if ranged && range.end - range.start >= MAPPED_MIN =>
            {
                let span = range.clone();
                let mut read = blocking(move || read_ranges(&file, &path, &[span])).await?;
                let bytes = read.pop().unwrap_or_default();
                GetResultPayload::Stream(stream::once(async move { Ok(bytes) }).boxed())
            }
            payload => payload,
        };
        Ok(GetResult {
            payload,
            meta,
            range,
            attributes,
        })
    }

    async fn get_ranges(&self, location: &Path, ranges: &[Range<u64>]) -> Result<Vec<Bytes>> {
        let path = self.inner.path_to_filesystem(location)?;
        let name = location.clone();
        let ranges = ranges.to_vec();
        blocking(move || read_ranges(&open(&path, &name)?, &path, &ranges)).await
    }

    fn delete_stream(
        &self,
        locations: BoxStream<'static, Result<Path>>,
    ) -> BoxStream<'static, Result<Path>> {
        self.inner.delete_stream(locations)
    }

    fn list(&self, prefix: Option<&Path>) -> BoxStream<'static, Result<ObjectMeta>> {
        self.inner.list(prefix)
    }

    async fn list_with_delimiter(&self, prefix: Option<&Path>) -> Result<ListResult> {
        self.inner.list_with_delimiter(prefix).await
    }

    async fn copy_opts(&self, from: &Path, to: &Path, options: CopyOptions) -> Result<()> {
        self.inner.copy_opts(from, to, options).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use object_store::GetRange;

    /// A file of `len` bytes where byte i is `i * 31 mod 251`, and a store for its
    /// directory.
    fn fixture(len: usize) -> (tempfile::TempDir, MappedLocalReads, Vec<u8>) {
        let dir = tempfile::tempdir().unwrap();
        let content: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
        std::fs::write(dir.path().join("data.bin"), &content).unwrap();
        let store = MappedLocalReads::new(LocalFileSystem::new_with_prefix(dir.path()).unwrap());
        (dir, store, content)
    }

    /// A one-range request.
    fn one(range: Range<u64>) -> [Range<u64>; 1] {
        [range]
    }

    #[tokio::test]
    async fn ranges_read_the_right_bytes_long_ones_from_one_mapping() {
        let (_dir, store, content) = fixture(3 << 20);
        let path = Path::from("data.bin");
        let ranges = [0..100, 5..(1 << 20) + 5, (1 << 20) + 7..(3 << 20) - 1, 9..9];
        let read = store.get_ranges(&path, &ranges).await.unwrap();
        for (bytes, range) in read.iter().zip(&ranges) {
            let (start, end) = (range.start as usize, range.end as usize);
            assert_eq!(bytes.as_ref(), &content[start..end]);
        }
        // The two long ranges are views of one mapping: their addresses are as far
        // apart as their offsets in the file.
        let apart = read[2].as_ptr() as usize - read[1].as_ptr() as usize;
        assert_eq!(apart, (1 << 20) + 2);
    }

    #[tokio::test]
    async fn ranged_gets_are_mapped_and_whole_gets_stream() {
        let (_dir, store, content) = fixture(1 << 20);
        let path = Path::from("data.bin");
        let options = GetOptions::new().with_range(Some(GetRange::Bounded(10..(1 << 19))));
        let result = store.get_opts(&path, options).await.unwrap();
        assert!(matches!(result.payload, GetResultPayload::Stream(_)));
        assert_eq!(result.meta.size, 1 << 20);
        assert_eq!(
            result.bytes().await.unwrap().as_ref(),
            &content[10..1 << 19]
        );

        let whole = store.get_opts(&path, GetOptions::new()).await.unwrap();
        assert!(matches!(whole.payload, GetResultPayload::File(..)));
        assert_eq!(whole.bytes().await.unwrap().as_ref(), content.as_slice());
    }

    #[tokio::test]
    async fn a_file_replaced_while_mapped_keeps_what_was_read() {
        // How commits replace files: a new file renamed over the old one.
        let (dir, store, content) = fixture(1 << 20);
        let path = Path::from("data.bin");
        let held = store.get_ranges(&path, &one(0..1 << 20)).await.unwrap();
        let replacement = dir.path().join("next.bin");
        std::fs::write(&replacement, vec![7u8; 1 << 19]).unwrap();
        std::fs::rename(&replacement, dir.path().join("data.bin")).unwrap();
        assert_eq!(held[0].as_ref(), content.as_slice());
        let fresh = store.get_ranges(&path, &one(0..1 << 19)).await.unwrap();
        assert!(fresh[0].iter().all(|&b| b == 7));
    }

    #[test]
    fn reads_outside_a_runtime_run_on_the_caller() {
        let (_dir, store, content) = fixture(1 << 20);
        let read = futures::executor::block_on(
            store.get_ranges(&Path::from("data.bin"), &one(3..(1 << 20))),
        );
        assert_eq!(read.unwrap()[0].as_ref(), &content[3..]);
    }

    #[tokio::test]
    async fn missing_files_and_short_files_are_errors() {
        let (_dir, store, _) = fixture(1 << 20);
        let missing = store
            .get_ranges(&Path::from("nope.bin"), &one(0..10))
            .await
            .unwrap_err();
        assert!(
            matches!(missing, object_store::Error::NotFound { .. }),
            "{missing}"
        );
        let past_end = store
            .get_ranges(&Path::from("data.bin"), &one((1 << 19)..(2 << 20)))
            .await
            .unwrap_err()
            .to_string();
        assert!(
            past_end.contains("data.bin") && past_end.contains("cannot read"),
            "{past_end}"
        );
    }
}
