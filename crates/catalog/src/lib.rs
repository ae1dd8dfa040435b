//! Model discovery: which models a stored key can use, fast and even when its provider is
//! down.

pub mod enrich;
