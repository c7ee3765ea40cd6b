/* Framing helpers, callpop's AMI call mapping and its decisions for the benchmark's rules,
 * in plain C with no allocation (see amib.h). The mapping follows
 * Sources/CallPopAMI/Calls/AMICallMapper.swift; the decisions follow DecisionEngine and
 * CallTracker for the three rules of Benchmarks/ami-bench/bench.toml. */
#include "amib.h"

#include <stdio.h>
#include <string.h>

/* ---- framing ---------------------------------------------------------------------------- */

size_t amib_message_end(const char *p, size_t n) {
    size_t at = 0;
    while (at < n) {
        const char *newline = memchr(p + at, '\n', n - at);
        if (!newline) return 0;
        size_t line = (size_t)(newline - (p + at));
        if (line == 0 || (line == 1 && p[at] == '\r')) return (size_t)(newline - p) + 1;
        at = (size_t)(newline - p) + 1;
    }
    return 0;
}

void amib_parse(const char *text, size_t len, struct amib_msg *msg) {
    msg->count = 0;
    size_t at = 0;
    while (at < len) {
        const char *newline = memchr(text + at, '\n', len - at);
        size_t end = newline ? (size_t)(newline - text) : len;
        size_t line_end = end;
        if (line_end > at && text[line_end - 1] == '\r') line_end--;
        const char *colon = memchr(text + at, ':', line_end - at);
        if (colon && colon > text + at && msg->count < AMIB_MAX_FIELDS) {
            struct amib_field *field = &msg->fields[msg->count++];
            field->key = text + at;
            field->key_len = (size_t)(colon - (text + at));
            size_t value = (size_t)(colon - text) + 1;
            if (value < line_end && text[value] == ' ') value++;
            field->value = text + value;
            field->value_len = line_end - value;
        }
        at = end + 1;
    }
}

static int lower(int c) { return (c >= 'A' && c <= 'Z') ? c | 0x20 : c; }

static int equals_ignoring_case(const char *a, size_t a_len, const char *b) {
    size_t b_len = strlen(b);
    if (a_len != b_len) return 0;
    for (size_t i = 0; i < a_len; i++) {
        if (lower((unsigned char)a[i]) != lower((unsigned char)b[i])) return 0;
    }
    return 1;
}

const struct amib_field *amib_get(const struct amib_msg *msg, const char *key) {
    size_t key_len = strlen(key);
    for (int i = 0; i < msg->count; i++) {
        const struct amib_field *field = &msg->fields[i];
        if (field->key_len == key_len && equals_ignoring_case(field->key, field->key_len, key)) return field;
    }
    return NULL;
}

static const char *const wanted_events[] = {
    "Newchannel", "DialBegin", "DialState", "DialEnd", "Newstate", "NewConnectedLine", "BridgeEnter", "Rename", "Hangup",
};

int amib_event_wanted(const char *name, size_t len) {
    for (size_t i = 0; i < sizeof wanted_events / sizeof *wanted_events; i++) {
        if (equals_ignoring_case(name, len, wanted_events[i])) return 1;
    }
    return 0;
}

/* ---- text ------------------------------------------------------------------------------- */

const char *amib_copy_value(const struct amib_msg *msg, const char *key, char *out, size_t size) {
    const struct amib_field *field = amib_get(msg, key);
    size_t n = 0;
    if (field) {
        n = field->value_len < size - 1 ? field->value_len : size - 1;
        memcpy(out, field->value, n);
    }
    out[n] = 0;
    return field ? out : NULL;
}

/* Like callpop's AMIText.clean: control characters removed, `<unknown>` and absent → "". */
static void clean(const struct amib_msg *msg, const char *key, char *out, size_t size) {
    const struct amib_field *field = amib_get(msg, key);
    size_t n = 0;
    if (field && !(field->value_len == 9 && memcmp(field->value, "<unknown>", 9) == 0)) {
        for (size_t i = 0; i < field->value_len && n < size - 1; i++) {
            unsigned char c = (unsigned char)field->value[i];
            if (c >= 0x20 && c != 0x7f) out[n++] = (char)c;
        }
    }
    out[n] = 0;
}

