/* ami-replay: serves the recorded Asterisk streams to one AMI client over loopback and
 * measures it. The events of the given recordings form one loop; every loop rewrites the
 * call ids (Uniqueid/Linkedid seconds and channel sequence suffixes) so that each loop is new
 * calls. It speaks enough AMI for real clients: banner, Challenge (MD5) and Login (plain or
 * MD5 key, checked), CoreShowChannels, Ping, Logoff.
 *
 * It starts the client itself (everything after `--`; @PORT@ in the argument list and in
 * --template files is replaced by the listening port), runs callpop's decisions for the user
 * over the first loop (Benchmarks/ami-bench/decide.c) to know which event triggers which
 * decision, cuts the last loop after the event of its last decision, reads the client's
 * decision lines from its stdout, and reads the client's CPU time (all threads,
 * /proc/PID/stat) at login and at the last decision. With --latency FIFO it serves one call
 * at a time: after each launch's trigger event it waits for the stub opener's report on FIFO
 * and records the time from the event's last byte on the socket to the opener running.
 *
 * Results go to stdout as key=value lines; timings are information, never pass/fail.
 */
#define _GNU_SOURCE
#include "amib.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <regex.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static void fail(const char *message) {
    fprintf(stderr, "ami-replay: %s\n", message);
    exit(2);
}

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static char *read_file(const char *path, size_t *length) {
    FILE *file = fopen(path, "rb");
    if (!file) return NULL;
    size_t size = 0, capacity = 1 << 16;
    char *bytes = malloc(capacity);
    for (;;) {
        if (size == capacity) bytes = realloc(bytes, capacity *= 2);
        size_t n = fread(bytes + size, 1, capacity - size, file);
        if (n == 0) break;
        size += n;
    }
    fclose(file);
    *length = size;
    return bytes;
}

/* ---- the loop: the recordings' events, with the places where ids are rewritten ----------- */

struct site {
    size_t offset;
    int hex;                 /* 0: 10-digit seconds of a Uniqueid; 1: 8-hex-digit channel suffix */
    unsigned long long value;
};

static char *loop_bytes;      /* the current loop, rewritten in place */
static size_t loop_length;
static size_t *message_ends;  /* offset just past each message of the loop */
static int message_count;
static struct site *sites;
static int site_count;

