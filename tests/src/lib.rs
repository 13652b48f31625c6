//! Test support shared by Puente's suites: real servers, started and stopped per test
//! binary, and clients that speak to them over real HTTP.

pub mod api;
pub mod moto;
pub mod server;
