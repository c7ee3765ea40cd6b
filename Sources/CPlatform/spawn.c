// The C side of launching: glibc hides POSIX_SPAWN_SETSID and
// posix_spawn_file_actions_addclosefrom_np behind _GNU_SOURCE, which Swift's
// Glibc module does not define, so this small file does the spawning itself.
#define _GNU_SOURCE
#include "callpop_platform.h"
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>

int callpop_spawn(const char *file, char *const argv[], char *const envp[], pid_t *pid) {
    return callpop_spawn_output(file, argv, envp, -1, pid);
}

int callpop_spawn_output(const char *file, char *const argv[], char *const envp[], int stdout_fd, pid_t *pid) {
    posix_spawnattr_t attr;
    posix_spawn_file_actions_t actions;
    sigset_t empty, all;
    int rc;

    if ((rc = posix_spawnattr_init(&attr)) != 0) return rc;
    if ((rc = posix_spawn_file_actions_init(&actions)) != 0) {
        posix_spawnattr_destroy(&attr);
        return rc;
    }
    sigemptyset(&empty);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attr, &empty);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    if (stdout_fd >= 0)
        posix_spawn_file_actions_adddup2(&actions, stdout_fd, 1);
    else
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addclosefrom_np(&actions, 3);

    rc = posix_spawnp(pid, file, &actions, &attr, argv, envp);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    return rc;
}

struct reap_job {
    pid_t pid;
    callpop_reaped_fn done;
    void *context;
};

static void reap_body(void *arg) {
    struct reap_job job = *(struct reap_job *)arg;
    free(arg);
    int status = 0;
    pid_t r;
    do {
        r = waitpid(job.pid, &status, 0);
    } while (r < 0 && errno == EINTR);
    job.done(job.context, r < 0 ? -1 : status);
}

int callpop_reap_async(pid_t pid, callpop_reaped_fn done, void *context) {
    struct reap_job *job = malloc(sizeof *job);
    if (!job) return ENOMEM;
    job->pid = pid;
    job->done = done;
    job->context = context;
    int rc = callpop_thread_start(reap_body, job);
    if (rc != 0) free(job);
    return rc;
}

struct thread_job {
    void (*body)(void *);
    void *context;
};

static void *thread_main(void *arg) {
    struct thread_job job = *(struct thread_job *)arg;
    free(arg);
    job.body(job.context);
    return NULL;
}

int callpop_thread_start(void (*body)(void *context), void *context) {
    struct thread_job *job = malloc(sizeof *job);
    if (!job) return ENOMEM;
    job->body = body;
    job->context = context;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, 1024 * 1024);
    pthread_t thread;
    int rc = pthread_create(&thread, &attr, thread_main, job);
    pthread_attr_destroy(&attr);
    if (rc != 0) free(job);
    return rc;
}
