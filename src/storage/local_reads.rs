//! Local files read into recycled buffers. `LocalFileSystem` reads every range into
//! a new zero-filled vector: on a scan that is the whole file again in fresh memory,
//! and the kernel's page zeroing plus the fill cost as much as the read itself. Here
//! a range is read into a buffer that a dropped read handed back, so a scan touches
//! a few buffers' worth of new memory however large the files are. Everything but
//! range reads passes through to the inner store.

use async_trait::async_trait;
use bytes::Bytes;
use futures::stream::{self, BoxStream};
use futures::StreamExt;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{
    CopyOptions, GetOptions, GetResult, GetResultPayload, ListResult, MultipartUpload, ObjectMeta,
    ObjectStore, PutMultipartOptions, PutOptions, PutPayload, PutResult, Result,
};
use std::fmt;
use std::fs::File;
use std::ops::Range;
use std::sync::{Arc, Mutex};

/// Ranges shorter than this are read into plain vectors: footers and small
/// columns gain nothing from recycling.
const POOLED_MIN: usize = 256 << 10;

/// Ranges longer than this are not pooled (a buffer that large would mostly sit
/// idle), and whole-object reads stay streamed by the inner store.
const POOLED_MAX: usize = 64 << 20;

/// Buffers are made in multiples of this.
const BUFFER_GRANULE: usize = 1 << 20;

/// Bytes the pool keeps for reuse; buffers handed back beyond it are freed.
const POOL_LIMIT: usize = 256 << 20;

/// A local file system whose range reads reuse buffers.
#[derive(Debug)]
pub struct PooledLocalReads {
    inner: Arc<LocalFileSystem>,
    pool: Arc<BufferPool>,
}

impl PooledLocalReads {
    pub fn new(inner: LocalFileSystem) -> Self {
        PooledLocalReads {
            inner: Arc::new(inner),
            pool: Arc::default(),
        }
    }
}

/// Zero-filled buffers no read holds any more. Buffers are filled once, when first
/// made, and never shrunk, so a reused one needs no fill.
#[derive(Debug, Default)]
struct BufferPool {
    free: Mutex<FreeBuffers>,
}

#[derive(Debug, Default)]
struct FreeBuffers {
    buffers: Vec<Vec<u8>>,
    bytes: usize,
}

impl BufferPool {
    /// The smallest free buffer of at least `len` bytes, else a new one. When none
    /// fits, the largest free buffer is dropped instead, so that a pool of buffers
    /// too small for the current files does not stay full forever.
    fn take(&self, len: usize) -> Vec<u8> {
        let mut free = self.free.lock().expect("buffer pool lock");
        let fitting = (0..free.buffers.len())
            .filter(|&i| free.buffers[i].len() >= len)
            .min_by_key(|&i| free.buffers[i].len());
        let chosen =
            fitting.or_else(|| (0..free.buffers.len()).max_by_key(|&i| free.buffers[i].len()));
        if let Some(i) = chosen {
            let buffer = free.buffers.swap_remove(i);
            free.bytes -= buffer.len();
            if buffer.len() >= len {
                return buffer;
            }
        }
        drop(free);
        // Whole mebibytes, so that the next row group's slightly longer chunk fits
        // too. A new buffer rather than a grown one: growing would copy its bytes.
        vec![0; len.next_multiple_of(BUFFER_GRANULE)]
    }

    fn give(&self, buffer: Vec<u8>) {
        let mut free = self.free.lock().expect("buffer pool lock");
        if free.bytes + buffer.len() <= POOL_LIMIT {
            free.bytes += buffer.len();
            free.buffers.push(buffer);
        }
    }
}

/// The owner of a pooled read: its bytes are the first `len` of the buffer, which
/// goes back to the pool when the last `Bytes` referring to it is dropped.
struct PooledRead {
    buffer: Vec<u8>,
    len: usize,
    pool: Arc<BufferPool>,
}

impl AsRef<[u8]> for PooledRead {
    fn as_ref(&self) -> &[u8] {
        &self.buffer[..self.len]
    }
}

impl Drop for PooledRead {
    fn drop(&mut self) {
        self.pool.give(std::mem::take(&mut self.buffer));
    }
}

