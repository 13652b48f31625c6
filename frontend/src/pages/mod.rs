pub mod account;
pub mod case;
pub mod cases;
pub mod enrol;
pub mod gate;
pub mod group;
pub mod login;
pub mod unlock;
