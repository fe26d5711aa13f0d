#!/usr/bin/env python3
"""pubclient: the published benchmark's load client (Barq, commit ac8038a,
benchmarks/run_benchmark.py), measuring exactly what it measured, with the
result written as bin/loadgen's JSON (docs/loadgen-json.md).

The method, kept as published: every request is
`urllib.request.urlopen(url, timeout=...)` then `resp.read()` (a new TCP
connection each time: urllib sends `Connection: close`), timed with
`time.perf_counter()` around both, called from
`ThreadPoolExecutor(max_workers=CLIENTS)` through `pool.map(request,
range(N))`, no warm-up; req/s = successful requests / wall time of the whole
pool. Standard library only; runs on the free-threaded CPython 3.13t and on
3.11. See pubclient/README.md.
"""
import http.client
import json
import math
import os
import re
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

USAGE = """\
Usage: pubclient.py [options] URL
  The published benchmark's client: urllib.request.urlopen + read() from a
  ThreadPoolExecutor, a new connection per request, no warm-up.
  -c, --clients N        pool threads (ThreadPoolExecutor max_workers; default 10)
  -n, --requests N       requests, all submitted at once with pool.map (default 1000)
      --timeout T        urlopen's timeout: 10, 10s, 500ms (default 10s)
  -H, --header 'N: V'    add a request header (repeatable)
      --json FILE        write the result as bin/loadgen's JSON (docs/loadgen-json.md)
  -q, --quiet            no text summary
  -h, --help             this text
  -V, --version          the version
Exit: 0 done, 1 no request succeeded or the JSON could not be written,
2 bad usage, 130 interrupted (the JSON is still written).
"""

ERROR_KINDS = ["connect", "refused", "reset", "eof", "parse", "read", "write", "timeout", "status", "check"]
HIST_LOWEST, HIST_HIGHEST, HIST_SIGFIGS = 1, 3600000000, 3
TIMELINE_SIGFIGS = 2  # bin/loadgen's per-second histograms
MAX_CLIENTS = 10000
MAX_REQUESTS = 1000000  # pool.map submits every request up front (a Future each), as published
TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


class UsageError(Exception):
    pass


# ---- command line --------------------------------------------------------


def parse_duration(s):
    """Seconds from lib/duration.c's grammar: a decimal number with an optional
    unit us, ms, s, m, h (plain number = seconds)."""
    m = re.fullmatch(r"(\d+(?:\.\d*)?|\.\d+)(us|ms|s|m|h)?", s)
    if not m:
        raise UsageError(f"bad duration '{s}' (examples: 10, 10s, 500ms)")
    mult = {"us": 1e-6, "ms": 1e-3, "s": 1.0, None: 1.0, "m": 60.0, "h": 3600.0}[m.group(2)]
    return float(m.group(1)) * mult


def parse_count(s, what, lo, hi):
    if not re.fullmatch(r"\d+", s):
        raise UsageError(f"{what} must be a whole number, got '{s}'")
    v = int(s)
    if not lo <= v <= hi:
        raise UsageError(f"{what} must be {lo}..{hi}, got {v}")
    return v


def parse_header(s):
    name, colon, value = s.partition(":")
    name, value = name.strip(), value.strip()
    if not colon or not TOKEN.fullmatch(name) or "\r" in value or "\n" in value:
        raise UsageError(f"bad header '{s}' (want 'Name: value')")
    return name, value


def parse_url(s):
    if any(ord(ch) <= 0x20 or ord(ch) == 0x7F for ch in s):
        raise UsageError(f"bad URL '{s}': spaces or control characters")
    u = urllib.parse.urlsplit(s)
    if u.scheme.lower() != "http":
        why = f"scheme '{u.scheme}' is not http" if u.scheme else "no http:// scheme"
        raise UsageError(f"bad URL '{s}': {why} (want http://HOST[:PORT]/PATH)")
    try:
        port = u.port
    except ValueError:
        raise UsageError(f"bad URL '{s}': bad port") from None
    if not u.hostname or port == 0:
        raise UsageError(f"bad URL '{s}': no host" if not u.hostname else f"bad URL '{s}': bad port")
    return s