static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_hex(int c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

static void add_site(size_t offset, int hex, unsigned long long value) {
    if (site_count % 256 == 0) sites = realloc(sites, (size_t)(site_count + 256) * sizeof *sites);
    sites[site_count++] = (struct site){offset, hex, value};
}

/* Appends the `Event:` messages of one recording (its banner, login response and Goodbye are
 * the server's own business) and finds the id sites in them. */
static void add_recording(const char *path) {
    size_t length;
    char *bytes = read_file(path, &length);
    if (!bytes) { fprintf(stderr, "ami-replay: cannot read %s\n", path); exit(2); }
    size_t at = 0;
    const char *newline = memchr(bytes, '\n', length);
    if (newline && length > 22 && memcmp(bytes, "Asterisk Call Manager/", 22) == 0) at = (size_t)(newline - bytes) + 1;
    while (at < length) {
        size_t n = amib_message_end(bytes + at, length - at);
        if (n == 0) break;
        if (n > 7 && memcmp(bytes + at, "Event: ", 7) == 0) {
            loop_bytes = realloc(loop_bytes, loop_length + n);
            memcpy(loop_bytes + loop_length, bytes + at, n);
            loop_length += n;
            message_ends = realloc(message_ends, (size_t)(message_count + 1) * sizeof *message_ends);
            message_ends[message_count++] = loop_length;
        }
        at += n;
    }
    free(bytes);
}

static void find_sites(void) {
    const char *p = loop_bytes;
    for (size_t i = 0; i < loop_length; i++) {
        /* Uniqueid-style ids: exactly ten digits, a dot, a digit (1795593625.1). */
        if (is_digit(p[i]) && (i == 0 || !is_digit(p[i - 1])) && i + 12 <= loop_length) {
            size_t j = i;
            while (j < loop_length && is_digit(p[j])) j++;
            if (j - i == 10 && p[j] == '.' && is_digit(p[j + 1])) {
                add_site(i, 0, strtoull(p + i, NULL, 10));
                i = j;
                continue;
            }
        }
        /* Channel sequence suffixes: '-', exactly eight hex digits, then no hex digit (PJSIP/201-0000000a;1). */
        if (p[i] == '-' && i > 0 && i + 9 < loop_length && !is_hex(p[i + 9])) {
            int ok = 1;
            for (int k = 1; k <= 8 && ok; k++) ok = is_hex(p[i + k]);
            if (ok) {
                add_site(i + 1, 1, strtoull(p + i + 1, NULL, 16));
                i += 8;
            }
        }
    }
}

/* Rewrites the ids of the loop for loop number `k`; lengths never change. */
static void rewrite_loop(unsigned long long k) {
    char text[16];
    for (int i = 0; i < site_count; i++) {
        if (sites[i].hex) {
            snprintf(text, sizeof text, "%08llx", (sites[i].value + 16 * k) & 0xffffffffULL);
            memcpy(loop_bytes + sites[i].offset, text, 8);
        } else {
            snprintf(text, sizeof text, "%010llu", sites[i].value + 100 * k);
            memcpy(loop_bytes + sites[i].offset, text, 10);
        }
    }
}

/* ---- what the decider says about one loop ------------------------------------------------ */

static int *decisions_at;  /* decisions caused by each message */
static int *launches_at;   /* launches caused by each message */
static int current_decisions, current_launches;

static void count_decision(void *context, const struct amib_decision *decision) {
    (void)context;
    current_decisions++;
    if (decision->launch) current_launches++;
}

static void plan_loop(const char *extension) {
    static struct amib_decider decider;
    static struct amib_msg message;
    amib_decider_init(&decider, extension, count_decision, NULL);
    decisions_at = calloc((size_t)message_count, sizeof *decisions_at);
    launches_at = calloc((size_t)message_count, sizeof *launches_at);
    size_t start = 0;
    for (int i = 0; i < message_count; i++) {
        current_decisions = current_launches = 0;
        amib_parse(loop_bytes + start, message_ends[i] - start, &message);
        amib_feed(&decider, &message);
        decisions_at[i] = current_decisions;
        launches_at[i] = current_launches;
        start = message_ends[i];
    }
}

/* ---- the client process ------------------------------------------------------------------ */

static pid_t client;

/* The client's CPU time so far, all threads, in clock ticks; its kernel part in `system`. */
static long long client_ticks(long long *system) {
    char path[64], text[2048];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)client);
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -1;
    ssize_t n = read(fd, text, sizeof text - 1);
    close(fd);
    if (n <= 0) return -1;
    text[n] = 0;
    char *p = strrchr(text, ')');
    if (!p) return -1;
    /* after ") ": state(3) ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime(14) stime(15) */
    long long utime = 0, stime = 0;
    if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lld %lld", &utime, &stime) != 2) return -1;
    *system = stime;
    return utime + stime;
}

/* Context switches of all the client's live threads so far (voluntary: it waited; others: preempted). */
static long long client_switches(void) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task", (int)client);
    DIR *tasks = opendir(path);
    if (!tasks) return -1;
    long long total = 0;
    struct dirent *entry;
    while ((entry = readdir(tasks))) {
        if (entry->d_name[0] == '.') continue;
        char file[512], line[256];
        snprintf(file, sizeof file, "%s/%s/status", path, entry->d_name);
        FILE *status = fopen(file, "r");
        if (!status) continue;
        while (fgets(line, sizeof line, status)) {
            long long n;
            if (sscanf(line, "voluntary_ctxt_switches: %lld", &n) == 1 || sscanf(line, "nonvoluntary_ctxt_switches: %lld", &n) == 1) {
                total += n;
            }
        }
        fclose(status);
    }
    closedir(tasks);
    return total;
}

