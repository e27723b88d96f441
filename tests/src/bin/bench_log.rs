//! The log write benchmark (see README).
fn main() {}