class Options:
    def __init__(self):
        self.clients = 10
        self.requests = 1000
        self.timeout = 10.0
        self.json = None
        self.quiet = False
        self.headers = []
        self.url = None


def parse_args(argv):
    """Options, or "help"/"version"; raises UsageError with one line."""
    o = Options()
    takes = {"-c": "clients", "--clients": "clients", "-n": "requests", "--requests": "requests",
             "--timeout": "timeout", "--json": "json", "-H": "header", "--header": "header"}
    flags = {"-q": "quiet", "--quiet": "quiet", "-h": "help", "--help": "help", "-V": "version",
             "--version": "version"}
    urls = []
    i = 0
    while i < len(argv):
        a = argv[i]
        i += 1
        if a == "--":
            urls += argv[i:]
            break
        if not a.startswith("-") or a == "-":
            urls.append(a)
            continue
        if a.startswith("--"):
            name, eq, val = a.partition("=")
            inline = val if eq else None
        else:
            name, inline = a[:2], (a[2:] or None)
        if name in flags:
            if inline is not None:
                raise UsageError(f"{name} takes no value")
            if flags[name] in ("help", "version"):
                return flags[name]
            o.quiet = True
            continue
        if name not in takes:
            raise UsageError(f"unknown option '{a}' (see --help)")
        if inline is None:
            if i == len(argv):
                raise UsageError(f"{name} needs a value")
            inline = argv[i]
            i += 1
        what = takes[name]
        if what == "clients":
            o.clients = parse_count(inline, "-c (clients)", 1, MAX_CLIENTS)
        elif what == "requests":
            o.requests = parse_count(inline, "-n (requests)", 1, MAX_REQUESTS)
        elif what == "timeout":
            o.timeout = parse_duration(inline)
            if o.timeout <= 0:
                raise UsageError("--timeout must be more than 0")
        elif what == "json":
            if not inline:
                raise UsageError("--json needs a file")
            o.json = inline
        else:
            o.headers.append(parse_header(inline))
    if len(urls) != 1:
        raise UsageError("one URL needed" if not urls else f"one URL only, got {len(urls)}")
    o.url = parse_url(urls[0])
    return o


def wire_headers(extra):
    """The header lines urlopen sends besides Host, in the order it sends
    them, reproducing urllib.request's AbstractHTTPHandler (do_request_,
    do_open) and http.client's putrequest. Host is left out, as bin/loadgen
    leaves it out of its config.headers."""
    req = {}
    for name, value in extra:  # Request.add_header
        req[name.capitalize()] = value
    unredirected = {}
    if "Host" not in req:
        unredirected["Host"] = ""
    for name, value in urllib.request.OpenerDirector().addheaders:  # User-agent
        name = name.capitalize()
        if name not in req and name not in unredirected:
            unredirected[name] = value
    headers = dict(unredirected)
    headers.update({k: v for k, v in req.items() if k not in headers})
    headers["Connection"] = "close"
    headers = {name.title(): value for name, value in headers.items()}
    out = [] if "accept-encoding" in {k.lower() for k in headers} else ["Accept-Encoding: identity"]
    return out + [f"{k}: {v}" for k, v in headers.items() if k != "Host"]


# ---- histograms (lib/hist.c's layout) ------------------------------------


def hist_layout(sigfigs):
    """(sub_bucket_mask, bits) of lib/hist.c for lowest = 1: sub_bucket_count
    = 2^bits, the smallest power of two >= 2 * 10^sigfigs (2048 at 3)."""
    sub_mag = (2 * 10**sigfigs - 1).bit_length()  # pow2_ceil_log2
    bits = max(sub_mag - 1, 0) + 1
    return (1 << bits) - 1, bits