static void copy(char *out, const char *text, size_t size) {
    size_t n = strlen(text);
    if (n > size - 1) n = size - 1;
    memcpy(out, text, n);
    out[n] = 0;
}

static int has_prefix_ignoring_case(const char *text, const char *prefix) {
    for (; *prefix; prefix++, text++) {
        if (!*text || lower((unsigned char)*text) != lower((unsigned char)*prefix)) return 0;
    }
    return 1;
}

static int is_local(const char *channel) { return has_prefix_ignoring_case(channel, "local/"); }

static int is_hex(int c) { return (c >= '0' && c <= '9') || (lower(c) >= 'a' && lower(c) <= 'f'); }

/* The user's devices PJSIP/U, SIP/U, IAX2/U (channel `TECH/U-<hex>`) and Local/U (`Local/U@…;1`). */
static int is_user_channel(const struct amib_decider *d, const char *channel) {
    static const char *const technologies[] = {"pjsip/", "sip/", "iax2/"};
    char prefix[64];
    for (size_t i = 0; i < 3; i++) {
        snprintf(prefix, sizeof prefix, "%s%s-", technologies[i], d->user);
        if (!has_prefix_ignoring_case(channel, prefix)) continue;
        const char *rest = channel + strlen(prefix);
        if (!*rest) return 0;
        for (; *rest; rest++) {
            if (!is_hex((unsigned char)*rest)) return 0;
        }
        return 1;
    }
    snprintf(prefix, sizeof prefix, "local/%s@", d->user);
    if (has_prefix_ignoring_case(channel, prefix)) {
        size_t n = strlen(channel);
        return n >= 2 && channel[n - 2] == ';' && channel[n - 1] == '1';
    }
    return 0;
}

/* callpop's AMIDeviceMatcher.isColleague (no trunks configured): 1, or -1 for "cannot tell". */
static int colleague_by_channel(const char *channel, const char *number) {
    const char *slash = strchr(channel, '/');
    if (!slash || is_local(channel)) return -1;
    const char *endpoint = slash + 1;
    const char *dash = strrchr(endpoint, '-');
    size_t n = dash ? (size_t)(dash - endpoint) : strlen(endpoint);
    if (*number && strlen(number) == n && memcmp(endpoint, number, n) == 0) return 1;
    return -1;
}

static int is_separator(int c) { return c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '\t'; }

/* callpop's ColleaguePolicy with `same_length_as_user` (the default) and no patterns. */
static int colleague_by_policy(const char *remote, const char *user) {
    if (!*remote || !*user) return 0;
    size_t remote_count = 0, user_count = 0;
    for (const char *c = remote; *c; c++) {
        if (is_separator((unsigned char)*c)) continue;
        if (*c < '0' || *c > '9') return 0;
        remote_count++;
    }
    for (const char *c = user; *c; c++) {
        if (!is_separator((unsigned char)*c)) user_count++;
    }
    return remote_count == user_count;
}

/* ---- channels --------------------------------------------------------------------------- */

struct call_event {
    const char *call;
    int state;  /* 1 ringing, 2 answered, 3 ended */
    int direction;
    const char *remote;
    const char *remote_name;
    const char *called;
    int colleague;
};

static int on_call_event(struct amib_decider *d, const struct call_event *event);

static struct amib_channel *channel_named(struct amib_decider *d, const char *uniqueid) {
    for (int i = 0; i < AMIB_CHANNELS; i++) {
        if (d->channels[i].used && strcmp(d->channels[i].uniqueid, uniqueid) == 0) return &d->channels[i];
    }
    return NULL;
}

