//! The session's object-store registry: stores for `s3://` and `r2://` buckets are
//! configured from the environment on first use, and every store is read through
//! the committed view. The raw stores stay reachable for writers, which must see
//! uncommitted files to clean them up.

use super::committed::CommittedView;
use super::env_stores::store_from_env;
use super::local_reads::MappedLocalReads;
use datafusion::common::Result;
use datafusion::execution::object_store::ObjectStoreRegistry;
use datafusion_cli::object_storage::instrumented::InstrumentedObjectStoreRegistry;
use object_store::local::LocalFileSystem;
use object_store::ObjectStore;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use url::Url;

#[derive(Debug)]
pub struct StoreRegistry {
    /// Holds the committed views, instrumented for the shell's request statistics.
    views: Arc<InstrumentedObjectStoreRegistry>,
    /// The stores behind the views, by `scheme://host`.
    raw: RwLock<HashMap<String, Arc<dyn ObjectStore>>>,
}

impl StoreRegistry {
    pub fn new(views: Arc<InstrumentedObjectStoreRegistry>) -> Self {
        let registry = StoreRegistry {
            views,
            raw: RwLock::new(HashMap::new()),
        };
        // Deleting the last file of a local directory removes the directory, as
        // deleting the last key under an object-store prefix does.
        let local = LocalFileSystem::new().with_automatic_cleanup(true);
        let file = Url::parse("file://").expect("a valid URL");
        registry.register_store(&file, Arc::new(MappedLocalReads::new(local)));
        registry
    }

    /// The store behind `url`, without the committed view (for writers).
    pub fn raw_store(&self, url: &Url) -> Result<Arc<dyn ObjectStore>> {
        self.get_store(url)?;
        let raw = self.raw.read().expect("registry lock");
        match raw.get(&key(url)) {
            Some(store) => Ok(Arc::clone(store)),
            // Registered on the inner registry directly: only the view is known.
            None => self.views.get_store(url),
        }
    }
}

/// `scheme://host`, the granularity DataFusion registers stores at.
fn key(url: &Url) -> String {
    format!(
        "{}://{}",
        url.scheme(),
        &url[url::Position::BeforeHost..url::Position::AfterPort]
    )
}

impl ObjectStoreRegistry for StoreRegistry {
    fn register_store(
        &self,
        url: &Url,
        store: Arc<dyn ObjectStore>,
    ) -> Option<Arc<dyn ObjectStore>> {
        let key = key(url);
        let view = Arc::new(CommittedView::new(Arc::clone(&store), &key));
        self.raw.write().expect("registry lock").insert(key, store);
        self.views.register_store(url, view)
    }

    fn deregister_store(&self, url: &Url) -> Result<Arc<dyn ObjectStore>> {
        self.raw.write().expect("registry lock").remove(&key(url));
        self.views.deregister_store(url)
    }

    fn get_store(&self, url: &Url) -> Result<Arc<dyn ObjectStore>> {
        if let Ok(store) = self.views.get_store(url) {
            return Ok(store);
        }
        let store = store_from_env(url)?;
        self.register_store(url, store);
        self.views.get_store(url)
    }
}
