//! Object stores for `s3://` and `r2://` URLs, configured from the environment.
//!
//! S3 reads the standard `AWS_*` variables as object_store does (`AWS_ACCESS_KEY_ID`,
//! `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, `AWS_REGION`, `AWS_ENDPOINT`,
//! `AWS_ALLOW_HTTP`, `AWS_SKIP_SIGNATURE`, `AWS_WEB_IDENTITY_TOKEN_FILE`, ...).
//! Cloudflare R2 reads `R2_ACCOUNT_ID`, `R2_ACCESS_KEY` and `R2_SECRET_KEY`, the
//! endpoint being `https://<account>.r2.cloudflarestorage.com` unless `R2_ENDPOINT`
//! names another. Missing credentials fail at once rather than after probing an
//! instance-metadata service that is not there.

use datafusion::common::{plan_datafusion_err, plan_err, Result};
use object_store::aws::AmazonS3Builder;
use object_store::{ObjectStore, RetryConfig};
use std::sync::Arc;
use std::time::Duration;
use url::Url;

/// Builds the store serving `url`'s bucket.
pub fn store_from_env(url: &Url) -> Result<Arc<dyn ObjectStore>> {
    let bucket = url.host_str().unwrap_or_default();
    if bucket.is_empty() {
        return plan_err!("'{url}' names no bucket");
    }
    let builder = match url.scheme() {
        "s3" => s3_builder(bucket)?,
        "r2" => r2_builder(bucket)?,
        other => {
            return plan_err!(
                "unknown storage scheme '{other}://' in '{url}': quantfusion reads and writes \
                 local paths, file://, s3:// and r2:// URLs"
            )
        }
    };
    let store = builder
        .with_retry(retry_config())
        .build()
        .map_err(|e| plan_datafusion_err!("cannot configure storage for '{url}': {e}"))?;
    Ok(Arc::new(store))
}

/// Transient faults (5xx, connection resets, timeouts) are retried with exponential
/// backoff; client errors (403, 404) are not retried by object_store.
fn retry_config() -> RetryConfig {
    RetryConfig {
        max_retries: 10,
        retry_timeout: Duration::from_secs(180),
        ..RetryConfig::default()
    }
}

fn s3_builder(bucket: &str) -> Result<AmazonS3Builder> {
    let has = |name: &str| std::env::var(name).is_ok_and(|v| !v.is_empty());
    let static_keys = has("AWS_ACCESS_KEY_ID") && has("AWS_SECRET_ACCESS_KEY");
    let unsigned = std::env::var("AWS_SKIP_SIGNATURE").is_ok_and(|v| v == "true" || v == "1");
    let provided = has("AWS_WEB_IDENTITY_TOKEN_FILE")
        || has("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
        || has("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    if !(static_keys || unsigned || provided) {
        return plan_err!(
            "no credentials for s3://{bucket}: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY \
             (or AWS_WEB_IDENTITY_TOKEN_FILE, or AWS_SKIP_SIGNATURE=true for a public bucket)"
        );
    }
    Ok(AmazonS3Builder::from_env().with_bucket_name(bucket))
}

fn r2_builder(bucket: &str) -> Result<AmazonS3Builder> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let endpoint = match (var("R2_ENDPOINT"), var("R2_ACCOUNT_ID")) {
        (Some(endpoint), _) => endpoint,
        (None, Some(account)) => format!("https://{account}.r2.cloudflarestorage.com"),
        (None, None) => {
            return plan_err!("no account for r2://{bucket}: set R2_ACCOUNT_ID (or R2_ENDPOINT)")
        }
    };
    let (Some(key), Some(secret)) = (var("R2_ACCESS_KEY"), var("R2_SECRET_KEY")) else {
        return plan_err!("no credentials for r2://{bucket}: set R2_ACCESS_KEY and R2_SECRET_KEY");
    };
    Ok(AmazonS3Builder::new()
        .with_bucket_name(bucket)
        .with_region("auto")
        .with_allow_http(endpoint.starts_with("http://"))
        .with_endpoint(endpoint)
        .with_access_key_id(key)
        .with_secret_access_key(secret))
}