static struct amib_channel *track(struct amib_decider *d, const char *uniqueid, const char *name, const char *linkedid) {
    struct amib_channel *channel = channel_named(d, uniqueid);
    if (channel) return channel;
    struct amib_channel *slot = NULL;
    for (int i = 0; i < AMIB_CHANNELS && !slot; i++) {
        if (!d->channels[i].used) slot = &d->channels[i];
    }
    if (!slot) {  /* full: the oldest goes */
        slot = &d->channels[0];
        for (int i = 1; i < AMIB_CHANNELS; i++) {
            if (d->channels[i].seq < slot->seq) slot = &d->channels[i];
        }
    }
    memset(slot, 0, sizeof *slot);
    slot->used = 1;
    slot->seq = ++d->seq;
    slot->colleague = -1;
    copy(slot->uniqueid, uniqueid, sizeof slot->uniqueid);
    copy(slot->name, name, sizeof slot->name);
    copy(slot->linkedid, linkedid, sizeof slot->linkedid);
    return slot;
}

static const char *origin_exten(struct amib_decider *d, const char *linkedid) {
    for (int i = 0; i < AMIB_ORIGINS; i++) {
        if (d->origins[i].used && strcmp(d->origins[i].linkedid, linkedid) == 0) return d->origins[i].exten;
    }
    return NULL;
}

static void set_origin(struct amib_decider *d, const char *linkedid, const char *exten) {
    struct amib_origin *slot = NULL;
    for (int i = 0; i < AMIB_ORIGINS && !slot; i++) {
        if (d->origins[i].used && strcmp(d->origins[i].linkedid, linkedid) == 0) slot = &d->origins[i];
    }
    for (int i = 0; i < AMIB_ORIGINS && !slot; i++) {
        if (!d->origins[i].used) slot = &d->origins[i];
    }
    if (!slot) {
        slot = &d->origins[0];
        for (int i = 1; i < AMIB_ORIGINS; i++) {
            if (d->origins[i].seq < slot->seq) slot = &d->origins[i];
        }
    }
    slot->used = 1;
    slot->seq = ++d->seq;
    copy(slot->linkedid, linkedid, sizeof slot->linkedid);
    copy(slot->exten, exten, sizeof slot->exten);
}

static void drop_origin(struct amib_decider *d, const char *linkedid) {
    for (int i = 0; i < AMIB_ORIGINS; i++) {
        if (d->origins[i].used && strcmp(d->origins[i].linkedid, linkedid) == 0) d->origins[i].used = 0;
    }
}

static void update_connected_line(struct amib_channel *channel, const struct amib_msg *msg) {
    char text[AMIB_TEXT];
    clean(msg, "ConnectedLineNum", text, sizeof text);
    if (*text) copy(channel->remote, text, sizeof channel->remote);
    clean(msg, "ConnectedLineName", text, sizeof text);
    if (*text) copy(channel->remote_name, text, sizeof channel->remote_name);
}

static int emit(struct amib_decider *d, const struct amib_channel *channel, int state) {
    struct call_event event = {
        channel->linkedid, state, channel->direction, channel->remote, channel->remote_name, channel->called,
        channel->colleague,
    };
    return on_call_event(d, &event);
}

static int advance(struct amib_decider *d, const char *uniqueid, int state) {
    struct amib_channel *channel = channel_named(d, uniqueid);
    if (!channel || !channel->direction) return 0;
    int decisions = 0;
    if (channel->emitted == 0 && state == 2) {
        decisions += emit(d, channel, 1);
        channel->emitted = 1;
    }
    if (state > channel->emitted) {
        channel->emitted = state;
        decisions += emit(d, channel, state);
    }
    return decisions;
}

static int lower_equals(const char *text, const char *expected) {
    return equals_ignoring_case(text, strlen(text), expected);
}

