//! Model discovery: which models a stored key can use, fast and even when its provider is
//! down.
//!
//! - [`cache`]: the per-key model cache in memory (single flight, one background refresh).
//! - [`enrich`]: the OpenRouter enrichment index and the id normalization it matches by.
//! - [`stored`]: the stored form of model lists (database rows shared by every replica).

pub mod cache;
pub mod enrich;
pub mod stored;
