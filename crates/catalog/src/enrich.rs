//! Enrichment from OpenRouter's public catalog (work in progress).
