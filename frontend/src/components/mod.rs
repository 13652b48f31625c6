pub mod field;
pub mod header;
pub mod sync_badge;
