/* LD_PRELOAD shim for counting instructions of Swift programs under Valgrind 3.19 (Debian 12).
 *
 * libdispatch parks the main thread in `sigsuspend(&mask)` with `mask` a `static const`
 * (read-only) sigset; Valgrind 3.19 writes to the mask it is given and dies with an internal
 * SIGSEGV. This wrapper hands the kernel a writable copy; nothing else changes. Used only by
 * Benchmarks/ami-bench/run_bench.py for callgrind runs. */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

int sigsuspend(const sigset_t *mask) {
    sigset_t copy = *mask;
    return (int)syscall(SYS_rt_sigsuspend, &copy, (size_t)(_NSIG / 8));
}
