#!/usr/bin/env python3
"""UDP relay between a SIP client and the lab Kamailio, for callpop's fault tests.

Listens on 127.0.0.1 (port 0 = any; the chosen port is written to --port-file),
forwards client datagrams to --server and server datagrams back to the client,
and appends one line per datagram to --log: "<dir> <action> <first line> | CSeq".
--drop-subscribes N drops the first N SUBSCRIBE requests (to exercise timer E).
--dump-dir DIR also writes every datagram to DIR/NNNN-c2s.sip / NNNN-s2c.sip.
Stops on SIGTERM. Standard library only.
"""
import argparse, os, selectors, signal, socket, sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", default="127.0.0.1:5160")
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--drop-subscribes", type=int, default=0)
    ap.add_argument("--dump-dir")
    a = ap.parse_args()
    host, port = a.server.rsplit(":", 1)
    server = (host, int(port))
    front = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    front.bind(("127.0.0.1", 0))
    back = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    back.bind(("127.0.0.1", 0))
    client = None
    drops = a.drop_subscribes
    log = open(a.log, "a", buffering=1)
    # Some parents (Foundation's Process) spawn children with signals blocked: unblock.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with open(a.port_file + ".tmp", "w") as f:
        f.write(str(front.getsockname()[1]))
    os.replace(a.port_file + ".tmp", a.port_file)
    count = [0]

    def dump(direction, data):
        if a.dump_dir:
            count[0] += 1
            with open(os.path.join(a.dump_dir, f"{count[0]:04d}-{direction}.sip"), "wb") as f:
                f.write(data)

    sel = selectors.DefaultSelector()
    sel.register(front, selectors.EVENT_READ)
    sel.register(back, selectors.EVENT_READ)
    while True:
        for key, _ in sel.select():
            data, addr = key.fileobj.recvfrom(65535)
            text = data.decode("utf-8", "replace")
            first = text.split("\r\n", 1)[0]
            cseq = next((l.split(":", 1)[1].strip() for l in text.split("\r\n") if l.lower().startswith("cseq:")), "")
            if key.fileobj is front:
                client = addr
                if first.startswith("SUBSCRIBE ") and drops > 0:
                    drops -= 1
                    log.write(f"c2s drop {first} | {cseq}\n")
                    continue
                log.write(f"c2s pass {first} | {cseq}\n")
                dump("c2s", data)
                back.sendto(data, server)
            elif client is not None:
                log.write(f"s2c pass {first} | {cseq}\n")
                dump("s2c", data)
                front.sendto(data, client)


if __name__ == "__main__":
    main()
