//! A dataset location as a user names it: a local directory, `file://`, `s3://` or
//! `r2://` URL.

use datafusion::common::{plan_datafusion_err, plan_err, Result};
use datafusion::execution::object_store::ObjectStoreUrl;
use object_store::path::Path;
use std::fmt;
use url::Url;

/// Schemes quantfusion configures stores for by itself.
pub const SCHEMES: &[&str] = &["file", "s3", "r2"];

/// A directory in a local filesystem or a bucket. Displayed as its URL, which never
/// holds credentials (they come from the environment).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// Always ends with `/`.
    url: Url,
    /// The key prefix within the store.
    prefix: Path,
}

impl Location {
    /// Parses `s3://bucket/prefix`, `r2://bucket/prefix`, `file:///dir` or a local path
    /// (relative paths are resolved against the working directory).
    pub fn parse(text: &str) -> Result<Self> {
        let text = text.trim();
        if text.is_empty() {
            return plan_err!("an empty location was given; expected a directory or a URL");
        }
        let mut url = if text.contains("://") {
            let url = Url::parse(text)
                .map_err(|e| plan_datafusion_err!("'{text}' is not a valid URL: {e}"))?;
            if !SCHEMES.contains(&url.scheme()) {
                return plan_err!(
                    "unknown storage scheme '{}://' in '{text}': quantfusion reads and writes \
                     local paths, file://, s3:// and r2:// URLs",
                    url.scheme()
                );
            }
            if url.scheme() != "file" && url.host_str().is_none_or(str::is_empty) {
                return plan_err!(
                    "'{text}' names no bucket (expected {}://BUCKET/PATH)",
                    url.scheme()
                );
            }
            url
        } else {
            let absolute = std::path::absolute(text)
                .map_err(|e| plan_datafusion_err!("cannot resolve the path '{text}': {e}"))?;
            Url::from_directory_path(normalize(&absolute))
                .map_err(|()| plan_datafusion_err!("cannot use '{text}' as a directory"))?
        };
        if !url.path().ends_with('/') {
            let path = format!("{}/", url.path());
            url.set_path(&path);
        }
        url.set_query(None);
        url.set_fragment(None);
        let prefix = Path::from_url_path(url.path())
            .map_err(|e| plan_datafusion_err!("'{text}' is not a usable location: {e}"))?;
        if url.scheme() == "file" && prefix.as_ref().is_empty() {
            return plan_err!("'{text}' is the filesystem root; name a directory");
        }
        Ok(Location { url, prefix })
    }

    /// The store this location lives in (`s3://bucket`, `file://`).
    pub fn store_url(&self) -> ObjectStoreUrl {
        let base = &self.url[..url::Position::BeforePath];
        ObjectStoreUrl::parse(base).expect("a parsed URL's scheme and host form a store URL")
    }

    /// The location's key prefix within its store.
    pub fn prefix(&self) -> Path {
        self.prefix.clone()
    }

    pub fn url(&self) -> &Url {
        &self.url
    }

    pub fn is_local(&self) -> bool {
        self.url.scheme() == "file"
    }

    /// The URL of `key` (a path within the same store), for messages.
    pub fn url_of(&self, key: &Path) -> String {
        format!("{}/{key}", self.store_url().as_str().trim_end_matches('/'))
    }
}

/// Removes `.` and `..` components without touching the filesystem (the directory
/// may not exist yet).
pub(crate) fn normalize(path: &std::path::Path) -> std::path::PathBuf {
    use std::path::Component;
    let mut out = std::path::PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.url.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_urls_keep_bucket_and_prefix() {
        let l = Location::parse("s3://quotes/fx/m1").unwrap();
        assert_eq!(l.to_string(), "s3://quotes/fx/m1/");
        assert_eq!(l.store_url().as_str(), "s3://quotes/");
        assert_eq!(l.prefix().as_ref(), "fx/m1");
        assert_eq!(
            l.url_of(&Path::from("fx/m1/a.parquet")),
            "s3://quotes/fx/m1/a.parquet"
        );
    }

    #[test]
    fn local_paths_become_absolute_file_urls() {
        let l = Location::parse("out/features").unwrap();
        assert!(l.is_local());
        assert!(l.to_string().starts_with("file:///"), "{l}");
        assert!(
            l.prefix().as_ref().ends_with("out/features"),
            "{}",
            l.prefix()
        );
    }

    #[test]
    fn unknown_schemes_and_missing_buckets_are_named() {
        let err = Location::parse("gs://b/x").unwrap_err().to_string();
        assert!(err.contains("unknown storage scheme 'gs://'"), "{err}");
        let err = Location::parse("s3:///x").unwrap_err().to_string();
        assert!(err.contains("names no bucket"), "{err}");
        assert!(Location::parse("  ").is_err());
    }
}