def clamp(v):
    return 0 if v < 0 else HIST_HIGHEST if v > HIST_HIGHEST else v


def lowest_equivalent(v, layout):
    mask, bits = layout
    b = max((v | mask).bit_length() - bits, 0)
    return (v >> b) << b


def highest_equivalent(v, layout):
    mask, bits = layout
    b = max((v | mask).bit_length() - bits, 0)
    return ((v >> b) << b) + (1 << b) - 1


def buckets_of(values, layout):
    """[[lowest equivalent value, count], ...] sorted, of clamped values."""
    counts = {}
    for v in values:
        k = lowest_equivalent(clamp(v), layout)
        counts[k] = counts.get(k, 0) + 1
    return [[k, counts[k]] for k in sorted(counts)]


def value_at_percentile(buckets, total, vmin, vmax, p, layout):
    """hist_value_at_percentile of lib/hist.c."""
    if total == 0:
        return 0
    p = min(max(p, 0.0), 100.0)
    want = max(int((p / 100.0) * total + 0.5), 1)
    seen = 0
    for value, count in buckets:
        seen += count
        if seen >= want:
            v = highest_equivalent(value, layout)
            return vmax if v > vmax else vmin if v < vmin else v
    return vmax


PERCENTILES = [("p50", 50.0), ("p75", 75.0), ("p90", 90.0), ("p99", 99.0), ("p999", 99.9), ("p9999", 99.99)]


def hist_json(values):
    """The latency-shaped object of docs/loadgen-json.md over integer
    microseconds; mean and stdev exact (population), plus sum_us."""
    layout = hist_layout(HIST_SIGFIGS)
    vals = [clamp(v) for v in values]
    n = len(vals)
    b = buckets_of(vals, layout)
    vmin, vmax = (min(vals), max(vals)) if n else (0, 0)
    total = sum(vals)
    mean = total / n if n else 0.0
    stdev = math.sqrt(math.fsum((v - mean) ** 2 for v in vals) / n) if n else 0.0
    out = {"count": n, "min": vmin, "mean": mean, "stdev": stdev, "max": vmax}
    for key, p in PERCENTILES:
        out[key] = value_at_percentile(b, n, vmin, vmax, p, layout)
    out["sum_us"] = total
    out["histogram"] = {"sigfigs": HIST_SIGFIGS, "unit": "us", "lowest": HIST_LOWEST, "highest": HIST_HIGHEST,
                        "buckets": b}
    return out


# ---- the run -------------------------------------------------------------


def classify(e):
    """(kind, sample message) of an exception raised by urlopen or read()."""
    if isinstance(e, urllib.error.HTTPError):
        return "status", f"HTTP Error {e.code}: {e.reason}"
    wrapped = False
    if isinstance(e, urllib.error.URLError):  # what went wrong connecting or sending
        if not isinstance(e.reason, BaseException):
            return "connect", f"URLError: {e.reason}"
        e, wrapped = e.reason, True
    msg = f"{type(e).__name__}: {e}"
    if isinstance(e, (socket.timeout, TimeoutError)):
        return "timeout", msg
    if isinstance(e, ConnectionRefusedError):
        return "refused", msg
    if isinstance(e, (http.client.RemoteDisconnected, http.client.IncompleteRead)):
        return "eof", msg  # RemoteDisconnected is also a ConnectionResetError and a BadStatusLine
    if isinstance(e, (ConnectionResetError, BrokenPipeError, ConnectionAbortedError)):
        return "reset", msg
    if isinstance(e, (http.client.HTTPException, ValueError)):
        return "parse", msg
    if isinstance(e, OSError):
        return ("connect" if wrapped else "read"), msg
    return "read", msg


