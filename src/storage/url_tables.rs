//! `SELECT … FROM 's3://bucket/prefix/'`: DataFusion's dynamic file tables, except
//! that a location which names a store but cannot be read says why (missing
//! credentials, no such bucket, no files) instead of "table not found".

use super::registry::StoreRegistry;
use async_trait::async_trait;
use datafusion::catalog::{TableProvider, UrlTableFactory};
use datafusion::common::{plan_datafusion_err, DataFusionError, Result};
use datafusion::datasource::dynamic_file::DynamicListTableFactory;
use datafusion::datasource::listing::ListingTableUrl;
use datafusion::execution::object_store::ObjectStoreRegistry;
use futures::StreamExt;
use std::sync::Arc;

#[derive(Debug)]
pub struct UrlTables {
    pub inner: DynamicListTableFactory,
    registry: Arc<StoreRegistry>,
}

impl UrlTables {
    pub fn new(inner: DynamicListTableFactory, registry: Arc<StoreRegistry>) -> Self {
        UrlTables { inner, registry }
    }

    /// Why `url` gave no table.
    async fn diagnose(&self, url: &str) -> DataFusionError {
        let table_url = match ListingTableUrl::parse(url) {
            Ok(u) => u,
            Err(e) => return e,
        };
        let store = match self.registry.get_store(table_url.object_store().as_ref()) {
            Ok(store) => store,
            Err(e) => return e,
        };
        match store.list(Some(table_url.prefix())).next().await {
            Some(Err(e)) => plan_datafusion_err!("cannot read '{url}': {e}"),
            None => plan_datafusion_err!("no files found at '{url}'"),
            Some(Ok(_)) => plan_datafusion_err!(
                "cannot read '{url}' as a table: its files are not in a known format \
                 (.parquet, .csv, .json, .arrow, .avro)"
            ),
        }
    }
}

#[async_trait]
impl UrlTableFactory for UrlTables {
    async fn try_new(&self, url: &str) -> Result<Option<Arc<dyn TableProvider>>> {
        if let Some(table) = self.inner.try_new(url).await? {
            return Ok(Some(table));
        }
        // A bare name is a table that does not exist; a URL is a location to explain.
        if !url.contains("://") {
            return Ok(None);
        }
        Err(self.diagnose(url).await)
    }
}
