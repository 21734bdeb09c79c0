//! The session every quantfusion entry point uses: DataFusion's defaults plus what a
//! shell user expects (files and object-store URLs queryable by path,
//! `information_schema`, NULL shown as NULL) and every quantfusion function.

use crate::storage::url_tables::UrlTables;
use crate::storage::StoreRegistry;
use datafusion::catalog::{DynamicFileCatalog, UrlTableFactory};
use datafusion::common::Result;
use datafusion::config::{ConfigNonZeroUsize, ConfigOptions};
use datafusion::datasource::dynamic_file::DynamicListTableFactory;
use datafusion::execution::cache::cache_manager::CacheManagerConfig;
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::logical_expr::ExplainFormat;
use datafusion::prelude::{SessionConfig, SessionContext};
use datafusion_cli::functions::ParquetMetadataFunc;
use datafusion_cli::object_storage::instrumented::InstrumentedObjectStoreRegistry;
use datafusion_session::SessionStore;
use std::sync::Arc;

/// A ready session and the object-store registry it reads through (the shell's
/// printer reports object-store requests from it).
pub struct Engine {
    pub ctx: SessionContext,
    pub object_stores: Arc<InstrumentedObjectStoreRegistry>,
}

/// Builds the session. Settings come from DataFusion's `DATAFUSION_*` environment
/// variables, so a scheduled job can tune batch size or target partitions without a
/// code change.
pub fn engine() -> Result<Engine> {
    engine_on(None)
}

/// [`engine`] with window calls that have device kernels run by `backend` instead
/// of the first CUDA device (the CPU emulation exercises the device path without
/// one).
pub fn engine_on(backend: Option<Arc<dyn crate::gpu::Backend>>) -> Result<Engine> {
    let mut options = ConfigOptions::from_env()?;
    if std::env::var_os("DATAFUSION_EXPLAIN_FORMAT").is_none() {
        options.explain.format = ExplainFormat::Tree;
    }
    // Feature stages read parquet already sorted by (key, ts): keep that order through
    // repartitioning instead of sorting again (measured: 0.81 s -> 0.55 s for an EMA
    // over 10M sorted rows).
    if std::env::var_os("DATAFUSION_OPTIMIZER_PREFER_EXISTING_SORT").is_none() {
        options.optimizer.prefer_existing_sort = true;
    }
    // Two partitions per core: a sorted file splits at row-group boundaries, so one
    // partition per core leaves a core idle while the larger part finishes (6 row
    // groups against 5 is 58% of the work on one core); with twice as many, the
    // cores take partitions as they free up. Measured on 2 cores: fx regression
    // 0.66 -> 0.60 s, scorecard 0.11 -> 0.10 s, 13 indicators 0.63 -> 0.60 s
    // (8 per core was slower than 2).
    if std::env::var_os("DATAFUSION_EXECUTION_TARGET_PARTITIONS").is_none() {
        options.execution.target_partitions *= 2;
    }
    // A feature stage's partitions (one symbol each) are thousands of rows; a window
    // evaluates a partition from contiguous rows, so one split across two batches is
    // copied together first. Twice DataFusion's 8192 rows per batch splits fewer of
    // them and halves the per-batch work. Measured on 10M rows, 10,000 per symbol:
    // 13 indicators 342 -> 311 ms (user CPU 560 -> 525 ms), DuckDB's 7 of them
    // 241 -> 222 ms; 32768 rows doubled the system time (fresh pages per batch).
    // Partitions of a few rows gain nothing and pay that system time (300k
    // partitions of 10 rows: 715 -> 741 ms).
    if std::env::var_os("DATAFUSION_EXECUTION_BATCH_SIZE").is_none() {
        options.execution.batch_size = ConfigNonZeroUsize::try_new(16384)?;
    }
    if std::env::var_os("DATAFUSION_FORMAT_NULL").is_none() {
        options.format.null = String::from("NULL");
    }
    let object_stores = Arc::new(InstrumentedObjectStoreRegistry::new());
    // Stores for s3:// and r2:// come from the environment on first use; every store
    // is read through the committed view (see `storage`). Writers find the raw stores
    // through the session's config extension.
    let registry = Arc::new(StoreRegistry::new(object_stores.clone()));
    let mut quantfusion_options = crate::device::QuantfusionOptions::default();
    if let Some(device) = std::env::var_os("QUANTFUSION_DEVICE") {
        quantfusion_options.device = device.to_string_lossy().parse()?;
    }
    options.extensions.insert(quantfusion_options);
    let config = SessionConfig::from(options)
        .with_information_schema(true)
        .with_extension(registry.clone());
    // Listings are not cached across queries: another process may commit or replace
    // partitions at any time, and a stale listing would miss new files or name
    // deleted ones (`SET datafusion.runtime.list_files_cache_limit` turns it back on).
    let caches = CacheManagerConfig::default().with_list_files_cache_limit(0);
    let runtime = RuntimeEnvBuilder::new()
        .with_object_store_registry(registry.clone())
        .with_cache_manager(caches)
        .build_arc()?;

    let ctx = with_url_tables(
        SessionContext::new_with_config_rt(config, runtime),
        registry,
    );
    ctx.register_udtf("parquet_metadata", Arc::new(ParquetMetadataFunc {}));
    quantfusion_udfs::register_all(&ctx);
    let device_rule = match backend {
        Some(backend) => crate::device::DeviceCheck::with_backend(backend),
        None => crate::device::DeviceCheck::default(),
    };
    quantfusion_udfs::add_physical_rule(&ctx, Arc::new(device_rule));
    Ok(Engine { ctx, object_stores })
}

/// `SELECT ... FROM 's3://bucket/prefix/'`, as `SessionContext::enable_url_table`
/// but with errors that explain an unreadable location (the registry builds the
/// store on first use).
fn with_url_tables(ctx: SessionContext, registry: Arc<StoreRegistry>) -> SessionContext {
    let factory = Arc::new(UrlTables::new(
        DynamicListTableFactory::new(SessionStore::new()),
        registry,
    ));
    let catalogs = Arc::new(DynamicFileCatalog::new(
        Arc::clone(ctx.state().catalog_list()),
        Arc::clone(&factory) as Arc<dyn UrlTableFactory>,
    ));
    let session_id = ctx.session_id();
    let ctx: SessionContext = ctx
        .into_state_builder()
        .with_session_id(session_id)
        .with_catalog_list(catalogs)
        .build()
        .into();
    factory
        .inner
        .session_store()
        .with_state(ctx.state_weak_ref());
    ctx
}

/// Just the session, for embedding and tests.
pub fn session_context() -> Result<SessionContext> {
    Ok(engine()?.ctx)
}
