//! Where datasets live: local directories and `s3://` / `r2://` URLs, the object
//! stores that serve them (configured from the environment), and the committed view
//! through which quantfusion reads them.
//!
//! A materialisation publishes each partition directory atomically by writing a
//! manifest (`_manifest.json`) that lists its files; readers going through
//! quantfusion see only the listed files of a directory that has a manifest, so data
//! still being written, or left behind by a killed writer, is never visible.

pub mod committed;
pub mod env_stores;
pub mod local_reads;
pub mod location;
pub mod manifest;
pub mod registry;
pub mod url_tables;

pub use location::Location;
pub use registry::StoreRegistry;
