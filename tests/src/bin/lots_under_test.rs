//! The `lots` command, built in the tests package so end-to-end tests can start it as its own process.

fn main() -> std::process::ExitCode {
    service::cli::main()
}
