//! Placeholder until the static handler lands.