static int dial_begin(struct amib_decider *d, const struct amib_msg *msg) {
    char caller[AMIB_TEXT], dest[AMIB_TEXT], uniqueid[AMIB_TEXT], linkedid[AMIB_TEXT], exten[AMIB_TEXT];
    if (!amib_copy_value(msg, "Channel", caller, sizeof caller)) *caller = 0;
    clean(msg, "Exten", exten, sizeof exten);
    if (amib_copy_value(msg, "Linkedid", linkedid, sizeof linkedid) && !origin_exten(d, linkedid) && !is_local(caller) && *exten) {
        set_origin(d, linkedid, exten);
    }
    if (amib_copy_value(msg, "DestChannel", dest, sizeof dest) && is_user_channel(d, dest) &&
        amib_copy_value(msg, "DestUniqueid", uniqueid, sizeof uniqueid) &&
        (amib_copy_value(msg, "DestLinkedid", linkedid, sizeof linkedid) || amib_copy_value(msg, "Linkedid", linkedid, sizeof linkedid))) {
        size_t n = strlen(caller);
        if (is_local(caller) && n >= 2 && caller[n - 2] == ';' && caller[n - 1] == '2') {
            /* The user's Local ;2 half dials the real phone: follow the phone, forget the ;1 leg. */
            char leg[AMIB_TEXT];
            copy(leg, caller, sizeof leg);
            leg[n - 1] = '1';
            for (int i = 0; i < AMIB_CHANNELS; i++) {
                if (d->channels[i].used && strcmp(d->channels[i].name, leg) == 0 && !d->channels[i].emitted) {
                    d->channels[i].used = 0;
                }
            }
        }
        struct amib_channel *channel = track(d, uniqueid, dest, linkedid);
        if (!channel->direction) {
            char number[AMIB_TEXT];
            channel->direction = 1;
            clean(msg, "DestConnectedLineNum", channel->remote, sizeof channel->remote);
            clean(msg, "DestConnectedLineName", channel->remote_name, sizeof channel->remote_name);
            clean(msg, "CallerIDNum", number, sizeof number);
            if (!*channel->remote) copy(channel->remote, number, sizeof channel->remote);
            if (!*channel->remote_name) clean(msg, "CallerIDName", channel->remote_name, sizeof channel->remote_name);
            const char *origin = origin_exten(d, linkedid);
            copy(channel->called, origin ? origin : exten, sizeof channel->called);
            channel->colleague = colleague_by_channel(caller, number);
        }
        char state[AMIB_TEXT];
        if (amib_copy_value(msg, "DestChannelStateDesc", state, sizeof state) && lower_equals(state, "ringing")) {
            return advance(d, uniqueid, 1);
        }
        return 0;
    }
    if (is_user_channel(d, caller) && !is_local(caller) && amib_copy_value(msg, "Uniqueid", uniqueid, sizeof uniqueid) &&
        amib_copy_value(msg, "Linkedid", linkedid, sizeof linkedid)) {
        struct amib_channel *channel = track(d, uniqueid, caller, linkedid);
        if (!channel->direction) {
            char number[AMIB_TEXT], peer[AMIB_TEXT];
            channel->direction = 2;
            copy(channel->called, exten, sizeof channel->called);
            clean(msg, "DestCallerIDNum", number, sizeof number);
            copy(channel->remote, *number ? number : exten, sizeof channel->remote);
            clean(msg, "DestCallerIDName", channel->remote_name, sizeof channel->remote_name);
            if (!amib_copy_value(msg, "DestChannel", peer, sizeof peer)) *peer = 0;
            channel->colleague = colleague_by_channel(peer, number);
        }
        return advance(d, uniqueid, 1);
    }
    return 0;
}

