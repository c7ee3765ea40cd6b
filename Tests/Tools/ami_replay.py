#!/usr/bin/env python3
"""A replaying Asterisk for the fault soak (Tests/CallPopDBusTests/FaultSoakTests.swift): speaks
the AMI callpop needs (banner, MD5 Challenge or plain Login, CoreShowChannels, Ping, Logoff)
and sends copies of the recorded calls (Tests/Fixtures/asterisk-22/SCENARIO/ami.txt) with
rewritten call ids and channel names, so every copy is a new call.

It keeps the state of every channel from the events it has sent (Newchannel, Newstate,
Newexten, DialBegin, BridgeEnter/Leave, Hangup, ...), so after a cut it answers the client's
CoreShowChannels with the channels live at that point, as a real Asterisk would, and then
goes on with the event the cut interrupted.

Commands, one per line on stdin; each is answered on stdout with "done <command>" (or "error ..."):
  call SCENARIO          send one copy of the recorded call, as fast as the socket takes it
  until SCENARIO TEXT    send a new copy up to and including its first event holding TEXT
  rest                   send the rest of the copy `until` started
  busy CALLS CUTS SEED   send CALLS copies of the scenarios in turn, back to back, cutting the
                         connection at CUTS random byte offsets (SEED): after each cut it waits
                         for the client to reconnect and log in, answers CoreShowChannels with
                         the live channels, and resends the event that was cut in two
  quit                   stop
Every call sent is appended to --calls-file as "CALLID SCENARIO POPUPS" (POPUPS: the triggers
whose automatic rules must fire for it, comma-separated, "-" for none): the replay's own list of
expected popups. Every action the client sends is logged to --log, with each connection.

Only loopback: it listens on 127.0.0.1.
"""
import argparse
import os
import random
import re
import socket
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ami_speaker  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("--fixtures", required=True, help="Tests/Fixtures/asterisk-22")
parser.add_argument("--port-file", required=True)
parser.add_argument("--log", required=True)
parser.add_argument("--calls-file", required=True)
parser.add_argument("--secret", default="soak-secret")
args = parser.parse_args()

# The automatic triggers each recorded scenario fires for the user 201 (docs/pbx/asterisk.md):
# the colleague's call fires none (automatic rules skip colleagues).
POPUPS = {
    "inbound-answered": ["ringing", "answer"],
    "inbound-missed": ["ringing"],
    "outbound-answered": ["call-generation", "answer"],
    "internal-colleague": [],
}
SKIPPED_EVENTS = ("FullyBooted", "SuccessfulAuth", "ChallengeSent")
CHANNEL_FIELDS = ["Channel", "ChannelState", "ChannelStateDesc", "CallerIDNum", "CallerIDName", "ConnectedLineNum",
                  "ConnectedLineName", "Language", "AccountCode", "Context", "Exten", "Priority", "Uniqueid", "Linkedid"]


def load(scenario):
    raw = open(os.path.join(args.fixtures, scenario, "ami.txt"), "rb").read().decode()
    blocks = [b for b in raw.split("\r\n\r\n") if b.startswith("Event:")]
    return [b + "\r\n\r\n" for b in blocks if not b.split("\r\n")[0].endswith(SKIPPED_EVENTS)]


recorded = {name: load(name) for name in POPUPS}
copies = 0


def copy(scenario):
    """One new call: the recorded events with fresh unique ids and channel names."""
    global copies
    copies += 1
    n = copies
    events = recorded[scenario]
    text = "".join(events)
    ids = sorted(set(re.findall(r"\b\d{10}\.\d+\b", text)), key=lambda i: (i.split(".")[0], int(i.split(".")[1])))
    bases = sorted(set(i.split(".")[0] for i in ids))
    channels = sorted(set(re.findall(r"(?:PJSIP|Local)/[A-Za-z0-9@;_-]+-[0-9a-f]{8}", text)))
    mapping = {old: "%d.%s" % (1800000000 + n * 10 + bases.index(old.split(".")[0]), old.split(".")[1]) for old in ids}
    out = []
    for event in events:
        for old in ids:
            event = re.sub(r"\b%s\b" % re.escape(old), mapping[old], event)
        for i, old in enumerate(channels):
            event = event.replace(old, old[:-8] + "%08x" % ((n * 8 + i) & 0xFFFFFFFF))
        out.append(event.encode())
    call_id = mapping[ids[0]]
    with open(args.calls_file, "a") as f:
        f.write("%s %s %s\n" % (call_id, scenario, ",".join(POPUPS[scenario]) or "-"))
    return out


