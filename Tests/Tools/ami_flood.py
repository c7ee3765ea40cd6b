#!/usr/bin/env python3
"""A flooding Asterisk for the backpressure tests: speaks just enough AMI for callpop
(banner, MD5 Challenge or plain Login, CoreShowChannels, Ping, Logoff), then sends the
recorded inbound-answered call (Tests/Fixtures/asterisk-22) over and over, as fast as the
socket takes it, for --seconds: 1,000 copies with distinct call ids are built once and sent
in turn (far more than callpop remembers of ended calls, so every copy is a new call). Halfway it sends one marked
call (caller --mark-number) and writes the wall-clock time its last byte was accepted by
the socket to --mark-file. Every action the client sends is logged to --log.

Only loopback: it listens on 127.0.0.1 and serves one connection.
"""
import argparse
import hashlib
import re
import socket
import threading
import time

parser = argparse.ArgumentParser()
parser.add_argument("--template", required=True, help="a recorded ami.txt")
parser.add_argument("--port-file", required=True)
parser.add_argument("--log", required=True)
parser.add_argument("--mark-file", required=True)
parser.add_argument("--seconds", type=float, default=30)
parser.add_argument("--delay", type=float, default=1.5, help="idle time after login before the flood")
parser.add_argument("--secret", default="flood-secret")
parser.add_argument("--mark-number", default="+449999999999")
args = parser.parse_args()

raw = open(args.template, "rb").read().decode()
# The call's events: everything after the login exchange, without the final Logoff answer.
blocks = [b for b in raw.split("\r\n\r\n") if b.startswith("Event:")]
skip = ("FullyBooted", "SuccessfulAuth", "ChallengeSent")
call = "".join(b + "\r\n\r\n" for b in blocks if not b.split("\r\n")[0].endswith(skip))
ids = sorted(set(re.findall(r"\b1795593625\.\d+\b", call)))
channels = sorted(set(re.findall(r"PJSIP/[a-z0-9]+-[0-9a-f]{8}", call)))


def copy(n, number=None):
    text = call
    for i, old in enumerate(ids):
        text = text.replace(old, "%d.%d" % (1700000000 + n, i))
    for i, old in enumerate(channels):
        text = text.replace(old, old[:-8] + "%08x" % (n * 4 + i))
    if number:
        text = text.replace("+441234567890", number)
    return text.encode()


log = open(args.log, "a", buffering=1)
listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", 0))
listener.listen(1)
with open(args.port_file + ".tmp", "w") as f:
    f.write(str(listener.getsockname()[1]))
import os
os.rename(args.port_file + ".tmp", args.port_file)

conn, _ = listener.accept()
send_lock = threading.Lock()
logged_in = threading.Event()
done = threading.Event()


def send(data):
    with send_lock:
        conn.sendall(data)


def answer_actions():
    buffer = b""
    conn.sendall(b"Asterisk Call Manager/11.0.0\r\n")
    while True:
        try:
            chunk = conn.recv(65536)
        except OSError:
            break
        if not chunk:
            break
        buffer += chunk
        while b"\r\n\r\n" in buffer:
            message, buffer = buffer.split(b"\r\n\r\n", 1)
            fields = {}
            for line in message.decode(errors="replace").split("\r\n"):
                if ":" in line:
                    key, value = line.split(":", 1)
                    fields[key.strip().lower()] = value.strip()
            action = fields.get("action", "").lower()
            action_id = fields.get("actionid", "")
            log.write(action + "\n")
            head = "Response: Success\r\nActionID: %s\r\n" % action_id
            if action == "challenge":
                send((head + "Challenge: 1234567890\r\n\r\n").encode())
            elif action == "login":
                key = hashlib.md5(("1234567890" + args.secret).encode()).hexdigest()
                ok = fields.get("key") == key or fields.get("secret") == args.secret
                send((head + "Message: Authentication accepted\r\n\r\n" if ok else
                      "Response: Error\r\nActionID: %s\r\nMessage: Authentication failed\r\n\r\n" % action_id).encode())
            elif action == "coreshowchannels":
                send((head + "EventList: start\r\nMessage: Channels will follow\r\n\r\n"
                      "Event: CoreShowChannelsComplete\r\nActionID: %s\r\nEventList: Complete\r\nListItems: 0\r\n\r\n"
                      % action_id).encode())
                logged_in.set()
            elif action == "ping":
                send((head + "Ping: Pong\r\nTimestamp: 1700000000.000000\r\n\r\n").encode())
            elif action == "logoff":
                send(("Response: Goodbye\r\nActionID: %s\r\nMessage: Thanks for all the fish.\r\n\r\n" % action_id).encode())
                break
    done.set()


threading.Thread(target=answer_actions, daemon=True).start()
logged_in.wait()
time.sleep(args.delay)
log.write("flood-start %.6f\n" % time.time())
batch = 100
copies = [b"".join(copy(i * batch + j) for j in range(batch)) for i in range(10)]
start = time.monotonic()
n = 0
marked = False
try:
    while time.monotonic() - start < args.seconds and not done.is_set():
        if not marked and time.monotonic() - start >= args.seconds / 2:
            send(copy(999_999, args.mark_number))
            with open(args.mark_file, "w") as f:
                f.write("%.6f %d.0\n" % (time.time(), 1700000000 + 999_999))
            marked = True
        send(copies[(n // batch) % len(copies)])
        n += batch
except OSError:
    pass
log.write("flood-end %.6f calls %d\n" % (time.time(), n))
done.wait()
