/* ami-splitter: the plain-C limit of the AMI benchmark. A popup client with no allocation
 * after start: plain AMI login, one read buffer, messages framed in place, events the
 * decider ignores skipped from their first line, the few keys of the others found by
 * scanning, decisions written as JSON lines (and, with an opener, launched with posix_spawn).
 *
 *   ami-splitter PORT USERNAME SECRET EXTENSION [OPENER ARGS...]
 */
#define _GNU_SOURCE
#include "amib.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

extern char **environ;

static char **opener;  /* argv of the opener, with one free slot for the URL and the NULL */
static int opener_count;

static void write_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t written = write(fd, p, n);
        if (written < 0) {
            if (errno == EINTR) continue;
            exit(3);
        }
        p += written;
        n -= (size_t)written;
    }
}

static void decided(void *context, const struct amib_decision *decision) {
    (void)context;
    char line[2048];
    size_t n = amib_decision_json(decision, line, sizeof line);
    write_all(1, line, n);
    if (opener && decision->launch) {
        opener[opener_count] = (char *)decision->url;
        pid_t pid;
        posix_spawn(&pid, opener[0], NULL, NULL, opener, environ);
        opener[opener_count] = NULL;
    }
}

static int starts_with(const char *p, size_t n, const char *prefix) {
    size_t len = strlen(prefix);
    return n >= len && memcmp(p, prefix, len) == 0;
}

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: ami-splitter PORT USERNAME SECRET EXTENSION [OPENER ARGS...]\n");
        return 2;
    }
    if (argc > 5) {
        opener_count = argc - 5;
        opener = calloc((size_t)opener_count + 2, sizeof *opener);
        for (int i = 0; i < opener_count; i++) opener[i] = argv[5 + i];
        signal(SIGCHLD, SIG_IGN);  /* children are reaped by the kernel */
    }
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[1]))};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&address, sizeof address) != 0) {
        perror("ami-splitter: connect");
        return 1;
    }
    char login[512];
    int login_len = snprintf(login, sizeof login,
                             "Action: Login\r\nActionID: 1\r\nUsername: %s\r\nSecret: %s\r\nEvents: on\r\n\r\n", argv[2], argv[3]);
    write_all(fd, login, (size_t)login_len);

    static struct amib_decider decider;
    static struct amib_msg message;
    amib_decider_init(&decider, argv[4], decided, NULL);
    static char buffer[256 * 1024];
    size_t start = 0, end = 0;
    int banner = 1;
    for (;;) {
        if (start == end) start = end = 0;
        if (end == sizeof buffer) {  /* move the unfinished message to the front */
            if (start == 0) { fprintf(stderr, "ami-splitter: message larger than the buffer\n"); return 1; }
            memmove(buffer, buffer + start, end - start);
            end -= start;
            start = 0;
        }
        ssize_t got = read(fd, buffer + end, sizeof buffer - end);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) return 0;
        end += (size_t)got;
        if (banner) {
            const char *newline = memchr(buffer + start, '\n', end - start);
            if (!newline) continue;
            if (starts_with(buffer + start, end - start, "Asterisk Call Manager/")) start = (size_t)(newline - buffer) + 1;
            banner = 0;
        }
        for (;;) {
            const char *p = buffer + start;
            size_t length = amib_message_end(p, end - start);
            if (length == 0) break;
            start += length;
            if (starts_with(p, length, "Event: ")) {
                const char *name = p + 7;
                const char *line_end = memchr(name, '\n', length - 7);
                size_t name_len = (size_t)(line_end - name);
                if (name_len > 0 && name[name_len - 1] == '\r') name_len--;
                if (!amib_event_wanted(name, name_len)) continue;
            } else if (starts_with(p, length, "Response: Error")) {
                fprintf(stderr, "ami-splitter: the login was refused\n");
                return 1;
            } else if (starts_with(p, length, "Response: Goodbye")) {
                return 0;
            }
            amib_parse(p, length, &message);
            amib_feed(&decider, &message);
        }
    }
}
