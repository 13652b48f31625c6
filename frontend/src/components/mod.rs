pub mod bind;
pub mod field;
pub mod header;
pub mod qr;
pub mod sync_badge;
pub mod tr;
