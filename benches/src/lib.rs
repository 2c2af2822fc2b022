//! Benchmarks live in `benches/`; load scripts in `load/`.
