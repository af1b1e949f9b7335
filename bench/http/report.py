"""The results as Markdown (medians, ratios, goals) and as a PNG chart."""
import statistics

import chart as png
from load import WORKLOADS

NAMES = {"nginx": "nginx (direct)", "haproxy": "HAProxy", "gw-none": "Gateway, no policy", "gw-ipkat": "Gateway, ip+kat"}
COLORS = {"nginx": (130, 130, 130), "haproxy": (40, 110, 200), "gw-none": (245, 160, 40), "gw-ipkat": (215, 55, 45)}
VARIANT_COLORS = [(120, 60, 170), (40, 160, 90), (200, 90, 160), (90, 90, 40)]


def name(s):
    return NAMES.get(s) or f"Gateway, ip+kat, {s.split('.', 1)[1]}"


def color(s, servers):
    variants = [v for v in servers if v not in COLORS]
    return COLORS.get(s) or VARIANT_COLORS[variants.index(s) % len(VARIANT_COLORS)]
GOAL_WORKLOAD = "h1-c64-1k"


def median(results, key):
    values = [r[key] for r in results]
    return statistics.median(values) if values else None


def ratio(results, s1, s2, w, key):
    """Median over rounds of s1/s2, each round's two runs taken back to back (steadier than a ratio of medians
    when the machine's load drifts between rounds)."""
    a, b = results.get(s1, {}).get(w, []), results.get(s2, {}).get(w, [])
    pairs = [x[key] / y[key] for x, y in zip(a, b) if y[key]]
    return statistics.median(pairs) if pairs else None


def _fmt(value, pattern):
    return "-" if value is None else pattern.format(value)


def markdown(meta, results, workloads, servers, chart_name):
    v = meta["versions"]
    lines = [
        "# HTTP benchmark: Gateway beside HAProxy and nginx",
        "",
        f"{meta['date']}; {meta['cpus']} cores ({meta['cpu_model']}), kernel {meta['kernel']}; pinning: {meta['pinning']}.",
        f"Load average before {meta['load_before']}, after {meta.get('load_after', '?')} (other work shares the machine).",
        f"{v['haproxy']}; nginx {v['nginx']}; {v['wrk']}; {v['h2load']}; .NET SDK {v['dotnet']}; Gateway {v['gateway']}.",
        f"Medians of {meta.get('rounds', 0)} rounds (of {meta['rounds_planned']} planned) of {meta['seconds']} s per server"
        f" and workload, servers in alternation, after {meta.get('warmup', '?')} s of warm-up per server and tool (Gateway"
        f" compiles its hot path in the first seconds); the backend is nginx serving 1 KiB and 64 KiB files on loopback.",
    ]
    if meta.get("gateway_env"):
        lines.append("Gateway environment: " + ", ".join(f"`{k}={val}`" for k, val in meta["gateway_env"].items()) + ".")
    lines += ["", f"![requests per second and p99 latency]({chart_name})", ""]

    lines += ["| workload | server | requests/s | p50 ms | p99 ms | CPU s / 10k requests |",
              "| --- | --- | ---: | ---: | ---: | ---: |"]
    for w in workloads:
        for s in servers:
            rs = results[s][w]
            bad = sum(r["bad"] + r["errors"] for r in rs)
            lines.append(
                f"| {WORKLOADS[w]['label']} | {name(s)} | {_fmt(median(rs, 'rps'), '{:,.0f}')} | {_fmt(median(rs, 'p50'), '{:.2f}')}"
                f" | {_fmt(median(rs, 'p99'), '{:.2f}')} | {_fmt(median(rs, 'cpu_per_10k'), '{:.3f}')}"
                + (f" ({bad} failed) |" if bad else " |"))
    lines.append("")
    lines += ["Peak resident memory, MiB: the highest VmRSS sampled (every 100 ms) during each workload's runs, and VmHWM,"
              " the peak over the whole run (every workload, warm-up included):", "",
              "| server | " + " | ".join(WORKLOADS[w]["label"] for w in workloads) + " | whole run |",
              "| --- |" + " ---: |" * (len(workloads) + 1)]
    for s in servers:
        peaks = [max((r.get("rss", 0) for r in results[s][w]), default=None) for w in workloads]
        lines.append(f"| {name(s)} | " + " | ".join(_fmt(p, "{:.0f}") for p in peaks)
                     + f" | {_fmt(meta.get('peak_rss', {}).get(s), '{:.0f}')} |")
    lines.append("")

    if "haproxy" in servers and "gw-ipkat" in servers:
        lines += ["| workload | Gateway ip+kat / HAProxy, requests/s | p99 | CPU per request | Gateway ip+kat / no policy, requests/s |",
                  "| --- | ---: | ---: | ---: | ---: |"]
        for w in workloads:
            lines.append(
                f"| {WORKLOADS[w]['label']} | {_fmt(ratio(results, 'gw-ipkat', 'haproxy', w, 'rps'), '{:.2f}')}"
                f" | {_fmt(ratio(results, 'gw-ipkat', 'haproxy', w, 'p99'), '{:.2f}')}"
                f" | {_fmt(ratio(results, 'gw-ipkat', 'haproxy', w, 'cpu_per_10k'), '{:.2f}')}"
                f" | {_fmt(ratio(results, 'gw-ipkat', 'gw-none', w, 'rps'), '{:.3f}')} |")
        lines.append("")
        lines += goals(meta, results, servers)
    variants = [s for s in servers if s.startswith("gw-ipkat.")]
    if variants and "gw-ipkat" in servers:
        lines += ["", "Settings, each against the default Gateway ip+kat measured in the same rounds (ratio of back-to-back runs):", "",
                  "| workload | setting | requests/s | p99 | CPU per request |", "| --- | --- | ---: | ---: | ---: |"]
        for w in workloads:
            for v in variants:
                env = ", ".join(f"`{k}={val}`" for k, val in meta.get("variants", {}).get(v, {}).items())
                lines.append(f"| {WORKLOADS[w]['label']} | {env} | {_fmt(ratio(results, v, 'gw-ipkat', w, 'rps'), '{:.2f}')}"
                             f" | {_fmt(ratio(results, v, 'gw-ipkat', w, 'p99'), '{:.2f}')}"
                             f" | {_fmt(ratio(results, v, 'gw-ipkat', w, 'cpu_per_10k'), '{:.2f}')} |")
    return "\n".join(lines) + "\n"


