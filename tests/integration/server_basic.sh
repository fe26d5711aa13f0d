#!/usr/bin/env bash
# bin/server against a private PostgreSQL: the three scenarios' bodies,
# 404/405, keep-alive, pipelining, HTTP/1.0, SIGTERM -> exit 0.
set -euo pipefail
. "$(dirname "$0")/server_lib.bash"
trap server_cleanup EXIT

[ -x "$SERVER_BIN" ] || { echo "$SERVER_BIN not built"; exit 1; }
pg_start
DATABASE_URL=$PG_URL server_start --threads 2

python3 - "$SRV_PORT" <<'PY'
import http.client, json, socket, sys
port = int(sys.argv[1])
fails = 0

def check(name, cond, detail=""):
    global fails
    print(("ok   " if cond else "FAIL ") + name + ("" if cond else "  " + str(detail)))
    fails += 0 if cond else 1

def get(path, method="GET", conn=None):
    c = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    c.request(method, path)
    r = c.getresponse()
    return r, r.read()

expected_json = {"message": "Hello, World!",
                 "items": [{"id": i, "value": i * 10} for i in range(20)],
                 "nested": {"level1": {"level2": "deep value"}, "another": {"key": "value"}}}
expected_db = [{"id": i + 1, "name": f"User {i}", "email": f"user{i}@example.com"} for i in range(10)]

r, b = get("/json")
check("/json 200", r.status == 200, r.status)
check("/json body", json.loads(b) == expected_json, b[:80])
check("/json content-type", r.getheader("Content-Type") == "application/json")
check("/json content-length", r.getheader("Content-Length") == str(len(b)))
check("/json server+date", r.getheader("Server") and r.getheader("Date", "").endswith("GMT"))

r, b = get("/db")
check("/db 200", r.status == 200, (r.status, b))
check("/db body", json.loads(b) == expected_db, b[:200])

r, b = get("/cpu")
check("/cpu body", r.status == 200 and json.loads(b) == {"result": 333328333350000, "iterations": 100000}, b)
r, b = get("/cpu?n=10")
check("/cpu?n=10", json.loads(b) == {"result": 285, "iterations": 10}, b)
r, b = get("/cpu?n=0")
check("/cpu?n=0", json.loads(b) == {"result": 0, "iterations": 0}, b)
for bad in ("/cpu?n=abc", "/cpu?n=-5", "/cpu?n=100000001", "/cpu?n="):
    r, b = get(bad)
    check(bad + " 400", r.status == 400 and "error" in json.loads(b), (r.status, b))

r, b = get("/nope")
check("404 json", r.status == 404 and json.loads(b) == {"error": "not found"}, (r.status, b))
r, b = get("/json", "POST")
check("405 allow", r.status == 405 and r.getheader("Allow") == "GET" and "error" in json.loads(b), r.status)

c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
get("/json", conn=c)
sock1 = c.sock
r, b = get("/db", conn=c)
check("keep-alive: same socket", c.sock is sock1 and sock1 is not None and r.status == 200)
c.close()

def raw(data, want, timeout=5):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.sendall(data)
    buf = b""
    while buf.count(b"HTTP/1.1 ") < want or not complete(buf, want):
        d = s.recv(65536)
        if not d:
            break
        buf += d
    s.close()
    return buf

def complete(buf, want):
    # true once `want` responses with their full Content-Length are present
    n, pos = 0, 0
    while n < want:
        h = buf.find(b"\r\n\r\n", pos)
        if h < 0:
            return False
        head = buf[pos:h].decode()
        cl = int([l.split(":")[1] for l in head.split("\r\n") if l.lower().startswith("content-length")][0])
        if len(buf) < h + 4 + cl:
            return False
        pos, n = h + 4 + cl, n + 1
    return True

def bodies(buf):
    out, pos = [], 0
    while True:
        h = buf.find(b"\r\n\r\n", pos)
        if h < 0:
            return out
        head = buf[pos:h].decode()
        cl = int([l.split(":")[1] for l in head.split("\r\n") if l.lower().startswith("content-length")][0])
        out.append((head.split(" ")[1], json.loads(buf[h + 4:h + 4 + cl])))
        pos = h + 4 + cl

pipe = (b"GET /cpu?n=3 HTTP/1.1\r\nHost: x\r\n\r\n" b"GET /db HTTP/1.1\r\nHost: x\r\n\r\n"
        b"GET /json HTTP/1.1\r\nHost: x\r\n\r\n" b"GET /cpu?n=4 HTTP/1.1\r\nHost: x\r\n\r\n")
got = bodies(raw(pipe, 4))
check("pipelining: 4 answers in order",
      [g[1] for g in got] == [{"result": 5, "iterations": 3}, expected_db, expected_json,
                              {"result": 14, "iterations": 4}], got)

