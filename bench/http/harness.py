#!/usr/bin/env python3
"""HTTP benchmark: Gateway (with and without the ip+kat policy) beside HAProxy and nginx, on loopback.

Started by bench/run, which installs the tools and builds Gateway first. Drives every server in alternation, round
after round, with each workload; writes the medians, the ratios and the goals to a Markdown file and a PNG chart.
Bounded in time (--limit: rounds that would not finish in time are skipped, and said so); every process it starts is
killed when it ends, however it ends.
"""
import argparse
import contextlib
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import load  # noqa: E402
import procs  # noqa: E402
import report  # noqa: E402
from servers import Servers  # noqa: E402

SERVERS = ["nginx", "haproxy", "gw-none", "gw-ipkat"]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gateway", help="Gateway.dll (Release)")
    parser.add_argument("--from-json", metavar="FILE", help="measure nothing: write the report and chart again from a run's JSON")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5, help="length of one measured run")
    parser.add_argument("--warmup", type=int, default=10, help="seconds of load per server and tool before measuring")
    parser.add_argument("--workloads", default=",".join(load.WORKLOADS), help="comma-separated, from: " + ", ".join(load.WORKLOADS))
    parser.add_argument("--servers", default=",".join(SERVERS), help="comma-separated, from: " + ", ".join(SERVERS))
    parser.add_argument("--variant", action="append", default=[], metavar="NAME:KEY=VALUE[,KEY=VALUE]",
                        help="one more Gateway with the ip+kat policy and this environment, measured in alternation with the"
                             " rest as server gw-ipkat.NAME (A/B of a setting: --variant wks:DOTNET_gcServer=0)")
    parser.add_argument("--pidfile", help="append the process id of every process group started (for the caller's trap)")
    parser.add_argument("--limit", type=int, default=460, help="seconds for the whole measurement; later rounds are skipped")
    parser.add_argument("--no-pin", action="store_true", help="do not pin the load generator and the servers apart")
    parser.add_argument("--gateway-env", action="append", default=[], metavar="KEY=VALUE",
                        help="environment for both Gateway processes (A/B runs of a setting)")
    parser.add_argument("--out", default="bench/results/latest.md")
    parser.add_argument("--chart", default="bench/results/latest.png")
    parser.add_argument("--json", default="bench/results/latest.json")
    parser.add_argument("--keep", metavar="DIR", help="keep the servers' configs and logs in DIR (default: a temporary directory, removed)")
    args = parser.parse_args()
    if args.from_json:
        with open(args.from_json) as f:
            saved = json.load(f)
        meta, results = saved["meta"], saved["results"]
        servers = list(results)
        workloads = list(next(iter(results.values())))
        return _write(args, meta, results, workloads, servers)
    if not args.gateway:
        parser.error("--gateway is required")

    started = time.monotonic()
    deadline = started + args.limit
    workloads = [w for w in args.workloads.split(",") if w]
    servers = [s for s in args.servers.split(",") if s]
    variants = {}
    for spec in args.variant:
        name, _, settings = spec.partition(":")
        if not name or not settings or any("=" not in kv for kv in settings.split(",")):
            parser.error(f"--variant {spec}: use NAME:KEY=VALUE[,KEY=VALUE]")
        variants["gw-ipkat." + name] = dict(kv.split("=", 1) for kv in settings.split(","))
    for w in workloads:
        if w not in load.WORKLOADS:
            parser.error(f"unknown workload {w}")
    for s in servers:
        if s not in SERVERS:
            parser.error(f"unknown server {s}")

    cpus = sorted(os.sched_getaffinity(0))
    if args.no_pin or len(cpus) < 2:
        sut_cpus, load_cpus = None, None
    else:
        half = len(cpus) // 2
        sut_cpus, load_cpus = cpus[:half], cpus[half:]
    threads = len(load_cpus) if load_cpus else len(cpus)
    gateway_env = dict(kv.split("=", 1) for kv in args.gateway_env)

    group = procs.Group(args.pidfile)

    def on_signal(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)

    meta = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "cpus": len(cpus),
        "cpu_model": _cpu_model(),
        "pinning": f"servers on CPU {_list(sut_cpus)}, load generator and backend on CPU {_list(load_cpus)}"
        if sut_cpus else "none (every process on every CPU)",
        "load_before": _loadavg(),
        "versions": _versions(args.gateway),
        "rounds_planned": args.rounds,
        "seconds": args.seconds,
        "warmup": args.warmup,
        "gateway_env": gateway_env,
        "variants": variants,
        "kernel": platform.release(),
    }
    results = {s: {w: [] for w in workloads} for s in servers}
    if args.keep:
        os.makedirs(args.keep, exist_ok=True)
    with (contextlib.nullcontext(tempfile.mkdtemp(prefix="gateway-bench-", dir=os.path.abspath(args.keep))) if args.keep
          else tempfile.TemporaryDirectory(prefix="gateway-bench-")) as work:
        try:
            print(f"Starting the backend and {', '.join(servers)} ({meta['pinning']})...", flush=True)
            farm = Servers(group, work, os.path.abspath(args.gateway), sut_cpus, load_cpus, gateway_env, servers, variants)
            servers += list(variants)
            results.update({s: {w: [] for w in workloads} for s in variants})
            tools = sorted({load.WORKLOADS[w]["tool"] for w in workloads})
            print(f"Warming up ({args.warmup} s per server and tool)...", flush=True)
            for s in servers:
                for tool in tools:
                    w = next(w for w in workloads if load.WORKLOADS[w]["tool"] == tool)
                    load.run(w, farm.sut[s], args.warmup, load_cpus, threads, timeout=args.warmup + 30)

            per_run = args.seconds + (1.5 if any(load.WORKLOADS[w]["tool"] == "h2load" for w in workloads) else 0.7)
            rounds_done = 0
            for r in range(args.rounds):
                needed = per_run * len(workloads) * len(servers)
                if time.monotonic() + needed > deadline:
                    print(f"Round {r + 1} would pass the {args.limit} s limit; stopping after {rounds_done} rounds.", flush=True)
                    break
                for w in workloads:
                    order = servers[r % len(servers):] + servers[:r % len(servers)]
                    for s in order:
                        pgid = farm.sut[s]["proc"].pid
                        cpu0 = procs.cpu_seconds(pgid)
                        with procs.RssSampler(pgid) as rss:
                            result = load.run(w, farm.sut[s], args.seconds, load_cpus, threads, timeout=args.seconds + 60)
                        result["cpu"] = procs.cpu_seconds(pgid) - cpu0
                        result["cpu_per_10k"] = result["cpu"] / max(1, result["requests"]) * 10000
                        result["rss"] = rss.peak
                        results[s][w].append(result)
                        flag = f"  ({result['bad']} non-2xx, {result['errors']} errors)" if result["bad"] or result["errors"] else ""
                        print(f"  round {r + 1} {w:12} {s:9} {result['rps']:9.0f} req/s  p50 {result['p50']:6.2f} ms"
                              f"  p99 {result['p99']:7.2f} ms  cpu {result['cpu_per_10k']:.3f} s/10k{flag}", flush=True)
                rounds_done += 1
            meta["rounds"] = rounds_done
            meta["peak_rss"] = {s: procs.peak_rss_mib(farm.sut[s]["proc"].pid) for s in servers}
            meta["load_after"] = _loadavg()
            meta["elapsed"] = round(time.monotonic() - started)
        finally:
            group.stop_all()

    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.json, "w") as f:
        json.dump({"meta": meta, "results": results}, f, indent=1)
    return _write(args, meta, results, workloads, servers)


def _write(args, meta, results, workloads, servers):
    text = report.markdown(meta, results, workloads, servers, os.path.basename(args.chart))
    with open(args.out, "w") as f:
        f.write(text)
    report.chart(args.chart, meta, results, workloads, servers)
    print()
    print(text)
    return 0


def _cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def _list(cpus):
    return ",".join(str(c) for c in cpus) if cpus else "-"


def _versions(gateway):
    def first_line(argv):
        try:
            out = subprocess.run(argv, capture_output=True, text=True, timeout=10)
            return (out.stdout + out.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            return "?"

    commit = first_line(["git", "-C", os.path.dirname(os.path.abspath(__file__)), "describe", "--always", "--dirty"])
    return {
        "haproxy": first_line(["haproxy", "-v"]).split(" - ")[0],
        "nginx": first_line(["nginx", "-v"]).replace("nginx version: ", ""),
        "wrk": first_line(["wrk", "-v"]).split(" Copyright")[0],
        "h2load": first_line(["h2load", "--version"]),
        "dotnet": first_line(["dotnet", "--version"]),
        "gateway": commit,
    }


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt as e:
        print(f"Stopped ({e}); every process was ended.", file=sys.stderr)
        sys.exit(130)
