//! Serve a directory over HTTP/1.1: the [`StaticFiles`] handler for
//! `http-server`, and the pure pieces it is made of.
#![forbid(unsafe_code)]

pub mod access_log;
pub mod conditional;
pub mod content_type;
pub mod encoding;
mod handler;
pub mod listing;
pub mod range;
pub mod resolve;
mod timefmt;

pub use handler::{StaticFiles, ALLOW, DEFAULT_CACHE_CONTROL};