int amib_feed(struct amib_decider *d, const struct amib_msg *msg) {
    const struct amib_field *event = amib_get(msg, "Event");
    if (!event || !amib_event_wanted(event->value, event->value_len)) return 0;
    const char *name = event->value;
    size_t len = event->value_len;
    char uniqueid[AMIB_TEXT], linkedid[AMIB_TEXT], text[AMIB_TEXT];
    struct amib_channel *channel;
    if (equals_ignoring_case(name, len, "Newchannel")) {
        if (!amib_copy_value(msg, "Uniqueid", uniqueid, sizeof uniqueid) || !amib_copy_value(msg, "Linkedid", linkedid, sizeof linkedid)) return 0;
        clean(msg, "Exten", text, sizeof text);
        if (strcmp(uniqueid, linkedid) == 0 && *text) set_origin(d, linkedid, text);
        if (amib_copy_value(msg, "Channel", text, sizeof text) && is_user_channel(d, text)) track(d, uniqueid, text, linkedid);
        return 0;
    }
    if (equals_ignoring_case(name, len, "DialBegin")) return dial_begin(d, msg);
    if (equals_ignoring_case(name, len, "DialState")) {
        if (!amib_copy_value(msg, "DialStatus", text, sizeof text) || !lower_equals(text, "ringing")) return 0;
        if (!amib_copy_value(msg, "DestChannel", text, sizeof text) || !is_user_channel(d, text)) return 0;
        if (!amib_copy_value(msg, "DestUniqueid", uniqueid, sizeof uniqueid)) return 0;
        return advance(d, uniqueid, 1);
    }
    if (equals_ignoring_case(name, len, "DialEnd")) {
        if (!amib_copy_value(msg, "DialStatus", text, sizeof text) || !lower_equals(text, "answer")) return 0;
        if (amib_copy_value(msg, "DestChannel", text, sizeof text) && is_user_channel(d, text) &&
            amib_copy_value(msg, "DestUniqueid", uniqueid, sizeof uniqueid)) {
            return advance(d, uniqueid, 2);
        }
        if (amib_copy_value(msg, "Channel", text, sizeof text) && is_user_channel(d, text) &&
            amib_copy_value(msg, "Uniqueid", uniqueid, sizeof uniqueid)) {
            return advance(d, uniqueid, 2);
        }
        return 0;
    }
    if (!amib_copy_value(msg, "Uniqueid", uniqueid, sizeof uniqueid)) return 0;
    if (equals_ignoring_case(name, len, "Hangup")) {
        if (amib_copy_value(msg, "Linkedid", linkedid, sizeof linkedid) && strcmp(uniqueid, linkedid) == 0) drop_origin(d, uniqueid);
        channel = channel_named(d, uniqueid);
        if (!channel) return 0;
        channel->used = 0;
        if (!channel->emitted) return 0;
        update_connected_line(channel, msg);
        return emit(d, channel, 3);
    }
    channel = channel_named(d, uniqueid);
    if (!channel) return 0;
    if (equals_ignoring_case(name, len, "Newstate")) {
        update_connected_line(channel, msg);
        if (channel->direction != 1 || !amib_copy_value(msg, "ChannelStateDesc", text, sizeof text)) return 0;
        if (lower_equals(text, "ringing")) return advance(d, uniqueid, 1);
        if (lower_equals(text, "up")) return advance(d, uniqueid, 2);
        return 0;
    }
    if (equals_ignoring_case(name, len, "NewConnectedLine")) {
        update_connected_line(channel, msg);
        return 0;
    }
    if (equals_ignoring_case(name, len, "BridgeEnter")) {
        update_connected_line(channel, msg);
        return advance(d, uniqueid, 2);
    }
    if (equals_ignoring_case(name, len, "Rename")) {
        if (amib_get(msg, "Newname")) clean(msg, "Newname", channel->name, sizeof channel->name);
    }
    return 0;
}

/* ---- decisions -------------------------------------------------------------------------- */

/* The rules of Benchmarks/ami-bench/bench.toml, in order. */
enum { RINGING = 1, CALL_GENERATION = 2, ANSWER = 3 };
static const struct {
    const char *name, *id;
    int trigger;
    int direction;  /* 0 any */
} rules[] = {
    {"CRM", "crm", RINGING, 1},
    {"Dial", "dial", CALL_GENERATION, 2},
    {"Answered", "answered", ANSWER, 0},
};
#define RULE_COUNT 3

