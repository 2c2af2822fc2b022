//! # http-core: the sans-IO heart of the stack
//!
//! Everything HTTP/1.1 that can be decided from bytes alone, shared by the
//! server, the client and the proxy code:
//!
//! - message types: [`Method`], [`Version`], [`StatusCode`], [`Headers`],
//!   [`RequestHead`], [`ResponseHead`];
//! - an incremental, zero-copy head parser ([`RequestParser`],
//!   [`ResponseParser`]) with limits that map to distinct errors;
//! - body framing and keep-alive rules as pure functions
//!   ([`request_body_kind`], [`response_body_kind`], [`keep_alive`]), and
//!   [`check_request`], which a server calls once per head: the request
//!   rules, its framing, `Expect` and keep-alive from one pass over the
//!   fields ([`check_noted`] from the [`FieldNotes`] that
//!   [`RequestParser::parse_into`] takes as it parses, without that pass);
//! - the chunked coding ([`ChunkedDecoder`], [`encode_chunk`]) and one
//!   body decoder for both directions ([`BodyDecoder`]);
//! - the token rule ([`is_token`]) and HTTP dates ([`parse_http_date`]);
//! - request targets, percent-decoding and query pairs; the `Host` rule
//!   ([`is_valid_host`]);
//! - head encoding and a cached `Date` value.
//!
//! Out of scope, by design: sockets, threads, clocks (callers pass the time
//! in), TLS, HTTP/2. [`ParseError::status`] is the one table from a parse
//! error to the status a server answers with.
//!
//! ## How strict, and where deliberately not
//!
//! Requests are read by RFC 9112's grammar, strictly wherever two parsers
//! in a chain could disagree on where a message ends or what it means:
//! head lines end in CRLF (no bare LF or CR, no obs-fold, no space before
//! a colon); the request-target is one of the four forms for its method
//! ([`check_target_form`]); a `Content-Length` is one field of one run of
//! digits (a list, even of equal values, is refused, as nginx does); chunk
//! lines follow RFC 9112 7.1 exactly ([`ChunkedDecoder::new`]); HTTP/1.2
//! to HTTP/1.9 are read as HTTP/1.1 (RFC 9110 2.5), any other version is
//! refused with 505. The leniencies left, each on purpose:
//!
//! - a request-target may hold raw UTF-8 (nginx accepts it; the grammar
//!   wants it percent-encoded, and no browser sends it raw), and an
//!   origin-form target is not scanned for a `#` (nginx and httparse take
//!   it too; it reaches the handler in the path and frames nothing);
//! - leading empty lines before a request line are skipped (RFC 9112 2.2);
//! - whitespace around a field value is trimmed (it is OWS);
//! - responses, which a client reads from the one server it asked, are
//!   read as curl reads them where curl is more lenient and framing is not
//!   at stake: bare LF line ends and obs-fold when the caller asks
//!   ([`ResponseParser`]), a `Content-Length` list of equal values
//!   collapsed, and anything but control bytes skipped after a chunk size
//!   ([`ChunkedDecoder::lenient`], through [`BodyDecoder::for_response`]).
//!
//! ```
//! use brisk_core::{RequestParser, Limits, Status, EMPTY_HEADER};
//!
//! let mut parser = RequestParser::new(Limits::default());
//! let mut slots = [EMPTY_HEADER; 16];
//! let buf = b"GET /hello?x=1 HTTP/1.1\r\nHost: example.com\r\n\r\n";
//! match parser.parse(buf, &mut slots)? {
//!     Status::Complete((req, head_len)) => {
//!         assert_eq!(req.method, "GET");
//!         assert_eq!(req.target, "/hello?x=1");
//!         assert_eq!(req.headers[0].value, b"example.com");
//!         assert_eq!(head_len, buf.len());
//!     }
//!     Status::Partial => unreachable!("the head is complete"),
//! }
//! # Ok::<(), brisk_core::ParseError>(())
//! ```
// `unsafe` is denied everywhere but in the `ascii` module (ascii/mod.rs
// and ascii/sse2.rs), which says why it needs it.
#![deny(unsafe_code)]

pub mod accept_encoding;
mod ascii;
mod body;
mod chars;
mod chunked;
mod encode;
mod error;
mod field_notes;
mod framing;
mod headers;
mod host;
mod method;
mod parse;
mod status;
mod target;
mod version;
pub mod ws;

pub use body::{BodyDecoder, Truncated};
pub use chars::is_token;
pub use chunked::{
    encode_chunk, encode_chunk_size, ChunkedDecoder, LAST_CHUNK, MAX_CHUNK_EXT_BYTES,
    MAX_TRAILER_BYTES,
};
pub use encode::{
    encode_field, encode_request_head, encode_response_head, encode_status_line, fmt_http_date,
    parse_http_date, DateCache,
};
pub use error::ParseError;
pub use field_notes::FieldNotes;
pub use framing::{
    check_noted, check_request, expects_continue, keep_alive, request_body_kind,
    response_body_kind, validate_request, BodyKind, RequestFacts,
};
pub use headers::Headers;
pub use host::is_valid_host;
pub use method::Method;
pub use parse::{
    parse_request, parse_response, Header, Limits, RequestParser, RequestView, ResponseParser,
    ResponseView, Status, EMPTY_HEADER,
};
pub use status::StatusCode;
pub use target::{
    check_target_form, decode_path, encode_path, encode_segment, form_pairs, origin_path_end,
    parse_authority, parse_target, percent_decode, query_pairs, Target,
};
pub use version::Version;

/// For the fuzz target `scans` only (feature `fuzzing`): the check that
/// holds the parser's vector and word-at-a-time scans to their byte-at-a-
/// time definitions. Not part of the API.
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod __fuzzing {
    pub use crate::chars::oracle::check_scans;
}

/// An owned request head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestHead {
    pub method: Method,
    pub target: String,
    pub version: Version,
    pub headers: Headers,
}

/// An owned response head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseHead {
    pub version: Version,
    pub status: StatusCode,
    pub reason: String,
    pub headers: Headers,
}
