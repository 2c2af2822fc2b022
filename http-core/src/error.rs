//! The one error enum of the core, and the one table that maps it to a status.

use crate::StatusCode;
use std::fmt;

/// Everything that can be wrong with bytes a peer sent us.
///
/// Incomplete input is never an error: parsers answer `Status::Partial`.
/// Every variant maps to exactly one status code through [`ParseError::status`],
/// and a server that answers with it must close the connection afterwards,
/// because the next message's boundary is unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParseError {
    /// The method is not a token.
    Method,
    /// The request target is empty, contains a forbidden byte, or does not
    /// fit the form its method requires.
    Target,
    /// The version is not `HTTP/x.y` at all.
    Version,
    /// A well-formed version other than HTTP/1.0 or HTTP/1.1.
    UnsupportedVersion,
    /// The status line of a response is malformed.
    StatusLine,
    /// A header name is empty or contains a byte that is not a token byte
    /// (this includes whitespace before the colon).
    HeaderName,
    /// A header value contains a control byte.
    HeaderValue,
    /// A line continued with leading whitespace (obs-fold, RFC 9112 5.2).
    ObsFold,
    /// A CR not followed by LF, or an LF not preceded by CR.
    LineEnding,
    /// The request line is longer than the limit.
    RequestLineTooLong,
    /// The head is larger than the limit.
    HeadTooLarge,
    /// More header lines than the limit.
    TooManyHeaders,
    /// HTTP/1.1 request without `Host`, or with more than one.
    Host,
    /// A `Host` value that is not `uri-host [ ":" port ]` (RFC 9112 3.2).
    InvalidHost,
    /// `Content-Length` together with `Transfer-Encoding`.
    LengthAndTransferEncoding,
    /// `Transfer-Encoding` in an HTTP/1.0 request: its framing is faulty
    /// (RFC 9112 6.1), a 1.0 sender may not know chunked.
    TransferEncodingInHttp10,
    /// A `Content-Length` that is not plain digits, overflows, or disagrees
    /// with another `Content-Length`.
    ContentLength,
    /// `Transfer-Encoding` whose last coding is not `chunked` (request), or
    /// a malformed coding list (`chunked` twice, or with parameters).
    ChunkedNotLast,
    /// A transfer coding we do not implement.
    UnknownTransferCoding,
    /// Malformed chunk size line, chunk data not followed by CRLF, or a
    /// chunk size that overflows.
    Chunk,
    /// Chunk extensions or trailers over their limits.
    ChunkLimits,
    /// After the last chunk, something other than zero or more field lines
    /// and an empty line (RFC 9112 7.1.2): the message boundary is lost.
    Trailer,
    /// The body is larger than the configured limit.
    BodyTooLarge,
    /// An `Expect` value other than `100-continue`.
    Expectation,
}

impl ParseError {
    /// The one table from error to response status.
    pub fn status(self) -> StatusCode {
        use ParseError::*;
        match self {
            Method
            | Target
            | Version
            | StatusLine
            | HeaderName
            | HeaderValue
            | ObsFold
            | LineEnding
            | Host
            | InvalidHost
            | LengthAndTransferEncoding
            | TransferEncodingInHttp10
            | ContentLength
            | ChunkedNotLast
            | Chunk
            | ChunkLimits
            | Trailer => StatusCode::BAD_REQUEST,
            UnsupportedVersion => StatusCode::HTTP_VERSION_NOT_SUPPORTED,
            RequestLineTooLong => StatusCode::URI_TOO_LONG,
            HeadTooLarge | TooManyHeaders => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            UnknownTransferCoding => StatusCode::NOT_IMPLEMENTED,
            BodyTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Expectation => StatusCode::EXPECTATION_FAILED,
        }
    }

    /// A short human description, used in error bodies and client messages.
    pub fn description(self) -> &'static str {
        use ParseError::*;
        match self {
            Method => "invalid method",
            Target => "invalid request target",
            Version => "invalid HTTP version",
            UnsupportedVersion => "unsupported HTTP version",
            StatusLine => "invalid status line",
            HeaderName => "invalid header name",
            HeaderValue => "invalid header value",
            ObsFold => "obsolete line folding",
            LineEnding => "line not terminated by CRLF",
            RequestLineTooLong => "request line too long",
            HeadTooLarge => "message head too large",
            TooManyHeaders => "too many header fields",
            Host => "missing or duplicate Host header",
            InvalidHost => "invalid Host header",
            LengthAndTransferEncoding => "both Content-Length and Transfer-Encoding",
            TransferEncodingInHttp10 => "Transfer-Encoding in an HTTP/1.0 message",
            ContentLength => "invalid Content-Length",
            ChunkedNotLast => {
                "chunked is not the final transfer coding, once and without parameters"
            }
            UnknownTransferCoding => "unsupported transfer coding",
            Chunk => "malformed chunked body",
            ChunkLimits => "chunk extensions or trailers too large",
            Trailer => "malformed trailer section",
            BodyTooLarge => "body too large",
            Expectation => "unsupported expectation",
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.description())
    }
}

impl std::error::Error for ParseError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_table() {
        let cases = [
            (ParseError::HeaderName, 400),
            (ParseError::Host, 400),
            (ParseError::InvalidHost, 400),
            (ParseError::Trailer, 400),
            (ParseError::TransferEncodingInHttp10, 400),
            (ParseError::LengthAndTransferEncoding, 400),
            (ParseError::UnsupportedVersion, 505),
            (ParseError::RequestLineTooLong, 414),
            (ParseError::HeadTooLarge, 431),
            (ParseError::TooManyHeaders, 431),
            (ParseError::UnknownTransferCoding, 501),
            (ParseError::BodyTooLarge, 413),
            (ParseError::Expectation, 417),
        ];
        for (err, code) in cases {
            assert_eq!(err.status().as_u16(), code, "{err:?}");
        }
    }
}