def goals(meta, results, servers):
    w = GOAL_WORKLOAD
    out = ["Goals (issue 9), at HTTP/1.1, 64 connections, 1 KiB unless said:", ""]

    def line(name, value, target, ok):
        if value in (None, "-"):
            out.append(f"- {name}: not measured")
        else:
            out.append(f"- {name}: **{value}** (goal {target}) {'met' if ok else 'MISSED'}")

    rps = ratio(results, "gw-ipkat", "haproxy", w, "rps")
    line("requests/s, Gateway ip+kat / HAProxy", _fmt(rps, "{:.2f}"), ">= 0.90", rps is not None and rps >= 0.9)
    p99 = ratio(results, "gw-ipkat", "haproxy", w, "p99")
    line("p99, Gateway ip+kat / HAProxy", _fmt(p99, "{:.2f}"), "<= 1.20", p99 is not None and p99 <= 1.2)
    if "gw-none" in servers:
        policy = ratio(results, "gw-ipkat", "gw-none", w, "rps")
        cost = None if policy is None else (1 - policy) * 100
        line("cost of the ip+kat policy in requests/s", _fmt(cost, "{:.1f} %"), "< 3 %", cost is not None and cost < 3)
    sampled = [r.get("rss", 0) for s in ("gw-ipkat", "gw-none") if s in results
               for w in ("h1-c64-1k", "h1-c256-1k") if w in results[s] for r in results[s][w]]
    peak = max(sampled, default=None)
    line("Gateway peak RSS through the 64- and 256-connection 1 KiB runs", _fmt(peak and peak * 1.048576, "{:.0f} MB"), "< 150 MB",
         peak is not None and peak * 1.048576 < 150)
    whole = max((meta["peak_rss"][s] for s in ("gw-ipkat", "gw-none") if s in meta.get("peak_rss", {})), default=None)
    if whole is not None:
        out.append(f"- Gateway peak RSS over the whole run, 64 KiB bodies and HTTP/2 included: {whole:.0f} MiB ({whole * 1.048576:.0f} MB)")
    out += ["", "The allowlist lookup and allocation goals are measured by the micro-benchmarks (bench/micro)."]
    return out


def chart(path, meta, results, workloads, servers):
    """matplotlib when it is installed (bench/run installs Debian's python3-matplotlib when apt has it), else the
    standard-library PNG writer in chart.py: the same bars and numbers, plainer type."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return _chart_plain(path, meta, results, workloads, servers)
    fig, axes = plt.subplots(1, 3, figsize=(16, 1.2 + 0.55 * len(workloads) * len(servers) / 2 + 1.5), sharey=True)
    labels = [WORKLOADS[w]["label"] for w in workloads]
    height = 0.8 / len(servers)
    for ax, (key, title, fmt) in zip(axes, (("rps", "requests/s (higher is better)", "{:,.0f}"), ("p99", "p99 latency, ms (lower is better)", "{:.1f}"),
                                           ("cpu_per_10k", "server CPU s per 10k requests (lower is better)", "{:.2f}"))):
        for i, s in enumerate(servers):
            values = [median(results[s][w], key) or 0 for w in workloads]
            ys = [g + i * height for g in range(len(workloads))]
            bars = ax.barh(ys, values, height=height * 0.9, color=[c / 255 for c in color(s, servers)], label=name(s))
            for bar, v in zip(bars, values):
                ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, " " + fmt.format(v), va="center", fontsize=7)
        ax.set_title(title, fontsize=10)
        ax.margins(x=0.15)
        ax.grid(axis="x", alpha=0.3)
    axes[0].set_yticks([g + height * (len(servers) - 1) / 2 for g in range(len(workloads))], labels, fontsize=8)
    axes[0].invert_yaxis()
    axes[0].legend(fontsize=8, loc="lower right")
    fig.suptitle("Gateway vs HAProxy vs nginx, loopback", fontsize=12)
    fig.text(0.5, 0.005, f"{meta['date']}, {meta['cpus']} cores, {meta['pinning']}; medians of {meta.get('rounds', 0)} rounds of"
             f" {meta['seconds']} s; load average {meta['load_before']} before", ha="center", fontsize=7, color="0.4")
    fig.tight_layout(rect=(0, 0.03, 1, 0.96))
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _chart_plain(path, meta, results, workloads, servers):
    groups = []
    for w in workloads:
        values = {s: {"rps": median(results[s][w], "rps"), "p99": median(results[s][w], "p99")} for s in servers}
        groups.append((WORKLOADS[w]["label"], values))
    series = [(s, name(s), color(s, servers)) for s in servers]
    subtitle = (f"{meta['date']}, {meta['cpus']} cores, {meta['pinning']}; medians of {meta.get('rounds', 0)} rounds"
                f" of {meta['seconds']} s; load average {meta['load_before']} before")
    png.bars(path, "Gateway vs HAProxy vs nginx, loopback", subtitle, groups, series,
               [("rps", "requests/s", lambda x: f"{x:,.0f}"), ("p99", "p99 latency, ms", lambda x: f"{x:.2f}")])
