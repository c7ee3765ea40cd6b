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
#include <string.h>
#include <unistd.h>
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

/* One reaper thread for every child: it sleeps while no child of ours runs; otherwise it
 * waits with waitid(P_ALL, WEXITED | WNOWAIT) until any child has ended, without reaping it,
 * then reaps (WNOHANG) exactly the registered children that have ended. A child that is
 * not ours (a test's own process, say) is left to its owner; the thread then gives the
 * owner a moment instead of spinning on it. */
struct reap_entry {
    pid_t pid;
    callpop_reaped_fn done;
    void *context;
};

static pthread_mutex_t reap_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t reap_added = PTHREAD_COND_INITIALIZER;
static struct reap_entry *reap_table;
static size_t reap_count, reap_capacity;
static int reaper_running;

static void reaper_body(void *unused) {
    (void)unused;
    for (;;) {
        pthread_mutex_lock(&reap_lock);
        while (reap_count == 0) pthread_cond_wait(&reap_added, &reap_lock);
        pthread_mutex_unlock(&reap_lock);

        siginfo_t info;
        memset(&info, 0, sizeof info);
        int lost = 0;
        if (waitid(P_ALL, 0, &info, WEXITED | WNOWAIT) != 0) {
            if (errno == EINTR) continue;
            /* ECHILD: the kernel has no child for us, so someone else reaped ours. */
            lost = errno == ECHILD;
        }

        /* Take the ended children out under the lock; call them back after it. */
        struct reap_entry ended[64];
        int statuses[64];
        size_t n = 0;
        pthread_mutex_lock(&reap_lock);
        for (size_t i = 0; i < reap_count && n < 64;) {
            int status = 0;
            pid_t r = lost ? -1 : waitpid(reap_table[i].pid, &status, WNOHANG);
            if (r == 0) { i++; continue; }
            ended[n] = reap_table[i];
            statuses[n++] = r < 0 ? -1 : status;
            reap_table[i] = reap_table[--reap_count];
        }
        pthread_mutex_unlock(&reap_lock);
        for (size_t i = 0; i < n; i++) ended[i].done(ended[i].context, statuses[i]);
        if (n == 0) usleep(10000); /* a child that is not ours: its owner reaps it */
    }
}

int callpop_reap_async(pid_t pid, callpop_reaped_fn done, void *context) {
    pthread_mutex_lock(&reap_lock);
    if (reap_count == reap_capacity) {
        size_t capacity = reap_capacity ? reap_capacity * 2 : 16;
        struct reap_entry *table = realloc(reap_table, capacity * sizeof *table);
        if (!table) {
            pthread_mutex_unlock(&reap_lock);
            return ENOMEM;
        }
        reap_table = table;
        reap_capacity = capacity;
    }
    if (!reaper_running) {
        int rc = callpop_thread_start(reaper_body, NULL);
        if (rc != 0) {
            pthread_mutex_unlock(&reap_lock);
            return rc;
        }
        reaper_running = 1;
    }
    reap_table[reap_count++] = (struct reap_entry){pid, done, context};
    pthread_cond_signal(&reap_added);
    pthread_mutex_unlock(&reap_lock);
    return 0;
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
