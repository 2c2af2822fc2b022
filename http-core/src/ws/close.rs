//! Close codes (RFC 6455 7.4) with the RFC's names, and which of them may
//! appear on the wire.

use std::fmt;

/// A close status code. The named ones are RFC 6455 7.4.1's (and IANA's
/// 1012-1014); anything else is [`CloseCode::Other`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CloseCode {
    /// 1000: the purpose of the connection is fulfilled.
    Normal,
    /// 1001: an endpoint is going away (server shutdown, page navigated away).
    GoingAway,
    /// 1002: a protocol error.
    Protocol,
    /// 1003: a data type the endpoint cannot accept.
    Unsupported,
    /// 1005: no status code was present (never sent on the wire).
    NoStatus,
    /// 1006: the connection closed without a close frame (never sent).
    Abnormal,
    /// 1007: data inconsistent with the message type (bad UTF-8 in text).
    InvalidPayload,
    /// 1008: a message violates the endpoint's policy.
    Policy,
    /// 1009: a message too big to process.
    TooBig,
    /// 1010: the client expected an extension the server did not negotiate.
    MandatoryExtension,
    /// 1011: the server met an unexpected condition.
    Internal,
    /// 1012: the service is restarting.
    ServiceRestart,
    /// 1013: try again later.
    TryAgainLater,
    /// 1014: a gateway got an invalid response upstream.
    BadGateway,
    /// 1015: the TLS handshake failed (never sent).
    TlsHandshake,
    /// Any other code.
    Other(u16),
}

impl CloseCode {
    /// The code's number.
    pub fn as_u16(self) -> u16 {
        match self {
            CloseCode::Normal => 1000,
            CloseCode::GoingAway => 1001,
            CloseCode::Protocol => 1002,
            CloseCode::Unsupported => 1003,
            CloseCode::NoStatus => 1005,
            CloseCode::Abnormal => 1006,
            CloseCode::InvalidPayload => 1007,
            CloseCode::Policy => 1008,
            CloseCode::TooBig => 1009,
            CloseCode::MandatoryExtension => 1010,
            CloseCode::Internal => 1011,
            CloseCode::ServiceRestart => 1012,
            CloseCode::TryAgainLater => 1013,
            CloseCode::BadGateway => 1014,
            CloseCode::TlsHandshake => 1015,
            CloseCode::Other(n) => n,
        }
    }

    /// The code for a number (named when the RFC names it).
    pub fn from_u16(n: u16) -> CloseCode {
        match n {
            1000 => CloseCode::Normal,
            1001 => CloseCode::GoingAway,
            1002 => CloseCode::Protocol,
            1003 => CloseCode::Unsupported,
            1005 => CloseCode::NoStatus,
            1006 => CloseCode::Abnormal,
            1007 => CloseCode::InvalidPayload,
            1008 => CloseCode::Policy,
            1009 => CloseCode::TooBig,
            1010 => CloseCode::MandatoryExtension,
            1011 => CloseCode::Internal,
            1012 => CloseCode::ServiceRestart,
            1013 => CloseCode::TryAgainLater,
            1014 => CloseCode::BadGateway,
            1015 => CloseCode::TlsHandshake,
            n => CloseCode::Other(n),
        }
    }

    /// Whether the code may be carried by a close frame (RFC 6455 7.4):
    /// 1000-1003 and 1007-1014 (defined), 3000-4999 (registered and
    /// private). Below 1000, 1004-1006, 1015, 1016-2999 and 5000 and above
    /// are not.
    pub fn is_sendable(self) -> bool {
        matches!(self.as_u16(), 1000..=1003 | 1007..=1014 | 3000..=4999)
    }
}

impl fmt::Display for CloseCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.as_u16())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sendable_codes_follow_rfc_6455_7_4() {
        let cases = [
            (0, false),
            (999, false),
            (1000, true),
            (1003, true),
            (1004, false),
            (1005, false),
            (1006, false),
            (1007, true),
            (1014, true),
            (1015, false),
            (1016, false),
            (2999, false),
            (3000, true),
            (4999, true),
            (5000, false),
            (65535, false),
        ];
        for (n, ok) in cases {
            assert_eq!(CloseCode::from_u16(n).is_sendable(), ok, "{n}");
        }
    }

    #[test]
    fn numbers_round_trip() {
        for n in [1000, 1001, 1005, 1011, 1015, 3000, 4321] {
            assert_eq!(CloseCode::from_u16(n).as_u16(), n);
        }
        assert_eq!(CloseCode::from_u16(1009), CloseCode::TooBig);
    }
}