static char *replace_port(const char *text, int port) {
    char number[16];
    snprintf(number, sizeof number, "%d", port);
    size_t size = strlen(text) * 2 + 64;
    char *out = malloc(size);
    size_t n = 0;
    for (const char *p = text; *p;) {
        if (strncmp(p, "@PORT@", 6) == 0) {
            n += (size_t)snprintf(out + n, size - n, "%s", number);
            p += 6;
        } else {
            out[n++] = *p++;
        }
        if (n + 32 > size) out = realloc(out, size *= 2);
    }
    out[n] = 0;
    return out;
}

/* ---- the AMI conversation ---------------------------------------------------------------- */

static char out_buffer[1 << 20];
static size_t out_start, out_end;

static void queue(const char *bytes, size_t n) {
    if (out_end + n > sizeof out_buffer) {
        memmove(out_buffer, out_buffer + out_start, out_end - out_start);
        out_end -= out_start;
        out_start = 0;
    }
    if (out_end + n > sizeof out_buffer) fail("output buffer overflow");
    memcpy(out_buffer + out_end, bytes, n);
    out_end += n;
}

static void queuef(const char *format, const char *action_id, const char *extra) {
    char text[512];
    char id_line[160] = "";
    if (action_id && *action_id) snprintf(id_line, sizeof id_line, "ActionID: %s\r\n", action_id);
    int n = snprintf(text, sizeof text, format, id_line, extra ? extra : "");
    queue(text, (size_t)n);
}

static const char *challenge = "318472615";
static int logged_in, closing;

/* --honor-filters 1: Asterisk's `Events:` mask and `Filter` actions (manager.c's rules), so that
 * the bytes an agent receives can be measured; 2: the mask only, `Filter` refused. Otherwise
 * every client gets the full stream (the throughput comparison needs the same events for all)
 * and `Filter` is refused, as for an AMI user without the system permission. */
static int honor_filters;
static int events_all = 1;          /* `Events: on` */
static char event_mask[256];        /* otherwise the classes asked for, comma-separated */
static regex_t filters_in[16], filters_out[16];
static int filters_in_count, filters_out_count;
static int filters_arrived;

static void set_event_mask(const char *value) {
    events_all = strcasecmp(value, "on") == 0 || !*value;
    snprintf(event_mask, sizeof event_mask, "%s", value);
}

/* Whether the event message `text` (NUL-terminated) reaches the client. */
static int delivered(const char *text) {
    if (!honor_filters) return 1;
    if (!events_all) {
        if (strcasecmp(event_mask, "off") == 0) return 0;
        const char *privilege = strstr(text, "\nPrivilege: ");
        if (!privilege) return 0;
        privilege += 12;
        int match = 0;
        char classes[256];
        snprintf(classes, sizeof classes, "%s", event_mask);
        for (char *want = strtok(classes, ","); want && !match; want = strtok(NULL, ",")) {
            size_t n = strlen(want);
            for (const char *at = privilege; *at && *at != '\r' && !match; at++) {
                if ((at == privilege || at[-1] == ',') && strncasecmp(at, want, n) == 0 && (at[n] == ',' || at[n] == '\r')) match = 1;
            }
        }
        if (!match) return 0;
    }
    /* match_filter: includes only → any include; excludes only → no exclude; both → include, then no exclude. */
    if (filters_in_count) {
        int any = 0;
        for (int i = 0; i < filters_in_count && !any; i++) any = regexec(&filters_in[i], text, 0, NULL, 0) == 0;
        if (!any) return 0;
    }
    for (int i = 0; i < filters_out_count; i++) {
        if (regexec(&filters_out[i], text, 0, NULL, 0) == 0) return 0;
    }
    return 1;
}

