/* stub-opener FIFO URL: the URL opener of the latency benchmark. It notes the monotonic
 * clock first thing (posix_spawn returns to the agent once this program is executing) and
 * writes "NANOSECONDS URL" to FIFO in one write, which the replay server matches with the
 * moment it wrote the event's last byte. Linked statically, so no loader runs before it. */
#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (argc < 3) return 2;
    char line[4096];
    int n = snprintf(line, sizeof line, "%lld %s\n", (long long)now.tv_sec * 1000000000LL + now.tv_nsec, argv[2]);
    if (n < 0 || n >= (int)sizeof line) return 2;
    int fd = open(argv[1], O_WRONLY | O_APPEND);
    if (fd < 0) return 1;
    return write(fd, line, (size_t)n) == n ? 0 : 1;
}
