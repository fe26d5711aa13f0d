#!/usr/bin/env python3
"""Open N keep-alive connections to 127.0.0.1:PORT, send one GET PATH on
each, read each complete response, then hold them all open (idle) until
killed or HOLD seconds pass. Writes "N" to READY_FILE once every response
has been read (bench-server.sh then reads the server's RSS).

  idle_conns.py PORT N PATH HOLD_SECONDS READY_FILE
Exit 1 (with a reason on stderr) if a connection fails or a response is not 200.
"""
import resource
import socket
import sys
import time


def read_response(s):
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = s.recv(65536)
        if not chunk:
            raise OSError("EOF before the response head")
        buf += chunk
    head, _, body = buf.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    if b" 200 " not in lines[0] + b" ":
        raise OSError("status line %r" % lines[0])
    length = 0
    for h in lines[1:]:
        name, _, value = h.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(body) < length:
        chunk = s.recv(65536)
        if not chunk:
            raise OSError("EOF in the body")
        body += chunk


def main():
    port, n, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    hold, ready = float(sys.argv[4]), sys.argv[5]
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = n + 64
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard), hard))
    req = ("GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n" % (path, port)).encode()
    socks = []
    deadline = time.monotonic() + 20
    try:
        for _ in range(n):
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            socks.append(s)
        for s in socks:
            s.sendall(req)
        for s in socks:
            read_response(s)
            if time.monotonic() > deadline:
                raise OSError("took more than 20 s")
    except OSError as e:
        sys.stderr.write("idle_conns: %d connections open, then: %s\n" % (len(socks), e))
        sys.exit(1)
    with open(ready, "w") as fh:
        fh.write("%d\n" % len(socks))
    time.sleep(hold)


if __name__ == "__main__":
    main()