static void add_filter(const char *pattern) {
    int exclude = pattern[0] == '!';
    regex_t *slot = exclude ? &filters_out[filters_out_count] : &filters_in[filters_in_count];
    if ((exclude ? filters_out_count : filters_in_count) >= 16) return;
    if (regcomp(slot, pattern + exclude, REG_EXTENDED | REG_NOSUB) != 0) return;
    if (exclude) filters_out_count++; else filters_in_count++;
    filters_arrived = 1;
}

/* Answers one action; returns 1 when the client just logged in. */
static int answer(const struct amib_msg *m, const char *username, const char *secret) {
    char action[64], id[128], user[128], key[64], given[256];
    amib_copy_value(m, "Action", action, sizeof action);
    amib_copy_value(m, "ActionID", id, sizeof id);
    if (strcasecmp(action, "Challenge") == 0) {
        queuef("Response: Success\r\n%sChallenge: %s\r\n\r\n", id, challenge);
    } else if (strcasecmp(action, "Login") == 0) {
        amib_copy_value(m, "Username", user, sizeof user);
        amib_copy_value(m, "Key", key, sizeof key);
        amib_copy_value(m, "Secret", given, sizeof given);
        int accepted = strcmp(user, username) == 0;
        if (amib_get(m, "Key")) {
            char joined[512], expected[33];
            snprintf(joined, sizeof joined, "%s%s", challenge, secret);
            amib_md5_hex(joined, strlen(joined), expected);
            accepted = accepted && strcasecmp(key, expected) == 0;
        } else {
            accepted = accepted && strcmp(given, secret) == 0;
        }
        if (!accepted) {
            queuef("Response: Error\r\n%sMessage: Authentication failed\r\n\r\n", id, NULL);
            closing = 1;
            return 0;
        }
        char events[256];
        amib_copy_value(m, "Events", events, sizeof events);
        set_event_mask(events);
        queuef("Response: Success\r\n%sMessage: Authentication accepted\r\n\r\n", id, NULL);
        queuef("Event: FullyBooted\r\nPrivilege: system,all\r\n%sStatus: Fully Booted\r\n\r\n", "", NULL);
        logged_in = 1;
        return 1;
    } else if (strcasecmp(action, "CoreShowChannels") == 0) {
        queuef("Response: Success\r\n%sEventList: start\r\nMessage: Channels will follow\r\n\r\n", id, NULL);
        queuef("Event: CoreShowChannelsComplete\r\n%sEventList: Complete\r\nListItems: 0\r\n\r\n", id, NULL);
    } else if (strcasecmp(action, "Ping") == 0) {
        queuef("Response: Success\r\n%sPing: Pong\r\nTimestamp: 1795593600.000000\r\n\r\n", id, NULL);
    } else if (strcasecmp(action, "Filter") == 0) {
        char pattern[1024];
        amib_copy_value(m, "Filter", pattern, sizeof pattern);
        if (honor_filters == 1) {
            add_filter(pattern);
            queuef("Response: Success\r\n%sMessage: Success\r\n\r\n", id, NULL);
        } else {
            queuef("Response: Error\r\n%sMessage: Permission denied\r\n\r\n", id, NULL);
        }
    } else if (strcasecmp(action, "Logoff") == 0) {
        queuef("Response: Goodbye\r\n%sMessage: Thanks for all the fish.\r\n\r\n", id, NULL);
        closing = 1;
    } else {
        queuef("Response: Error\r\n%sMessage: Invalid/unknown command\r\n\r\n", id, NULL);
    }
    return 0;
}

