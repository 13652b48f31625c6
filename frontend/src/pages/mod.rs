pub mod account;
pub mod case_edit;
pub mod cases;
pub mod enrol;
pub mod gate;
pub mod login;
pub mod unlock;
