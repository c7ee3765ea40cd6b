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
import os
import re
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ami_speaker  # noqa: E402

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
os.rename(args.port_file + ".tmp", args.port_file)

conn, _ = listener.accept()
send_lock = threading.Lock()
logged_in = threading.Event()
done = threading.Event()


def send(data):
    with send_lock:
        conn.sendall(data)


def answer_actions():
    conn.sendall(ami_speaker.BANNER)
    for action, fields in ami_speaker.actions(conn):
        log.write(action + "\n")
        reply = ami_speaker.answer(action, fields, args.secret)
        if reply:
            send(reply.encode())
        if action == "coreshowchannels":
            logged_in.set()
        if action == "logoff":
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
