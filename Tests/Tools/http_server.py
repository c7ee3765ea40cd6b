#!/usr/bin/env python3
"""A scriptable HTTP(S) server for callpop's tests (Python's http.server, nothing else).

It listens on 127.0.0.1 (a random port unless --port is given) or on a Unix socket, writes
every request it receives to --log as one JSON object per line (method, path, query, headers,
body, time) *before* answering, and answers from --script, a JSON file:

    {"routes": {"/calls": [RESPONSE, RESPONSE, ...], "/events": [...]},
     "default": RESPONSE}

Each request to a path takes that route's next response; the last one repeats. The script
file is read again whenever it changes (its counters start over), so a test can change the
server's behaviour while it runs. A RESPONSE is an object with, all optional:

    status   (200)        the status code
    headers  ({})         extra headers
    body     ("")         the body (UTF-8)
    delay    (0)          seconds to wait before answering (a slow or timing-out server)
    drop     (false)      close the connection without any answer
    etag, last_modified   sent as ETag / Last-Modified; a request whose If-None-Match or
                          If-Modified-Since matches gets 304 with no body instead
    chunks   (none)       [{"data": "...", "delay": s, "repeat": n}, ...]: a streamed body without
                          a length, each piece (n times) flushed after its delay; then the connection closes
                          (or stays open "hold" seconds first)

Only loopback: it never listens anywhere else.
"""
import argparse
import json
import os
import socket
import socketserver
import ssl
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

parser = argparse.ArgumentParser()
parser.add_argument("--script", required=True)
parser.add_argument("--log", required=True)
parser.add_argument("--port-file", required=True)
parser.add_argument("--port", type=int, default=0)
parser.add_argument("--unix")
parser.add_argument("--cert")
parser.add_argument("--key")
args = parser.parse_args()

lock = threading.Lock()
state = {"stamp": None, "script": {"routes": {}}, "counters": {}}


def script():
    """The script, re-read when the file changed (counters restart)."""
    st = os.stat(args.script)
    stamp = (st.st_mtime_ns, st.st_size)
    if stamp != state["stamp"]:
        with open(args.script) as f:
            state["script"] = json.load(f)
        state["stamp"] = stamp
        state["counters"] = {}
    return state["script"]


def next_response(path):
    with lock:
        current = script()
        routes = current.get("routes", {})
        if path not in routes:
            return current.get("default", {"status": 404, "body": "no route"})
        index = state["counters"].get(path, 0)
        state["counters"][path] = index + 1
        responses = routes[path]
        return responses[min(index, len(responses) - 1)]


log_lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *unused):
        pass

    def handle_any(self):
        parts = urllib.parse.urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        record = {
            "method": self.command,
            "target": self.path,
            "path": parts.path,
            "query": parts.query,
            "headers": [[k, v] for k, v in self.headers.items()],
            "body": body.decode("utf-8", "replace"),
            "time": time.time(),
        }
        with log_lock:
            with open(args.log, "a") as f:
                f.write(json.dumps(record) + "\n")
        response = next_response(parts.path)
        time.sleep(response.get("delay", 0))
        if response.get("drop"):
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        status = response.get("status", 200)
        headers = dict(response.get("headers", {}))
        payload = response.get("body", "").encode()
        etag, modified = response.get("etag"), response.get("last_modified")
        if etag:
            headers["ETag"] = etag
        if modified:
            headers["Last-Modified"] = modified
        if (etag and self.headers.get("If-None-Match") == etag) or (
            modified and self.headers.get("If-Modified-Since") == modified
        ):
            status, payload = 304, b""
        chunks = response.get("chunks")
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if chunks is None:
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)
            return
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        try:
            for chunk in chunks:
                data = chunk.get("data", "").encode()
                for _ in range(chunk.get("repeat", 1)):
                    time.sleep(chunk.get("delay", 0))
                    self.wfile.write(data)
                    self.wfile.flush()
            time.sleep(response.get("hold", 0))
        except (BrokenPipeError, ConnectionResetError):
            pass

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = handle_any


class UnixServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


class UnixHandler(Handler):
    def address_string(self):
        return "unix"


if args.unix:
    if os.path.exists(args.unix):
        os.unlink(args.unix)
    server = UnixServer(args.unix, UnixHandler)
    where = args.unix
else:
    ThreadingHTTPServer.daemon_threads = True
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    if args.cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.cert, args.key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    where = str(server.server_address[1])

with open(args.port_file + ".tmp", "w") as f:
    f.write(where)
os.rename(args.port_file + ".tmp", args.port_file)
try:
    server.serve_forever()
except KeyboardInterrupt:
    pass
