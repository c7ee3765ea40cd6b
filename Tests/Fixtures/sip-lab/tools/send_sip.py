#!/usr/bin/env python3
"""Send one SIP message (a file, sent byte-exact) over UDP and print the first line
of the first answer, for callpop's fault tests.

    send_sip.py HOST PORT FILE   exit 0 when an answer arrived within 3 s, 1 otherwise
"""
import socket, sys

host, port, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with open(path, "rb") as f:
    data = f.read()
sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM)
sock.settimeout(3)
sock.sendto(data, (host, port))
try:
    answer, _ = sock.recvfrom(65535)
except socket.timeout:
    sys.exit(1)
print(answer.decode("utf-8", "replace").split("\r\n", 1)[0])
