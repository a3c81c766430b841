//! The `impostor` binary: a shim over `impostor::cli`.

fn main() -> std::process::ExitCode {
    impostor::cli::main()
}
