//! Puente's security core, small enough to audit on its own: opaque identifiers, key
//! derivation from a passphrase, the encryption envelope, identity keys (to sign and to
//! receive sealed keys), sealing to a public key, and the organisation's membership log,
//! signed by administrators and chained by hash so that the server cannot add a member.
//! Pure (no I/O); compiled natively and to wasm32.

pub mod crypto;
pub mod ids;
pub mod membership;
pub mod wire;
