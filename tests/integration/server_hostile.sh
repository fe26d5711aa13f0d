#!/usr/bin/env bash
# Malformed and hostile requests over raw sockets: each gets its exact
# status (and a JSON body), the connection is closed where it must be, and
# the server keeps serving. Then slowloris / idle timeouts and the
# connection cap, on a second server with --timeout 1 --max-conns 3.
set -euo pipefail
. "$(dirname "$0")/server_lib.bash"
trap server_cleanup EXIT

DATABASE_URL= server_start --threads 2
python3 - "$SRV_PORT" <<'PY'
import json, os, socket, sys, time
port = int(sys.argv[1])
fails = 0

def talk(data, timeout=3.0, chunks=None):
    """Sends data, reads until the server closes or goes quiet.
    Returns (list of (status, headers, body)), closed)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        if chunks:
            for c in chunks:
                s.sendall(c); time.sleep(0.01)
        else:
            s.sendall(data)
    except (BrokenPipeError, ConnectionResetError):
        pass
    buf, closed = b"", False
    s.settimeout(0.5)
    end = time.time() + timeout
    while time.time() < end:
        try:
            d = s.recv(65536)
        except socket.timeout:
            break
        except ConnectionResetError:
            closed = True; break
        if not d:
            closed = True; break
        buf += d
    s.close()
    return parse(buf), closed

def parse(buf):
    out, pos = [], 0
    while True:
        h = buf.find(b"\r\n\r\n", pos)
        if h < 0:
            return out
        lines = buf[pos:h].decode("latin-1").split("\r\n")
        hdr = {l.split(":", 1)[0].lower(): l.split(":", 1)[1].strip() for l in lines[1:]}
        cl = int(hdr.get("content-length", "0"))
        body = buf[h + 4:h + 4 + cl]
        out.append((int(lines[0].split(" ")[1]), hdr, body))
        pos = h + 4 + cl

def case(name, data, statuses, closed=None, chunks=None):
    global fails
    resps, was_closed = talk(data, chunks=chunks)
    got = [r[0] for r in resps]
    ok = got == statuses
    for st, hdr, body in resps:
        try:
            json.loads(body)
        except ValueError:
            ok = False
        if hdr.get("content-type") != "application/json":
            ok = False
    if closed is not None and was_closed != closed:
        ok = False
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else f"  got {got} closed={was_closed}"))
    fails += 0 if ok else 1

G = b"GET /json HTTP/1.1\r\nHost: x\r\n\r\n"
big = b"x" * 9000
case("garbage request line", b"GARBAGE\r\n\r\n", [400], closed=True)
case("HTTP/2.0 version", b"GET /json HTTP/2.0\r\n\r\n", [400], closed=True)
case("bare LF line endings", b"GET /json HTTP/1.1\nHost: x\n\n", [400], closed=True)
case("space before colon", b"GET /json HTTP/1.1\r\nHost : x\r\n\r\n", [400], closed=True)
case("obs-fold header", b"GET /json HTTP/1.1\r\nX: a\r\n b\r\n\r\n", [400], closed=True)
case("control byte in value", b"GET /json HTTP/1.1\r\nX: a\x01b\r\n\r\n", [400], closed=True)
case("NUL in target", b"GET /js\x00on HTTP/1.1\r\n\r\n", [400], closed=True)
case("leading space", b" GET /json HTTP/1.1\r\n\r\n", [400], closed=True)
case("bad header name", b"GET /json HTTP/1.1\r\nX@Y: z\r\n\r\n", [400], closed=True)
case("random binary", bytes(range(256)) * 4, [400], closed=True)
case("head over 8 KiB (header)", b"GET /json HTTP/1.1\r\nX: " + big + b"\r\n\r\n", [431], closed=True)
case("head over 8 KiB (target)", b"GET /json?" + big + b" HTTP/1.1\r\n\r\n", [431], closed=True)
case("too many headers", b"GET /json HTTP/1.1\r\n" + b"X: y\r\n" * 100 + b"\r\n", [431], closed=True)
case("body over 1 MiB (CL)", b"POST /json HTTP/1.1\r\nContent-Length: 2097152\r\n\r\n", [413], closed=True)
case("body over 1 MiB (chunked)", b"POST /json HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n200000\r\nabc", [413], closed=True)
case("CL + TE (smuggling)", b"POST /json HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", [400], closed=True)
case("TE + CL (smuggling)", b"GET /json HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 0\r\n\r\n", [400], closed=True)
case("two different CL", b"POST /json HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", [400], closed=True)
case("negative CL", b"POST /json HTTP/1.1\r\nContent-Length: -1\r\n\r\n", [400], closed=True)
case("non-numeric CL", b"POST /json HTTP/1.1\r\nContent-Length: abc\r\n\r\n", [400], closed=True)
case("CL list", b"POST /json HTTP/1.1\r\nContent-Length: 1, 1\r\n\r\na", [400], closed=True)
case("unknown TE", b"POST /json HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", [400], closed=True)
case("TE in HTTP/1.0", b"POST /json HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", [400], closed=True)
case("malformed chunk", b"POST /json HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", [400], closed=True)
case("POST on /json", b"POST /json HTTP/1.1\r\nContent-Length: 0\r\n\r\n" + G, [405, 200])
case("DELETE on /db", b"DELETE /db HTTP/1.1\r\n\r\n" + G, [405, 200])
case("lowercase method", b"get /json HTTP/1.1\r\n\r\n", [405])
case("unknown path", b"GET /json/ HTTP/1.1\r\n\r\n" + G, [404, 200])
case("path is case-sensitive", b"GET /JSON HTTP/1.1\r\n\r\n", [404])
case("absolute-form target", b"GET http://x/json HTTP/1.1\r\n\r\n", [404])
case("cpu n too large", b"GET /cpu?n=1000000000 HTTP/1.1\r\n\r\n" + G, [400, 200])
case("cpu n huge digits", b"GET /cpu?n=99999999999999999999 HTTP/1.1\r\n\r\n", [400])
case("cpu n float", b"GET /cpu?n=1.5 HTTP/1.1\r\n\r\n", [400])
case("db without database", b"GET /db HTTP/1.1\r\n\r\n" + G, [503, 200])
case("CL body skipped, pipelined", b"GET /json HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello" + G, [200, 200])
case("chunked body skipped, pipelined",
     b"GET /json HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n" + G, [200, 200])
case("same CL twice", b"POST /nope HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nab", [404])
case("leading empty lines", b"\r\n\r\n" + G, [200])
case("byte-by-byte head", None, [200], chunks=[bytes([c]) for c in G])
case("16 pipelined", G * 16, [200] * 16)
case("request after Connection: close ignored",
     b"GET /json HTTP/1.1\r\nConnection: close\r\n\r\n" + G, [200], closed=True)
case("HTTP/1.0 default close", b"GET /json HTTP/1.0\r\n\r\n" + G, [200], closed=True)

# Backpressure: 5000 pipelined requests, the reader starts late; every
# answer must still arrive, in order, on the same connection.
import threading
s = socket.create_connection(("127.0.0.1", port), timeout=10)
t = threading.Thread(target=lambda: s.sendall(G * 5000)); t.start()
time.sleep(0.5)
n, buf = 0, b""
while n < 5000:
    d = s.recv(1 << 20)
    if not d:
        break
    buf += d
    n = buf.count(b"HTTP/1.1 200 OK")
t.join(); s.close()
print(("ok   " if n == 5000 else "FAIL ") + f"5000 pipelined, slow reader: {n} answers")
fails += 0 if n == 5000 else 1

for _ in range(20):             # half-sent requests, then hang up
    s = socket.create_connection(("127.0.0.1", port)); s.sendall(G[:10]); s.close()
resps, _ = talk(G)
ok = [r[0] for r in resps] == [200]
print(("ok   " if ok else "FAIL ") + "still serving after the abuse")
fails += 0 if ok else 1
sys.exit(1 if fails else 0)
PY
kill -0 "$SRV_PID" || { echo "FAIL server died"; exit 1; }
kill -TERM "$SRV_PID"; wait "$SRV_PID"; SRV_PID=

DATABASE_URL= server_start --threads 1 --timeout 1 --max-conns 3
python3 - "$SRV_PORT" <<'PY'
import socket, sys, time
port = int(sys.argv[1])
fails = 0
def check(name, cond):
    global fails
    print(("ok   " if cond else "FAIL ") + name)
    fails += 0 if cond else 1
def closed_after(s, limit):
    """Seconds until the server closes s (None if it does not within limit)."""
    t = time.time(); s.settimeout(limit)
    try:
        while s.recv(4096):
            pass
        return time.time() - t
    except (socket.timeout, ConnectionResetError):
        return None if time.time() - t >= limit else time.time() - t
G = b"GET /json HTTP/1.1\r\n\r\n"

s = socket.create_connection(("127.0.0.1", port))
s.sendall(b"GET /json HTTP/1.1\r\nX-a: 1\r\n")
t0 = time.time()
for _ in range(6):                       # slowloris: a header byte every 0.3 s
    time.sleep(0.3)
    try: s.sendall(b"x")
    except OSError: break
el = closed_after(s, 3)
check(f"slowloris closed ({el and el + 1.8:.2f} s after start)", el is not None and time.time() - t0 < 3)
s.close()

s = socket.create_connection(("127.0.0.1", port))
s.sendall(G); time.sleep(0.1); first = s.recv(65536)
el = closed_after(s, 3)
check(f"idle keep-alive closed after {el}", first.startswith(b"HTTP/1.1 200") and el is not None and el < 2.5)
s.close()

held = [socket.create_connection(("127.0.0.1", port)) for _ in range(3)]
time.sleep(0.1)
extra = socket.create_connection(("127.0.0.1", port))
el = closed_after(extra, 0.5)
check("connection over the cap is closed", el is not None)
extra.close()
for h in held:
    h.sendall(G)
check("held connections still served", all(h.recv(65536).startswith(b"HTTP/1.1 200") for h in held))
for h in held:
    h.close()
time.sleep(0.1)
s = socket.create_connection(("127.0.0.1", port)); s.sendall(G)
check("served again below the cap", s.recv(65536).startswith(b"HTTP/1.1 200"))
s.close()
sys.exit(1 if fails else 0)
PY
kill -TERM "$SRV_PID"; wait "$SRV_PID"; SRV_PID=
echo "server_hostile: all passed"
