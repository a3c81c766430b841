//! The `impostor` binary: a shim over `impostor::cli`.

// glibc's malloc takes an arena lock per call and showed as ~15% of a scan's CPU, much of it
// contended between worker threads; mimalloc's per-thread heaps avoid both.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    // mimalloc asks for transparent huge pages, and the kernel zeroes each 2 MiB page on its
    // first touch: 5–7 % of a scan's CPU went to that, and its resident memory was a third
    // higher. impostor's heap is small and short-lived; 4 KiB pages serve it better.
    #[cfg(target_os = "linux")]
    // SAFETY: prctl with an integer flag; it changes no memory and fails harmlessly.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
    impostor::cli::main()
}