class Channels:
    """The live channels, from the events sent: what CoreShowChannels lists."""

    def __init__(self):
        self.live = {}

    def apply(self, event):
        fields = ami_speaker.fields_of(event.decode())
        values = dict(fields)
        name = values.get("Event", "")
        uid = values.get("Uniqueid")
        if name == "Hangup":
            self.live.pop(uid, None)
            return
        if uid and "Channel" in values:
            channel = self.live.setdefault(uid, {"Application": "", "ApplicationData": "", "BridgeId": ""})
            for key in CHANNEL_FIELDS:
                if key in values:
                    channel[key] = values[key]
            if name == "Newexten":
                channel["Application"] = values.get("Application", "")
                channel["ApplicationData"] = values.get("AppData", "")
            elif name == "BridgeEnter":
                channel["BridgeId"] = values.get("BridgeUniqueid", "")
            elif name == "BridgeLeave":
                channel["BridgeId"] = ""
        dest = values.get("DestUniqueid")
        if dest and name in ("DialBegin", "DialState", "DialEnd"):
            channel = self.live.setdefault(dest, {"Application": "AppDial", "ApplicationData": "(Outgoing Line)", "BridgeId": ""})
            for key in CHANNEL_FIELDS:
                if "Dest" + key in values:
                    channel[key] = values["Dest" + key]

    def snapshot(self, action_id):
        """The live channels as CoreShowChannel events."""
        entries = []
        for channel in self.live.values():
            lines = ["Event: CoreShowChannel", "ActionID: " + action_id]
            lines += ["%s: %s" % (key, channel.get(key, "")) for key in CHANNEL_FIELDS]
            lines += ["Application: " + channel["Application"], "ApplicationData: " + channel["ApplicationData"],
                      "Duration: 00:00:01", "BridgeId: " + channel["BridgeId"]]
            entries.append("\r\n".join(lines) + "\r\n\r\n")
        return "".join(entries)


log = open(args.log, "a", buffering=1)
state = Channels()
lock = threading.Condition()
current = {"conn": None, "ready": False, "number": 0}

listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", 0))
listener.listen(4)
with open(args.port_file + ".tmp", "w") as f:
    f.write(str(listener.getsockname()[1]))
os.rename(args.port_file + ".tmp", args.port_file)


def serve(conn, number):
    """Answers one connection's actions; the sender waits until it has logged in and resynchronised."""

    def send(text):
        # One writer at a time on the socket: answers and events must not interleave.
        with lock:
            try:
                conn.sendall(text.encode())
            except OSError:
                pass

    send(ami_speaker.BANNER.decode())
    for action, fields in ami_speaker.actions(conn):
        log.write("%d %s\n" % (number, action))
        with lock:
            # The snapshot and the go-ahead together: no event can slip in between.
            channels = state.snapshot(fields.get("actionid", "")) if action == "coreshowchannels" else ""
            reply = ami_speaker.answer(action, fields, args.secret, channels)
            if reply:
                send(reply)
            if action == "coreshowchannels" and current["conn"] is conn:
                current["ready"] = True
                lock.notify_all()
        if action == "logoff":
            break
    with lock:
        if current["conn"] is conn:
            current["conn"], current["ready"] = None, False
    try:
        conn.close()
    except OSError:
        pass


def accept_forever():
    while True:
        conn, _ = listener.accept()
        with lock:
            current["number"] += 1
            number = current["number"]
            current["conn"], current["ready"] = conn, False
        log.write("%d connected\n" % number)
        threading.Thread(target=serve, args=(conn, number), daemon=True).start()


def ready_connection():
    with lock:
        while not (current["conn"] and current["ready"]):
            lock.wait()
        return current["conn"]


def send_event(event, cut_at=None):
    """Sends one event (or its first cut_at bytes, then cuts); returns False when it did not all go out."""
    while True:
        conn = ready_connection()
        with lock:
            try:
                if cut_at is None:
                    conn.sendall(event)
                    state.apply(event)
                    return True
                conn.sendall(event[:cut_at])
            except OSError:
                continue  # the client went away: send it again on the next connection
            log.write("cut after %d of %d bytes\n" % (cut_at, len(event)))
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            current["conn"], current["ready"] = None, False
        cut_at = None  # on the next connection: the whole event


def busy(calls, cuts, seed):
    scenarios = list(POPUPS)
    events = []
    for i in range(calls):
        events += copy(scenarios[i % len(scenarios)])
    rng = random.Random(seed)
    # At most one cut per event, each somewhere inside it (never at a boundary: a real cut
    # splits what is in flight).
    chosen = sorted(rng.sample(range(len(events)), min(cuts, len(events))))
    positions = {index: rng.randrange(1, len(events[index])) for index in chosen}
    for index, event in enumerate(events):
        send_event(event, positions.get(index))


threading.Thread(target=accept_forever, daemon=True).start()
held = []  # the events `until` did not send yet
for command in sys.stdin:
    words = command.split()
    try:
        if not words:
            continue
        if words[0] == "call":
            for event in copy(words[1]):
                send_event(event)
        elif words[0] == "until":
            events = copy(words[1])
            text = command.split(None, 2)[2].strip().encode()
            stop = next(i for i, event in enumerate(events) if text in event)
            for event in events[:stop + 1]:
                send_event(event)
            held = events[stop + 1:]
        elif words[0] == "rest":
            for event in held:
                send_event(event)
            held = []
        elif words[0] == "busy":
            busy(int(words[1]), int(words[2]), int(words[3]))
        elif words[0] == "quit":
            print("done quit", flush=True)
            break
        else:
            raise ValueError("unknown command")
        print("done " + command.strip(), flush=True)
    except Exception as error:  # noqa: BLE001 - reported to the test, which fails on it
        print("error %s: %s" % (command.strip(), error), flush=True)