static const char *trigger_name(int trigger) {
    return trigger == RINGING ? "ringing" : trigger == CALL_GENERATION ? "call-generation" : "answer";
}

static int is_unreserved(int c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
           c == '_' || c == '~';
}

struct writer {
    char *out;
    size_t size, len;
};

static void put(struct writer *w, const char *text) {
    for (; *text && w->len + 1 < w->size; text++) w->out[w->len++] = *text;
    w->out[w->len] = 0;
}

static void put_encoded(struct writer *w, const char *text) {
    static const char hex[] = "0123456789ABCDEF";
    for (; *text && w->len + 4 < w->size; text++) {
        unsigned char c = (unsigned char)*text;
        if (is_unreserved(c)) {
            w->out[w->len++] = (char)c;
        } else {
            w->out[w->len++] = '%';
            w->out[w->len++] = hex[c >> 4];
            w->out[w->len++] = hex[c & 15];
        }
    }
    w->out[w->len] = 0;
}

/* callpop's NumberPlan.e164 for country code 44, national prefix 0, international prefix 00. */
static void e164(const char *number, char *out, size_t size) {
    char digits[AMIB_TEXT];
    size_t n = 0;
    int plus = 0, seen = 0, bracketed = 0;
    for (const char *c = number; *c; c++) {
        if (!seen && *c != ' ') { plus = *c == '+'; seen = 1; }
        if (*c == '(') bracketed = 1;
    }
    for (const char *c = number; *c && n < sizeof digits - 1; c++) {
        if (bracketed && plus && strncmp(c, "(0)", 3) == 0) { c += 2; continue; }
        if (*c >= '0' && *c <= '9') digits[n++] = *c;
    }
    digits[n] = 0;
    if (plus) snprintf(out, size, "+%s", digits);
    else if (n > 6 && strncmp(digits, "00", 2) == 0) snprintf(out, size, "+%s", digits + 2);
    else if (n > 5 && digits[0] == '0') snprintf(out, size, "+44%s", digits + 1);
    else snprintf(out, size, "%s", digits);
}

static void expand_url(int rule, const struct amib_call *call, char *out, size_t size) {
    struct writer w = {out, size, 0};
    char number[AMIB_TEXT + 8];
    e164(call->remote, number, sizeof number);
    switch (rule) {
    case 0:
        put(&w, "https://crm.example.com/contacts?phone="); put_encoded(&w, number);
        put(&w, "&name="); put_encoded(&w, call->remote_name);
        put(&w, "&did="); put_encoded(&w, call->called);
        break;
    case 1:
        put(&w, "https://crm.example.com/dial?phone="); put_encoded(&w, number);
        break;
    default:
        put(&w, "https://crm.example.com/answered?phone="); put_encoded(&w, number);
        put(&w, "&name="); put_encoded(&w, call->remote_name);
        break;
    }
    put(&w, "&call="); put_encoded(&w, call->id);
}

static struct amib_call *call_named(struct amib_decider *d, const char *id) {
    for (int i = 0; i < AMIB_CALLS; i++) {
        if (d->calls[i].used && strcmp(d->calls[i].id, id) == 0) return &d->calls[i];
    }
    return NULL;
}

