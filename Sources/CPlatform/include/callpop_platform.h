#ifndef CALLPOP_PLATFORM_H
#define CALLPOP_PLATFORM_H
#include <sys/types.h>

/// posix_spawnp with callpop's child set-up: its own session (POSIX_SPAWN_SETSID),
/// default signal handlers and an empty signal mask, stdin and stdout on /dev/null,
/// every descriptor above 2 closed. Returns 0 or an errno value.
int callpop_spawn(const char *file, char *const argv[], char *const envp[], pid_t *pid);

/// The same, with stdout on `stdout_fd` (a pipe the caller reads) instead of /dev/null.
int callpop_spawn_output(const char *file, char *const argv[], char *const envp[], int stdout_fd, pid_t *pid);

/// Called on the reaper thread with the waitpid status (or -1 when it was lost).
typedef void (*callpop_reaped_fn)(void *context, int status);

/// Has `pid` (a child of ours) reaped and `done` called when it ends. One reaper thread
/// serves every child, however many run and however long (a program that never ends costs
/// a table entry, not a thread or a descriptor); it reaps only the children registered here.
/// Returns 0, or an errno value (then nothing is called).
int callpop_reap_async(pid_t pid, callpop_reaped_fn done, void *context);


/// Runs `body(context)` on a new detached thread with a small stack, for work that
/// must block (reading a FIFO or stdin) without holding one of Swift's pool threads.
/// Returns 0 or an errno value.
int callpop_thread_start(void (*body)(void *context), void *context);

/// pipe2(2) with O_CLOEXEC, and O_NONBLOCK on both ends when `nonblocking` (glibc hides
/// pipe2 behind _GNU_SOURCE). Returns 0 or an errno value.
int callpop_pipe(int fds[2], int nonblocking);

/// Makes `signo` write its number as one byte to `fd` (the write end of a non-blocking
/// pipe) instead of taking its default action. The handler only calls write(2), which is
/// async-signal-safe; a full pipe drops the byte (the reader is already due to wake).
/// Returns 0 or an errno value.
int callpop_signal_to_pipe(int signo, int fd);

/// Unblocks every signal in the calling thread. A parent may start us with signals
/// blocked (Foundation's Process hands children its thread's mask, with SIGTERM blocked);
/// threads created afterwards inherit the clean mask. Returns 0 or an errno value.
int callpop_signal_unblock_all(void);

/// Restores the default action of `signo`. Returns 0 or an errno value.
int callpop_signal_default(int signo);

/* Bytes of the C heap in use (mallinfo2's uordblks): tests use it to show memory stays flat. */
size_t callpop_heap_in_use(void);

#endif
