"""The load generators: wrk (HTTP/1.1 keep-alive) and h2load (HTTP/2 over TLS), their output read into numbers."""
import os
import re
import subprocess
import tempfile

from servers import HOST

# name -> how the load is made. Every workload asks for a file nginx serves: 1 KiB or 64 KiB.
WORKLOADS = {
    "h1-c64-1k": {"tool": "wrk", "connections": 64, "path": "/1k", "label": "HTTP/1.1, 64 conn, 1 KiB"},
    "h1-c256-1k": {"tool": "wrk", "connections": 256, "path": "/1k", "label": "HTTP/1.1, 256 conn, 1 KiB"},
    "h1-c64-64k": {"tool": "wrk", "connections": 64, "path": "/64k", "label": "HTTP/1.1, 64 conn, 64 KiB"},
    "h2-c32x4-1k": {"tool": "h2load", "connections": 32, "streams": 4, "path": "/1k",
                    "label": "HTTP/2 over TLS, 32 conn x 4 streams, 1 KiB"},
}

_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text):
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNITS[unit]


def run(workload, server, seconds, load_cpus, threads, timeout):
    spec = WORKLOADS[workload]
    https = spec["tool"] == "h2load"
    port = server["https" if https else "http"]
    cookie = server["cookie"].get("https" if https else "http")
    taskset = ["taskset", "-c", ",".join(str(c) for c in load_cpus)] if load_cpus else []
    if spec["tool"] == "wrk":
        argv = taskset + ["wrk", "-t", str(threads), "-c", str(spec["connections"]), "-d", f"{seconds}s", "--latency",
                          "-H", f"Host: {HOST}"]
        if cookie:
            argv += ["-H", f"Cookie: {cookie}"]
        argv.append(f"http://127.0.0.1:{port}{spec['path']}")
        out = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
        return parse_wrk(out.stdout + out.stderr)

    with tempfile.NamedTemporaryFile("r", suffix=".h2log") as log:
        argv = taskset + ["h2load", "-t", str(threads), "-c", str(spec["connections"]), "-m", str(spec["streams"]),
                          "-D", str(seconds), "--warm-up-time", "1", "--log-file", log.name, "-H", f":authority: {HOST}"]
        if cookie:
            argv += ["-H", f"cookie: {cookie}"]
        argv.append(f"https://127.0.0.1:{port}{spec['path']}")
        out = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
        return parse_h2load(out.stdout + out.stderr, log.name)


def parse_wrk(text):
    m = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m),", text)
    if not m:
        raise RuntimeError("wrk gave no result:\n" + text[-2000:])
    requests = int(m.group(1))
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)$", text, re.M))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    return {
        "requests": requests,
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)),
        "p50": _ms(latency["50"]),
        "p99": _ms(latency["99"]),
        "bad": int(bad.group(1)) if bad else 0,
        "errors": sum(int(x) for x in errors.groups()) if errors else 0,
    }


def parse_h2load(text, log_path):
    m = re.search(r"finished in ([\d.]+)s, ([\d.]+) req/s", text)
    r = re.search(r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored", text)
    codes = re.search(r"status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx", text)
    if not m or not r:
        raise RuntimeError("h2load gave no result:\n" + text[-2000:])
    durations = []
    with open(log_path) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 3:
                durations.append(int(parts[2]) / 1000.0)  # microseconds -> ms
    durations.sort()

    def pct(p):
        return durations[min(len(durations) - 1, int(len(durations) * p))] if durations else float("nan")

    return {
        "requests": int(r.group(4)),
        "rps": float(m.group(2)),
        "p50": pct(0.50),
        "p99": pct(0.99),
        "bad": int(codes.group(3)) + int(codes.group(4)) if codes else 0,
        "errors": int(r.group(5)) + int(r.group(6)),
    }


def tools_present():
    missing = [t for t in ("wrk", "h2load", "nginx", "haproxy", "openssl") if not any(
        os.access(os.path.join(d, t), os.X_OK) for d in os.environ.get("PATH", "").split(":") + ["/usr/sbin"])]
    return missing