static int compare_ll(const void *a, const void *b) {
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

static void usage(void) {
    fail("usage: ami-replay --fixture FILE... [--loops N] [--username U] [--secret S] [--extension E]\n"
         "       [--template IN:OUT]... [--decisions FILE] [--client-log FILE] [--latency FIFO]\n"
         "       [--timeout SECONDS] [--honor-filters 1] -- CLIENT [ARGS...]\n"
         "       (@PORT@ is replaced in ARGS and templates)");
}

int main(int argc, char **argv) {
    const char *username = "popup", *secret = "bench-secret", *extension = "201";
    const char *decisions_path = NULL, *client_log = "/dev/null", *latency_fifo = NULL;
    const char *templates[16];
    int template_count = 0;
    long long loops = 1;
    int timeout = 60;
    int argi = 1;
    for (; argi < argc; argi++) {
        const char *a = argv[argi];
        if (strcmp(a, "--") == 0) { argi++; break; }
        if (argi + 1 >= argc) usage();
        const char *v = argv[++argi];
        if (strcmp(a, "--fixture") == 0) add_recording(v);
        else if (strcmp(a, "--loops") == 0) loops = atoll(v);
        else if (strcmp(a, "--username") == 0) username = v;
        else if (strcmp(a, "--secret") == 0) secret = v;
        else if (strcmp(a, "--extension") == 0) extension = v;
        else if (strcmp(a, "--template") == 0 && template_count < 16) templates[template_count++] = v;
        else if (strcmp(a, "--decisions") == 0) decisions_path = v;
        else if (strcmp(a, "--client-log") == 0) client_log = v;
        else if (strcmp(a, "--latency") == 0) latency_fifo = v;
        else if (strcmp(a, "--timeout") == 0) timeout = atoi(v);
        else if (strcmp(a, "--honor-filters") == 0) { honor_filters = atoi(v); }
        else usage();
    }
    if (argi >= argc || message_count == 0 || loops < 1) usage();
    signal(SIGPIPE, SIG_IGN);
    find_sites();
    plan_loop(extension);
    int last_trigger = -1, decisions_per_loop = 0, launches_per_loop = 0;
    for (int i = 0; i < message_count; i++) {
        if (decisions_at[i]) last_trigger = i;
        decisions_per_loop += decisions_at[i];
        launches_per_loop += launches_at[i];
    }
    if (last_trigger < 0) fail("the recordings cause no decision for this extension");
    long long expected_decisions = loops * decisions_per_loop;
    long long events_to_send = (loops - 1) * message_count + last_trigger + 1;

    int listener = socket(AF_INET, SOCK_STREAM, 0);
    int yes = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    struct sockaddr_in address = {.sin_family = AF_INET};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t address_length = sizeof address;
    if (bind(listener, (struct sockaddr *)&address, sizeof address) != 0 || listen(listener, 4) != 0 ||
        getsockname(listener, (struct sockaddr *)&address, &address_length) != 0) {
        fail("cannot listen on 127.0.0.1");
    }
    int port = ntohs(address.sin_port);

    for (int i = 0; i < template_count; i++) {
        char *spec = strdup(templates[i]);
        char *colon = strchr(spec, ':');
        if (!colon) fail("--template wants IN:OUT");
        *colon = 0;
        size_t length;
        char *text = read_file(spec, &length);
        if (!text) fail("cannot read a --template file");
        text = realloc(text, length + 1);
        text[length] = 0;
        char *filled = replace_port(text, port);
        FILE *out = fopen(colon + 1, "w");
        if (!out) fail("cannot write a --template output");
        fputs(filled, out);
        fclose(out);
        free(text);
        free(filled);
        free(spec);
    }

    int report_fd = -1, report_keep = -1;
    if (latency_fifo) {
        unlink(latency_fifo);
        if (mkfifo(latency_fifo, 0600) != 0) fail("cannot create the latency FIFO");
        report_fd = open(latency_fifo, O_RDONLY | O_NONBLOCK);
        report_keep = open(latency_fifo, O_WRONLY);  /* so the FIFO never reads as closed between openers */
        if (report_fd < 0 || report_keep < 0) fail("cannot open the latency FIFO");
    }
    FILE *decisions_file = decisions_path ? fopen(decisions_path, "w") : NULL;

    /* The client: stdout to us, stderr to its log, stdin from /dev/null. */
    int out_pipe[2];
    if (pipe2(out_pipe, O_CLOEXEC) != 0) fail("pipe");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
    posix_spawn_file_actions_addopen(&actions, 2, client_log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    char **client_argv = calloc((size_t)(argc - argi + 1), sizeof *client_argv);
    for (int i = argi; i < argc; i++) client_argv[i - argi] = replace_port(argv[i], port);
    long long spawned_at = now_ns();
    if (posix_spawnp(&client, client_argv[0], &actions, NULL, client_argv, environ) != 0) fail("cannot start the client");
    close(out_pipe[1]);
    int client_out = out_pipe[0];
    fcntl(client_out, F_SETFL, O_NONBLOCK);

    int connection = -1;
    char in_buffer[64 * 1024];
    size_t in_length = 0;
    char line_buffer[64 * 1024];
    size_t line_length = 0;
    long long loop_number = 0;
    int next_message = 0;          /* next message of the loop to queue */
    int rewritten = 0;             /* whether loop_bytes holds loop `loop_number` */
    long long events_sent = 0, decisions_seen = 0, events_delivered = 0, bytes_delivered = 0;
    long long login_at = 0, first_decision_at = 0, done_at = 0, ticks_at_login = -1, ticks_at_done = -1;
    long long system_at_login = 0, system_at_done = 0, switches_at_login = 0, switches_at_done = 0;
    long long progress_at = now_ns();
    int waiting_launches = 0;      /* latency mode: opener reports still expected for the last trigger */
    long long trigger_written_at = 0;
    int trigger_pending = 0;       /* latency mode: the trigger is queued, its last byte not yet written */
    long long *latencies = NULL;
    long long latency_count = 0, latency_capacity = 0;
    char report_buffer[8192];
    size_t report_length = 0;
    int terminated = 0, status = 0, exited = 0, ok = 1;
    long long terminate_at = 0;

    while (!exited) {
        /* Queue more of the stream: whole messages, ~256 KiB ahead, pausing after a trigger in latency mode. */
        /* With --honor-filters the stream starts once the client's filter arrived (or 300 ms after
         * login for clients that set none), so that what it receives is what its filter lets through. */
        int streaming = !honor_filters || filters_arrived || (login_at && now_ns() - login_at > 300000000LL);
        if (honor_filters == 2 && login_at && now_ns() - login_at < 300000000LL) streaming = 0;
        while (logged_in && streaming && !closing && events_sent < events_to_send && !waiting_launches && !trigger_pending &&
               out_end - out_start < 256 * 1024) {
            if (!rewritten) {
                rewrite_loop((unsigned long long)loop_number);
                rewritten = 1;
            }
            if (honor_filters) {  /* one message at a time, as Asterisk decides per event */
                static char text[256 * 1024];
                size_t from = next_message ? message_ends[next_message - 1] : 0;
                size_t length = message_ends[next_message] - from;
                if (length >= sizeof text) fail("a message larger than the filter buffer");
                memcpy(text, loop_bytes + from, length);
                text[length] = 0;
                if (delivered(text)) {
                    queue(loop_bytes + from, length);
                    events_delivered++;
                    bytes_delivered += (long long)length;
                }
                events_sent++;
                if (++next_message == message_count) {
                    next_message = 0;
                    loop_number++;
                    rewritten = 0;
                }
                continue;
            }
            size_t from = next_message ? message_ends[next_message - 1] : 0;
            int last = next_message;
            size_t budget = 64 * 1024;
            while (last + 1 < message_count && message_ends[last] - from < budget &&
                   events_sent + (last - next_message) + 1 < events_to_send && !(latency_fifo && launches_at[last])) {
                last++;
            }
            queue(loop_bytes + from, message_ends[last] - from);
            events_sent += last - next_message + 1;
            events_delivered += last - next_message + 1;
            bytes_delivered += (long long)(message_ends[last] - from);
            if (latency_fifo && launches_at[last]) {
                trigger_pending = 1;
                waiting_launches = launches_at[last];
            }
            next_message = last + 1;
            if (next_message == message_count) {
                next_message = 0;
                loop_number++;
                rewritten = 0;
            }
        }

        struct pollfd fds[4];
        int n = 0;
        fds[n++] = (struct pollfd){connection >= 0 ? -1 : listener, POLLIN, 0};
        fds[n++] = (struct pollfd){connection, (short)(POLLIN | (out_end > out_start ? POLLOUT : 0)), 0};
        fds[n++] = (struct pollfd){client_out, POLLIN, 0};
        fds[n++] = (struct pollfd){report_fd, POLLIN, 0};
        int ready = poll(fds, (nfds_t)n, 200);
        if (ready < 0 && errno != EINTR) fail("poll");
        long long now = now_ns();

        if (fds[0].revents & POLLIN) {
            connection = accept4(listener, NULL, NULL, SOCK_NONBLOCK);
            if (connection >= 0) {
                int one = 1;
                setsockopt(connection, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                queue("Asterisk Call Manager/11.0.0\r\n", 30);
            }
        }
        if (connection >= 0 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
            ssize_t got = read(connection, in_buffer + in_length, sizeof in_buffer - in_length);
            if (got <= 0 && !(got < 0 && errno == EAGAIN)) {
                close(connection);
                connection = -1;
                in_length = 0;
                out_start = out_end = 0;
                logged_in = closing = 0;
            } else if (got > 0) {
                in_length += (size_t)got;
                size_t at = 0, length;
                while ((length = amib_message_end(in_buffer + at, in_length - at)) > 0) {
                    static struct amib_msg message;
                    amib_parse(in_buffer + at, length, &message);
                    if (message.count > 0 && answer(&message, username, secret)) {
                        login_at = now;
                        ticks_at_login = client_ticks(&system_at_login);
                        switches_at_login = client_switches();
                        progress_at = now;
                    }
                    at += length;
                }
                memmove(in_buffer, in_buffer + at, in_length - at);
                in_length -= at;
                if (in_length == sizeof in_buffer) in_length = 0;  /* garbage: forget it */
            }
        }
        if (connection >= 0 && out_end > out_start && (fds[1].revents & POLLOUT)) {
            ssize_t written = write(connection, out_buffer + out_start, out_end - out_start);
            if (written > 0) {
                out_start += (size_t)written;
                progress_at = now;
                if (out_start == out_end) {
                    out_start = out_end = 0;
                    if (trigger_pending) {
                        trigger_written_at = now_ns();
                        trigger_pending = 0;
                    }
                }
            }
        }
        if (connection >= 0 && closing && out_start == out_end) {
            close(connection);
            connection = -1;
            in_length = 0;
            logged_in = closing = 0;
        }
        if (fds[2].revents & (POLLIN | POLLHUP)) {
            ssize_t got = read(client_out, line_buffer + line_length, sizeof line_buffer - line_length);
            if (got > 0) {
                line_length += (size_t)got;
                size_t at = 0;
                char *newline;
                while ((newline = memchr(line_buffer + at, '\n', line_length - at))) {
                    size_t length = (size_t)(newline - (line_buffer + at)) + 1;
                    if (line_buffer[at] == '{' && memmem(line_buffer + at, length, "\"decision\":", 11)) {
                        decisions_seen++;
                        if (!first_decision_at) first_decision_at = now;
                        if (decisions_file) fwrite(line_buffer + at, 1, length, decisions_file);
                        progress_at = now;
                        if (decisions_seen == expected_decisions) {
                            done_at = now;
                            ticks_at_done = client_ticks(&system_at_done);
                            switches_at_done = client_switches();
                        }
                    }
                    at += length;
                }
                memmove(line_buffer, line_buffer + at, line_length - at);
                line_length -= at;
                if (line_length == sizeof line_buffer) line_length = 0;
            } else if (got == 0) {
                client_out = -1;
            }
        }
        if (report_fd >= 0 && (fds[3].revents & POLLIN)) {
            ssize_t got = read(report_fd, report_buffer + report_length, sizeof report_buffer - report_length - 1);
            if (got > 0) report_length += (size_t)got;
            char *newline;
            while ((newline = memchr(report_buffer, '\n', report_length))) {
                *newline = 0;
                long long at = atoll(report_buffer);
                if (waiting_launches > 0 && !trigger_pending) {
                    if (latency_count == latency_capacity) {
                        latency_capacity = latency_capacity ? latency_capacity * 2 : 4096;
                        latencies = realloc(latencies, (size_t)latency_capacity * sizeof *latencies);
                    }
                    latencies[latency_count++] = at - trigger_written_at;
                    waiting_launches--;
                } else {
                    fprintf(stderr, "ami-replay: an opener ran when no launch was due: %s\n", report_buffer);
                    ok = 0;
                }
                size_t used = (size_t)(newline - report_buffer) + 1;
                memmove(report_buffer, report_buffer + used, report_length - used);
                report_length -= used;
                progress_at = now;
            }
        }

        if (done_at && !terminated && !waiting_launches) {
            kill(client, SIGTERM);
            terminated = 1;
            terminate_at = now;
        }
        if (!terminated && now - progress_at > (long long)timeout * 1000000000LL) {
            fprintf(stderr, "ami-replay: no progress for %d s (logged in: %s, events sent %lld of %lld, decisions %lld of %lld)\n",
                    timeout, login_at ? "yes" : "no", events_sent, events_to_send, decisions_seen, expected_decisions);
            kill(client, SIGTERM);
            terminated = 1;
            terminate_at = now;
            ok = 0;
        }
        if (terminated && now - terminate_at > 20LL * 1000000000LL) kill(client, SIGKILL);
        if (waitpid(client, &status, WNOHANG) == client) exited = 1;
    }
    if (decisions_file) fclose(decisions_file);
    if (latency_fifo) unlink(latency_fifo);

    printf("events=%lld\n", events_sent);
    printf("events_delivered=%lld\n", events_delivered);
    printf("event_bytes_delivered=%lld\n", bytes_delivered);
    printf("events_per_loop=%d\n", message_count);
    printf("decisions=%lld\n", decisions_seen);
    printf("expected_decisions=%lld\n", expected_decisions);
    printf("launches_per_loop=%d\n", launches_per_loop);
    printf("clock_ticks_per_second=%ld\n", sysconf(_SC_CLK_TCK));
    if (ticks_at_login >= 0 && ticks_at_done >= 0) {
        printf("cpu_ticks=%lld\n", ticks_at_done - ticks_at_login);
        printf("cpu_system_ticks=%lld\n", system_at_done - system_at_login);
        printf("context_switches=%lld\n", switches_at_done - switches_at_login);
    }
    if (login_at) printf("start_to_login_ns=%lld\n", login_at - spawned_at);
    if (first_decision_at) printf("start_to_first_decision_ns=%lld\n", first_decision_at - spawned_at);
    if (done_at) printf("login_to_last_decision_ns=%lld\n", done_at - login_at);
    if (latency_fifo) {
        printf("latencies=%lld\n", latency_count);
        if (latency_count > 0) {
            qsort(latencies, (size_t)latency_count, sizeof *latencies, compare_ll);
            printf("latency_p50_ns=%lld\n", latencies[latency_count / 2]);
            printf("latency_p99_ns=%lld\n", latencies[(latency_count * 99) / 100]);
        }
        if (latency_count != loops * launches_per_loop) ok = 0;
    }
    if (decisions_seen != expected_decisions) ok = 0;
    printf("ok=%d\n", ok);
    return ok ? 0 : 1;
}
