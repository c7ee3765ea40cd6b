#ifndef CALLPOP_SPAWN_H
#define CALLPOP_SPAWN_H
#include <sys/types.h>

/// posix_spawnp with callpop's child set-up: its own session (POSIX_SPAWN_SETSID),
/// default signal handlers and an empty signal mask, stdin and stdout on /dev/null,
/// every descriptor above 2 closed. Returns 0 or an errno value.
int callpop_spawn(const char *file, char *const argv[], char *const envp[], pid_t *pid);

/// The same, with stdout on `stdout_fd` (a pipe the caller reads) instead of /dev/null.
int callpop_spawn_output(const char *file, char *const argv[], char *const envp[], int stdout_fd, pid_t *pid);

/// Called on the waiter thread with the waitpid status (or -1 when waitpid failed).
typedef void (*callpop_reaped_fn)(void *context, int status);

/// Starts a small detached thread that blocks in waitpid(pid) and then calls `done`.
/// Returns 0, or an errno value when no thread could be started (then nothing is called).
int callpop_reap_async(pid_t pid, callpop_reaped_fn done, void *context);


/// Runs `body(context)` on a new detached thread with a small stack, for work that
/// must block (reading a FIFO or stdin) without holding one of Swift's pool threads.
/// Returns 0 or an errno value.
int callpop_thread_start(void (*body)(void *context), void *context);
#endif