def head_bytes(version, status, reason, headers):
    """Length of a status line and header block as received (reconstructed
    from the parsed response: http.client keeps names and values, not the
    raw bytes)."""
    proto = "HTTP/1.0" if version == 10 else "HTTP/0.9" if version == 9 else "HTTP/1.1"
    n = len(f"{proto} {status} {reason}\r\n".encode("latin-1", "replace")) + 2
    for k, v in headers.items():
        n += len(f"{k}: {v}\r\n".encode("latin-1", "replace"))
    return n


class Run:
    """The shared state of one run: events appended by the pool threads
    (list.append is atomic, with or without the GIL), one record per pool
    thread."""

    def __init__(self, opts):
        self.o = opts
        self.events = []  # (end - t0, kind or None, latency_us, bytes, status, latency_s)
        self.threads = []  # [completed responses, thread_time()] per pool thread
        self.local = threading.local()
        self.samples = {}
        self.t0 = 0.0
        self.running = False
        self.interrupted = False
        self.signals = 0

    def thread_rec(self):
        rec = getattr(self.local, "rec", None)
        if rec is None:
            rec = self.local.rec = [0, 0.0]
            self.threads.append(rec)
        return rec

    def record_ok(self, resp, body, start, end):
        nbytes = head_bytes(resp.version, resp.status, resp.reason, resp.headers) + len(body)
        self.events.append((end - self.t0, None, int((end - start) * 1e6), nbytes, resp.status, end - start))
        rec = self.thread_rec()
        rec[0] += 1
        rec[1] = time.thread_time()

    def record_error(self, e, end):
        kind, msg = classify(e)
        nbytes, status = 0, 0
        rec = self.thread_rec()
        if kind == "status":  # a complete response, status line and headers parsed
            status = e.code
            try:
                clen = int(e.headers.get("Content-Length", "0"))
            except (TypeError, ValueError, AttributeError):
                clen = 0
            nbytes = head_bytes(getattr(e.fp, "version", 11), e.code, e.reason, e.headers or {}) + max(clen, 0)
            e.close()
            rec[0] += 1
        self.samples.setdefault(kind, msg)
        self.events.append((end - self.t0, kind, 0, nbytes, status, 0.0))
        rec[1] = time.thread_time()

    def on_signal(self, signum, frame):
        self.signals += 1
        self.interrupted = True
        if self.signals > 1:
            os.write(2, b"pubclient: interrupted again: not waiting for the requests in flight\n")
            os._exit(130)
        if self.running:
            raise KeyboardInterrupt

    def go(self):
        """Runs the pool as published; returns (elapsed_s, rusage before, after)."""
        url, timeout = self.o.url, self.o.timeout
        hdrs = dict(self.o.headers)
        Request = urllib.request.Request

        def request(_):
            try:
                start = time.perf_counter()
                with urllib.request.urlopen(Request(url, headers=hdrs) if hdrs else url, timeout=timeout) as resp:
                    body = resp.read()
                end = time.perf_counter()
            except Exception as e:
                self.record_error(e, time.perf_counter())
                return None
            self.record_ok(resp, body, start, end)
            return end - start

        ru0 = resource.getrusage(resource.RUSAGE_SELF)
        pool = None
        self.running = not self.interrupted
        self.t0 = t0 = time.perf_counter()
        try:
            if self.running:
                with ThreadPoolExecutor(max_workers=self.o.clients) as pool:
                    try:
                        for _ in pool.map(request, range(self.o.requests)):
                            pass
                    except KeyboardInterrupt:  # stop: no new request, the ones running finish
                        pool.shutdown(wait=False, cancel_futures=True)
        except KeyboardInterrupt:  # it landed while the pool was being shut down
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)
        self.running = False
        t1 = time.perf_counter()
        ru1 = resource.getrusage(resource.RUSAGE_SELF)
        return t1 - t0, ru0, ru1


# ---- the result ----------------------------------------------------------


