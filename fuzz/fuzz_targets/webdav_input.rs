//! WebDAV's parsers of untrusted input (request bodies as XML, the `If`
//! and `Timeout` headers): never a panic, and a parsed XML element written
//! back parses to the same element.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    brisk_static::fuzzing::webdav_input(data);
});
