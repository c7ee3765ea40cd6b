#!/usr/bin/env python3
"""A webhook-to-callpop bridge: the PBX POSTs call webhooks to /webhook, callpop reads /events."""
import json, os, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STATES = {"call.ringing": "ringing", "call.answered": "answered", "call.hangup": "ended"}
TOKEN = os.environ.get("BRIDGE_TOKEN")  # callpop sends it from [pbx] token_file
events, changed = [], threading.Condition()  # (id, NDJSON line), the last 1000

class Bridge(BaseHTTPRequestHandler):
    def do_POST(self):  # a webhook from the PBX
        hook = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if hook.get("event") in STATES:
            line = json.dumps({"call": hook["call_id"], "state": STATES[hook["event"]],
                               "direction": hook["direction"], "number": hook.get("remote_number", ""),
                               "name": hook.get("remote_name", ""), "called": hook.get("did", "")})
            with changed:
                events.append((events[-1][0] + 1 if events else 1, line))
                del events[:-1000]
                changed.notify_all()
        self.send_response(204)
        self.end_headers()

    def do_GET(self):  # callpop's event stream; Last-Event-ID says where it left off
        if TOKEN and self.headers.get("Authorization") != "Bearer " + TOKEN:
            return self.send_error(401)
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        last = int(self.headers.get("Last-Event-ID") or 0)
        while True:
            with changed:
                if events and last > events[-1][0]:
                    last = 0  # the bridge restarted: its ids started over
                changed.wait_for(lambda: events and events[-1][0] > last, timeout=15)
                fresh = [(i, line) for i, line in events if i > last]
            chunk = b"".join(b"id: %d\ndata: %s\n\n" % (i, line.encode()) for i, line in fresh)
            try:
                self.wfile.write(chunk or b": keep-alive\n\n")
                self.wfile.flush()
            except OSError:
                return
            last = fresh[-1][0] if fresh else last

ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1]) if sys.argv[1:] else 8765), Bridge).serve_forever()