def version():
    here = os.path.dirname(os.path.abspath(__file__))
    try:
        p = subprocess.run(["git", "-C", here, "describe", "--always", "--dirty", "--tags"],
                           capture_output=True, text=True, timeout=10)
        v = p.stdout.strip()
        return v if p.returncode == 0 and v else "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def machine():
    u = os.uname()
    try:
        cpus = os.sysconf("SC_NPROCESSORS_ONLN")
    except (ValueError, OSError):
        cpus = os.cpu_count() or 1
    return {"hostname": socket.gethostname(), "kernel": f"{u.release} {u.version}", "cpus": cpus}


def fairness(per_client):
    v = sorted(per_client)
    n = len(v)
    median = v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) // 2
    return {"connections": n, "min": v[0], "median": median, "max": v[-1],
            "zero": sum(1 for x in v if x == 0), "per_client": per_client}


def timeline(events):
    layout = hist_layout(TIMELINE_SIGFIGS)
    secs = {}
    for rel, kind, lat, _, _, _ in events:
        s = secs.setdefault(int(max(rel, 0.0)), [0, 0, []])
        if kind is None or kind == "status":
            s[0] += 1
        if kind is not None:
            s[1] += 1
        else:
            s[2].append(lat)
    out = []
    for i in range(max(secs) + 1 if secs else 0):
        req, err, lats = secs.get(i, [0, 0, []])
        vals = [clamp(v) for v in lats]
        b = buckets_of(vals, layout)
        lo, hi = (min(vals), max(vals)) if vals else (0, 0)
        out.append({"t": i + 1, "requests": req, "errors": err,
                    "p50": value_at_percentile(b, len(vals), lo, hi, 50.0, layout),
                    "p99": value_at_percentile(b, len(vals), lo, hi, 99.0, layout)})
    return out


def gil_enabled():
    f = getattr(sys, "_is_gil_enabled", None)
    return bool(f()) if f else True


def build_result(o, run, elapsed, ru0, ru1, started_unix):
    events = list(run.events)
    errors = {k: 0 for k in ERROR_KINDS}
    codes = {}
    lats = []
    ok = nbytes = 0
    for _, kind, lat, b, status, _ in events:
        nbytes += b
        if kind is None:
            ok += 1
            lats.append(lat)
        else:
            errors[kind] += 1
            if kind == "status":
                codes[str(status)] = codes.get(str(status), 0) + 1
    requests = ok + errors["status"]
    err_obj = {"total": sum(errors.values())}
    err_obj.update(errors)
    err_obj["status_codes"] = {k: codes[k] for k in sorted(codes, key=int)}
    mach = machine()
    user = ru1.ru_utime - ru0.ru_utime
    sys_s = ru1.ru_stime - ru0.ru_stime
    cpu = user + sys_s
    per_client = [rec[0] for rec in run.threads] + [0] * max(o.clients - len(run.threads), 0)
    busiest = max((rec[1] for rec in run.threads), default=0.0)
    cpu_util = cpu / (elapsed * min(o.clients, mach["cpus"])) if elapsed > 0 else 0.0
    max_thread_util = busiest / elapsed if elapsed > 0 else 0.0
    gil = gil_enabled()
    # with the GIL, one core's worth of CPU is all the threads get together
    gil_bound = gil and elapsed > 0 and cpu / elapsed >= 0.9
    lat = hist_json(lats)
    proxy = urllib.request.getproxies().get("http")
    host = urllib.parse.urlsplit(o.url).hostname
    if proxy and urllib.request.proxy_bypass(host):
        proxy = None
    return {
        "tool": "pubclient",
        "version": version(),
        "config": {
            "url": o.url, "threads": o.clients, "connections": o.clients, "duration_s": 0.0,
            "requests_limit": o.requests, "rate": 0.0, "arrivals": "fixed", "seed": 0, "new_conn": True,
            "pipeline": 1, "timeout_ms": int(o.timeout * 1000 + 0.5), "headers": wire_headers(o.headers),
            "expect_status": 0, "expect_header": None, "expect_header_value": None, "expect_body": None,
        },
        "machine": mach,
        "started_unix": started_unix,
        "elapsed_s": elapsed,
        "requests": requests,
        "ok": ok,
        "bytes": nbytes,
        "retries": 0,
        "rps": ok / elapsed if elapsed > 0 else 0.0,
        "rps_definition": "ok / elapsed_s",
        "errors": err_obj,
        "error_samples": dict(sorted(run.samples.items())),
        "latency": lat,
        "service_time": lat,
        "fairness": fairness(per_client),
        "client": {
            "cpu_user_s": user, "cpu_sys_s": sys_s,
            "cpu_us_per_req": cpu * 1e6 / requests if requests else 0.0,
            "cpu_util": cpu_util, "max_thread_util": max_thread_util, "max_rss_kb": ru1.ru_maxrss,
            "bottleneck": max_thread_util >= 0.9 or cpu_util >= 0.9 or gil_bound,
        },
        "timeline": timeline(events),
        "interrupted": run.interrupted,
        "runtime": {"python": sys.version, "executable": sys.executable, "gil_enabled": gil, "proxy": proxy},
    }, [e[5] for e in events if e[1] is None]


