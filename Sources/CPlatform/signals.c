// Signals without libdispatch: a handler that writes the signal number into a pipe.
// DispatchSource signal sources keep libdispatch's worker monitor armed, which wakes
// an idle agent once a second; a pipe read by a blocked thread never wakes it.
#define _GNU_SOURCE
#include "callpop_platform.h"
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

// One pipe per signal number; written only by the handler, set before it is installed.
static volatile sig_atomic_t signal_pipes[NSIG];

static void write_signal_number(int signo) {
    int saved = errno;
    unsigned char byte = (unsigned char)signo;
    if (signo > 0 && signo < NSIG && signal_pipes[signo] > 0) {
        ssize_t ignored = write(signal_pipes[signo], &byte, 1);
        (void)ignored;
    }
    errno = saved;
}

int callpop_signal_to_pipe(int signo, int fd) {
    if (signo <= 0 || signo >= NSIG) return EINVAL;
    signal_pipes[signo] = fd;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = write_signal_number;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    return sigaction(signo, &action, NULL) == 0 ? 0 : errno;
}

int callpop_signal_default(int signo) {
    if (signo <= 0 || signo >= NSIG) return EINVAL;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = SIG_DFL;
    sigemptyset(&action.sa_mask);
    int rc = sigaction(signo, &action, NULL) == 0 ? 0 : errno;
    signal_pipes[signo] = 0;
    return rc;
}

int callpop_pipe(int fds[2], int nonblocking) {
    return pipe2(fds, O_CLOEXEC | (nonblocking ? O_NONBLOCK : 0)) == 0 ? 0 : errno;
}

int callpop_signal_unblock_all(void) {
    sigset_t none;
    sigemptyset(&none);
    return pthread_sigmask(SIG_SETMASK, &none, NULL);
}
