/* The plain-C side of the AMI benchmark (not part of the product).
 *
 * amib_* is shared by the C splitter client (the "limit" callpop is compared with) and the
 * replay server (which runs the same decider over the stream it serves, so it knows which
 * event triggers which decision: it stops the stream after the last one and times the
 * event-to-spawn latency from it). Nothing here allocates: messages are views into the
 * read buffer, calls live in fixed tables.
 */
#ifndef AMIB_H
#define AMIB_H

#include <stddef.h>
#include <stdint.h>

#define AMIB_MAX_FIELDS 96

/* One `Key: Value` line of a message, pointing into the caller's buffer. */
struct amib_field {
    const char *key;
    size_t key_len;
    const char *value;
    size_t value_len;
};

/* One message: its fields in order. */
struct amib_msg {
    struct amib_field fields[AMIB_MAX_FIELDS];
    int count;
};

/* Parses the lines of one message (`text`, without its blank line) into `msg`.
 * Lines without a colon are skipped; fields beyond AMIB_MAX_FIELDS are dropped. */
void amib_parse(const char *text, size_t len, struct amib_msg *msg);

/* The value of the first field named `key` (ASCII case-insensitive), or NULL. */
const struct amib_field *amib_get(const struct amib_msg *msg, const char *key);

/* Copies the value of `key` as a C string into `out` (cut to `size`); returns `out`, or NULL
 * (and "" in `out`) when the message has no such field. */
const char *amib_copy_value(const struct amib_msg *msg, const char *key, char *out, size_t size);

/* Whether the decider acts on the event named `name` (so every other event can be skipped
 * from its first line). */
int amib_event_wanted(const char *name, size_t len);

/* Where the message starting at `p` ends: the offset just past its blank line, or 0 when
 * `n` bytes do not hold a whole message. Lines end with LF or CRLF. */
size_t amib_message_end(const char *p, size_t n);

/* A decision, as callpop's `--json` decision log writes it (the keys the benchmark compares). */
struct amib_decision {
    const char *call;
    const char *rule;
    const char *rule_id;
    const char *trigger;
    const char *direction;
    int launch;          /* 1 launch, 0 skip */
    const char *reason;  /* for skips */
    const char *number;
    const char *name;
    char url[768];
};

#define AMIB_TEXT 96
#define AMIB_CHANNELS 32
#define AMIB_CALLS 32
#define AMIB_ORIGINS 64

struct amib_channel {
    int used;
    unsigned seq;
    char uniqueid[AMIB_TEXT];
    char linkedid[AMIB_TEXT];
    char name[AMIB_TEXT];
    int direction;  /* 0 unknown, 1 incoming, 2 outgoing */
    char remote[AMIB_TEXT];
    char remote_name[AMIB_TEXT];
    char called[AMIB_TEXT];
    int colleague;  /* -1 unknown, 0 no, 1 yes */
    int emitted;    /* 0 nothing, 1 ringing, 2 answered */
};

struct amib_call {
    int used;
    unsigned seq;
    char id[AMIB_TEXT];
    int state;      /* 1 ringing, 2 answered */
    int answered;
    int direction;
    int colleague;
    char remote[AMIB_TEXT];
    char remote_name[AMIB_TEXT];
    char called[AMIB_TEXT];
};

struct amib_origin {
    int used;
    unsigned seq;
    char linkedid[AMIB_TEXT];
    char exten[AMIB_TEXT];
};

typedef void (*amib_decided)(void *context, const struct amib_decision *decision);

/* The user's call mapper and decision rules: callpop's AMI mapping and decision engine for
 * the benchmark's configuration (Benchmarks/ami-bench/bench.toml), written out in C. */
struct amib_decider {
    char user[32];
    struct amib_channel channels[AMIB_CHANNELS];
    struct amib_call calls[AMIB_CALLS];
    struct amib_origin origins[AMIB_ORIGINS];
    unsigned seq;
    amib_decided decided;
    void *context;
};

void amib_decider_init(struct amib_decider *decider, const char *user, amib_decided decided, void *context);

/* Feeds one message; calls `decided` for each decision it causes. Returns how many. */
int amib_feed(struct amib_decider *decider, const struct amib_msg *msg);

/* Writes `decision` as one JSON line (with its newline) into `out`; returns its length. */
size_t amib_decision_json(const struct amib_decision *decision, char *out, size_t size);

/* MD5 of `data` as 32 lower-case hex digits and a NUL in `hex` (for the AMI challenge login). */
void amib_md5_hex(const void *data, size_t len, char hex[33]);

#endif
