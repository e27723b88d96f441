//! The `lots` command: the one binary that serves Lots and runs its operator tasks.

fn main() -> std::process::ExitCode {
    service::cli::main()
}