static int on_call_event(struct amib_decider *d, const struct call_event *event) {
    struct amib_call *call = call_named(d, event->call);
    int prior = 0;
    if (!call) {
        if (event->state == 3) return 0;
        for (int i = 0; i < AMIB_CALLS && !call; i++) {
            if (!d->calls[i].used) call = &d->calls[i];
        }
        if (!call) {
            call = &d->calls[0];
            for (int i = 1; i < AMIB_CALLS; i++) {
                if (d->calls[i].seq < call->seq) call = &d->calls[i];
            }
        }
        memset(call, 0, sizeof *call);
        call->used = 1;
        copy(call->id, event->call, sizeof call->id);
        call->direction = event->direction;
        call->colleague = event->colleague >= 0 ? event->colleague : colleague_by_policy(event->remote, d->user);
    } else {
        prior = call->state;
    }
    call->seq = ++d->seq;
    if (*event->remote) copy(call->remote, event->remote, sizeof call->remote);
    if (*event->remote_name) copy(call->remote_name, event->remote_name, sizeof call->remote_name);
    if (*event->called) copy(call->called, event->called, sizeof call->called);
    if (event->colleague >= 0) call->colleague = event->colleague;
    int trigger = 0;
    if (event->state == 3) {
        call->used = 0;
        return 0;
    }
    if (event->state == 1 && !call->answered && prior != 1) trigger = call->direction == 1 ? RINGING : CALL_GENERATION;
    if (event->state == 2 && prior != 2) {
        call->answered = 1;
        trigger = ANSWER;
    }
    call->state = call->answered ? 2 : event->state;
    if (!trigger) return 0;
    int decisions = 0;
    for (int rule = 0; rule < RULE_COUNT; rule++) {
        if (rules[rule].trigger != trigger) continue;
        struct amib_decision decision = {
            call->id, rules[rule].name, rules[rule].id, trigger_name(trigger),
            call->direction == 1 ? "incoming" : "outgoing", 1, NULL, call->remote, call->remote_name, {0},
        };
        if (rules[rule].direction && rules[rule].direction != call->direction) {
            decision.launch = 0;
            decision.reason = "direction";
        } else if (call->colleague == 1) {
            decision.launch = 0;
            decision.reason = "colleague";
        } else {
            expand_url(rule, call, decision.url, sizeof decision.url);
        }
        d->decided(d->context, &decision);
        decisions++;
    }
    return decisions;
}

void amib_decider_init(struct amib_decider *d, const char *user, amib_decided decided, void *context) {
    memset(d, 0, sizeof *d);
    copy(d->user, user, sizeof d->user);
    d->decided = decided;
    d->context = context;
}

static void put_json_string(struct writer *w, const char *text) {
    put(w, "\"");
    for (; *text && w->len + 8 < w->size; text++) {
        unsigned char c = (unsigned char)*text;
        if (c == '"' || c == '\\') {
            w->out[w->len++] = '\\';
            w->out[w->len++] = (char)c;
        } else if (c < 0x20 || c == 0x7f) {
            w->len += (size_t)snprintf(w->out + w->len, w->size - w->len, "\\u%04x", c);
        } else {
            w->out[w->len++] = (char)c;
        }
    }
    w->out[w->len] = 0;
    put(w, "\"");
}

size_t amib_decision_json(const struct amib_decision *d, char *out, size_t size) {
    struct writer w = {out, size, 0};
    put(&w, "{\"call\":"); put_json_string(&w, d->call);
    put(&w, ",\"rule\":"); put_json_string(&w, d->rule);
    put(&w, ",\"rule_id\":"); put_json_string(&w, d->rule_id);
    put(&w, ",\"trigger\":"); put_json_string(&w, d->trigger);
    put(&w, ",\"direction\":"); put_json_string(&w, d->direction);
    put(&w, d->launch ? ",\"decision\":\"launch\"" : ",\"decision\":\"skip\"");
    if (!d->launch) { put(&w, ",\"reason\":"); put_json_string(&w, d->reason); }
    put(&w, ",\"action\":\"url\"");
    if (d->launch) { put(&w, ",\"url\":"); put_json_string(&w, d->url); }
    put(&w, ",\"number\":"); put_json_string(&w, d->number);
    put(&w, ",\"name\":"); put_json_string(&w, d->name);
    put(&w, "}\n");
    return w.len;
}