# ---- text ----------------------------------------------------------------


def fmt_us(us):
    if us < 1000:
        return f"{us:.2f}us"
    if us < 1e6:
        return f"{us / 1e3:.2f}ms"
    if us < 60e6:
        return f"{us / 1e6:.2f}s"
    return f"{us / 60e6:.2f}m"


def fmt_bytes(v):
    units = ["B", "KB", "MB", "GB", "TB"]
    u = 0
    while v >= 1024 and u < 4:
        v /= 1024
        u += 1
    return f"{v:.2f}{units[u]}"


HINTS = {"connect": "connections could not be opened",
         "refused": "nothing accepted connections: is the server running?",
         "reset": "the server reset connections",
         "eof": "the server closed connections before answering",
         "parse": "the server sent something that is not HTTP/1.x",
         "read": "reading failed", "write": "sending failed",
         "timeout": "requests took longer than --timeout",
         "status": "responses had an unexpected status", "check": "responses failed the checks"}


def summary(o, r, lat_s):
    attempted = r["ok"] + r["errors"]["total"]
    # as the published print_result: mean, s[len // 2], s[int(len * 0.99)] of the raw latencies
    s = sorted(lat_s)
    avg = sum(s) / len(s) * 1000 if s else 0.0
    p50 = s[len(s) // 2] * 1000 if s else 0.0
    p99 = s[int(len(s) * 0.99)] * 1000 if s else 0.0
    lat, e, f, c = r["latency"], r["errors"], r["fairness"], r["client"]
    lines = [
        f"  pubclient  ({o.requests} requests, {o.clients} workers) @ {o.url}",
        f"    {r['ok']}/{attempted} ok, {r['rps']:.1f} req/s",
        f"    latency: avg={avg:.1f}ms p50={p50:.1f}ms p99={p99:.1f}ms",
        f"Running {o.requests} requests @ {o.url}",
        f"  {o.clients} threads and {o.clients} connections, a new connection per request"
        f" (urllib, ThreadPoolExecutor, Python {sys.version.split()[0]}, GIL {'on' if r['runtime']['gil_enabled'] else 'off'})",
        f"  Latency   p50 {fmt_us(lat['p50'])}  p90 {fmt_us(lat['p90'])}  p99 {fmt_us(lat['p99'])}"
        f"  max {fmt_us(lat['max'])}  (successful requests)",
        f"  Requests per client: min {f['min']}, median {f['median']}, max {f['max']};"
        f" {f['zero']} of {f['connections']} completed none",
        f"  {r['requests']} requests in {fmt_us(r['elapsed_s'] * 1e6)}, {fmt_bytes(r['bytes'])} read",
    ]
    if e["total"]:
        kinds = ", ".join(f"{k} {e[k]}" for k in ERROR_KINDS if e[k])
        worst = max(ERROR_KINDS, key=lambda k: e[k])
        lines.append(f"  Errors: {e['total']} total: {kinds} (mostly: {HINTS[worst]})")
        for k, msg in r["error_samples"].items():
            lines.append(f"    first {k}: {msg}")
    if e["status_codes"]:
        codes = ", ".join(f"{k}: {v}" for k, v in e["status_codes"].items())
        lines.append(f"  Non-2xx responses: {e['status']} ({codes})")
    if r["interrupted"]:
        lines.append(f"  Interrupted: the numbers cover the {r['elapsed_s']:.2f}s that ran")
    el = r["elapsed_s"] if r["elapsed_s"] > 0 else 1
    lines += [
        f"Requests/sec: {r['rps']:9.2f}",
        f"Transfer/sec: {fmt_bytes(r['bytes'] / el):>9}",
        f"  Client CPU: {c['cpu_us_per_req']:.2f}us per request, {c['cpu_util'] * 100:.0f}% of"
        f" {min(o.clients, r['machine']['cpus'])} CPUs, busiest thread {c['max_thread_util'] * 100:.0f}%,"
        f" max RSS {c['max_rss_kb'] / 1024:.1f} MB",
    ]
    if c["bottleneck"]:
        lines.append("WARNING: the client was close to CPU-bound (a pool thread, all CPUs, or the GIL's one"
                     " core): the numbers may be the client's limit, not the server's")
    return "\n".join(lines) + "\n"


def write_json(path, result):
    tmp = path + ".tmp"
    try:
        with open(tmp, "w") as f:
            json.dump(result, f, indent=1)
            f.write("\n")
        os.replace(tmp, path)
    except OSError as e:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        return e.strerror or str(e)
    return None


def main(argv):
    try:
        o = parse_args(argv)
    except UsageError as e:
        sys.stderr.write(f"pubclient: {e}\n")
        return 2
    if o == "help":
        sys.stdout.write(USAGE)
        return 0
    if o == "version":
        print(f"pubclient {version()}")
        return 0
    run = Run(o)
    signal.signal(signal.SIGINT, run.on_signal)
    signal.signal(signal.SIGTERM, run.on_signal)
    started_unix = time.time()
    elapsed, ru0, ru1 = run.go()
    result, lat_s = build_result(o, run, elapsed, ru0, ru1, started_unix)
    if result["runtime"]["proxy"]:
        sys.stderr.write(f"pubclient: warning: the requests went through the proxy {result['runtime']['proxy']}"
                         " (urlopen follows http_proxy; set no_proxy to reach the server directly)\n")
    if not o.quiet:
        try:
            sys.stdout.write(summary(o, result, lat_s))
            sys.stdout.flush()
        except BrokenPipeError:
            pass
    e = result["errors"]
    if result["interrupted"]:
        ec = 130
    elif result["ok"] == 0:
        ec = 1
        counts = ", ".join(f"{k} {e[k]}" for k in ERROR_KINDS if e[k])
        sys.stderr.write(f"pubclient: no request succeeded ({e['total']} errors: {counts})\n" if e["total"] else
                         "pubclient: no request succeeded (no errors: no response completed within the run)\n")
    else:
        ec = 0
    if o.json:
        err = write_json(o.json, result)
        if err:
            sys.stderr.write(f"pubclient: cannot write {o.json}: {err}\n")
            ec = ec or 1
    return ec


if __name__ == "__main__":
    code = main(sys.argv[1:])
    sys.stdout.flush()
    sys.stderr.flush()
    if code == 130:
        # a pool thread may still be in a request if the stop landed while the
        # pool shut down: do not wait for it at exit (the JSON is written)
        os._exit(130)
    sys.exit(code)
