//! The `impostor` binary: a shim over `impostor::cli`.

// glibc's malloc takes an arena lock per call and showed as ~15% of a scan's CPU, much of it
// contended between worker threads; mimalloc's per-thread heaps avoid both.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    impostor::cli::main()
}