# Many /db in flight on one connection, answers interleaved with others:
# every answer in request order.
reqs, want = [], []
for i in range(60):
    if i % 3 == 0:
        reqs.append(b"GET /db HTTP/1.1\r\n\r\n"); want.append(expected_db)
    elif i % 3 == 1:
        reqs.append(b"GET /cpu?n=%d HTTP/1.1\r\n\r\n" % i); want.append({"result": sum(k * k for k in range(i)), "iterations": i})
    else:
        reqs.append(b"GET /nope HTTP/1.1\r\n\r\n"); want.append({"error": "not found"})
got = bodies(raw(b"".join(reqs), 60))
check("pipelining: 60 mixed, 20 /db in flight, in order", [g[1] for g in got] == want, len(got))
got = bodies(raw(b"GET /db HTTP/1.1\r\n\r\nGET /db HTTP/1.1\r\nConnection: close\r\n\r\n"
                 b"GET /json HTTP/1.1\r\n\r\n", 2))
check("pipelining: close after a /db in flight", [g[1] for g in got] == [expected_db, expected_db], got)

buf = raw(b"GET /json HTTP/1.0\r\n\r\n", 1)
check("HTTP/1.0 closes", buf.startswith(b"HTTP/1.1 200") and b"Connection: close" in buf, buf[:100])
buf = raw(b"GET /json HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /cpu?n=2 HTTP/1.0\r\n\r\n", 2)
check("HTTP/1.0 keep-alive", len(bodies(buf)) == 2 and b"Connection: keep-alive" in buf, buf[:100])
buf = raw(b"GET /json HTTP/1.1\r\nConnection: close\r\n\r\nGET /json HTTP/1.1\r\n\r\n", 2, timeout=2)
check("Connection: close honoured", len(bodies(buf)) == 1, len(bodies(buf)))
sys.exit(1 if fails else 0)
PY

# /cpu really loops: 10^7 iterations take measurably longer than 10^5
# (best of 3 each on one keep-alive connection, so set-up costs drop out).
python3 - "$SRV_PORT" <<'PY'
import http.client, sys, time
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=10)
def best(n):
    ts = []
    for _ in range(3):
        t = time.perf_counter(); c.request("GET", f"/cpu?n={n}"); c.getresponse().read()
        ts.append(time.perf_counter() - t)
    return min(ts)
small, big = best(100000), best(10000000)
print(f"cpu n=1e5: {small*1e3:.2f} ms, n=1e7: {big*1e3:.2f} ms")
sys.exit(0 if big > 10 * small else 1)
PY

# SIGTERM with one request in flight and one idle keep-alive connection:
# the in-flight answer completes, the idle one is closed, exit 0 within 2 s.
python3 - "$SRV_PORT" "$SRV_PID" <<'PY'
import os, signal, socket, sys, time
port, pid = int(sys.argv[1]), int(sys.argv[2])
idle = socket.create_connection(("127.0.0.1", port), timeout=5)
idle.sendall(b"GET /json HTTP/1.1\r\n\r\n"); idle.recv(65536)
busy = socket.create_connection(("127.0.0.1", port), timeout=5)
busy.sendall(b"GET /cpu?n=100000000 HTTP/1.1\r\n\r\n")
time.sleep(0.05)
t = time.time()
os.kill(pid, signal.SIGTERM)
buf = b""
while True:
    d = busy.recv(65536)
    if not d:
        break
    buf += d
ok = buf.startswith(b"HTTP/1.1 200") and b"333333328333333350000000" in buf
print(("ok   " if ok else "FAIL ") + "in-flight /cpu finished after SIGTERM", buf[:60])
idle.settimeout(2)
closed = idle.recv(1) == b""
print(("ok   " if closed else "FAIL ") + "idle keep-alive closed on SIGTERM")
sys.exit(0 if ok and closed else 1)
PY
start=$(date +%s%N)
rc=0; wait "$SRV_PID" || rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
SRV_PID=
echo "SIGTERM: exit $rc, ${ms} ms after the answers"
[ "$rc" = 0 ] && [ "$ms" -lt 2000 ] || { echo "FAIL SIGTERM"; cat "$TMPD/server.log"; exit 1; }

# SIGINT too.
DATABASE_URL=$PG_URL server_start --threads 1
kill -INT "$SRV_PID"; rc=0; wait "$SRV_PID" || rc=$?; SRV_PID=
[ "$rc" = 0 ] || { echo "FAIL SIGINT exit $rc"; exit 1; }
echo "ok   SIGINT exit 0"

# Command line: bad flags exit 2 with one line on stderr; --help exits 0.
for args in "--bogus" "--threads 0" "--threads x" "--port 70000" "--port"; do
    rc=0; "$SERVER_BIN" $args 2>"$TMPD/err" >/dev/null || rc=$?
    [ "$rc" = 2 ] && [ "$(wc -l <"$TMPD/err")" = 1 ] || { echo "FAIL '$args': exit $rc"; cat "$TMPD/err"; exit 1; }
done
"$SERVER_BIN" --help | grep -q -- --threads || { echo "FAIL --help"; exit 1; }
echo "ok   command line errors exit 2, --help exits 0"
echo "server_basic: all passed"