/// Reads `range` of `file` (named `path` in errors), pooled when it is long.
fn read_range(
    file: &File,
    path: &std::path::Path,
    range: Range<u64>,
    pool: &Arc<BufferPool>,
) -> Result<Bytes> {
    use std::os::unix::fs::FileExt;
    let len = usize::try_from(range.end.saturating_sub(range.start)).map_err(|_| {
        generic(format!(
            "{}: range {range:?} is too long to read",
            path.display()
        ))
    })?;
    let unreadable = |e: std::io::Error| {
        generic(format!(
            "{}: cannot read bytes {}..{}: {e}",
            path.display(),
            range.start,
            range.end
        ))
    };
    if !(POOLED_MIN..=POOLED_MAX).contains(&len) {
        let mut buffer = vec![0; len];
        file.read_exact_at(&mut buffer, range.start)
            .map_err(unreadable)?;
        return Ok(Bytes::from(buffer));
    }
    let mut read = PooledRead {
        buffer: pool.take(len),
        len,
        pool: Arc::clone(pool),
    };
    file.read_exact_at(&mut read.buffer[..len], range.start)
        .map_err(unreadable)?;
    Ok(Bytes::from_owner(read))
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

impl fmt::Display for PooledLocalReads {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PooledLocalReads({})", self.inner)
    }
}

#[async_trait]
impl ObjectStore for PooledLocalReads {
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

    /// A ranged read of a size worth pooling is read here, at once; anything else
    /// (whole objects, heads, long ranges) keeps the inner store's lazy file payload.
    async fn get_opts(&self, location: &Path, options: GetOptions) -> Result<GetResult> {
        let ranged = options.range.is_some() && !options.head;
        let GetResult {
            payload,
            meta,
            range,
            attributes,
        } = self.inner.get_opts(location, options).await?;
        let len = usize::try_from(range.end - range.start).unwrap_or(usize::MAX);
        let payload = match payload {
            GetResultPayload::File(file, path)
                if ranged && (POOLED_MIN..=POOLED_MAX).contains(&len) =>
            {
                let pool = Arc::clone(&self.pool);
                let span = range.clone();
                let bytes = blocking(move || read_range(&file, &path, span, &pool)).await?;
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
        let pool = Arc::clone(&self.pool);
        blocking(move || {
            let file = open(&path, &name)?;
            ranges
                .into_iter()
                .map(|range| read_range(&file, &path, range, &pool))
                .collect()
        })
        .await
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
    fn fixture(len: usize) -> (tempfile::TempDir, PooledLocalReads, Vec<u8>) {
        let dir = tempfile::tempdir().unwrap();
        let content: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
        std::fs::write(dir.path().join("data.bin"), &content).unwrap();
        let store = PooledLocalReads::new(LocalFileSystem::new_with_prefix(dir.path()).unwrap());
        (dir, store, content)
    }

    /// A one-range request.
    fn one(range: Range<u64>) -> [Range<u64>; 1] {
        [range]
    }

    fn free_buffers(store: &PooledLocalReads) -> usize {
        store.pool.free.lock().unwrap().buffers.len()
    }

    #[tokio::test]
    async fn ranges_read_the_right_bytes_and_recycle_their_buffers() {
        let (_dir, store, content) = fixture(3 << 20);
        let path = Path::from("data.bin");
        let ranges = [0..100, 5..(1 << 20) + 5, (1 << 20)..(3 << 20) - 1];
        let read = store.get_ranges(&path, &ranges).await.unwrap();
        for (bytes, range) in read.iter().zip(&ranges) {
            let (start, end) = (range.start as usize, range.end as usize);
            assert_eq!(bytes.as_ref(), &content[start..end]);
        }
        assert_eq!(free_buffers(&store), 0, "buffers are held while read");
        drop(read);
        assert_eq!(free_buffers(&store), 2, "the two long reads came back");

        // A slightly longer range than either fits a returned (rounded-up) buffer.
        let again = store
            .get_ranges(&path, &one(7..(1 << 20) + 9))
            .await
            .unwrap();
        assert_eq!(again[0].as_ref(), &content[7..(1 << 20) + 9]);
        assert_eq!(free_buffers(&store), 1, "one buffer was reused, none made");
    }

    #[tokio::test]
    async fn ranged_gets_are_pooled_and_whole_gets_stream() {
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
