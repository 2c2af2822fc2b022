//! Benchmarks live in `benches/`; load scripts in `load/`. This library only
//! holds the fixtures they share.

pub mod fixtures;
