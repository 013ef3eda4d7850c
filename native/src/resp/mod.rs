//! RESP: the request parser (`parse`) and the reply encoder (`encode`).
pub mod encode;
pub mod parse;
