#!/usr/bin/env bash
# Runtime API benchmark, Gateway against HAProxy 2.6 side by side on this machine (issue 4):
#   1. 100,000 "add acl #500 <ip>" on one interactive connection (prompt mode, pipelined, replies read as they come);
#   2. "show acl #500" of those 100,000 entries, read to the end (Gateway streams it; it is never held whole).
# Each is run ROUNDS times (default 3) on both servers over their Unix sockets; the medians and the ratio
# Gateway/HAProxy (below 1: Gateway is faster) go to stdout and to bench/results/runtime-api.md.
# Bounded in time (each step has a timeout) and cleans up every process and file it made.
# Usage: bench/runtime-api.sh [rounds]      (needs haproxy, python3; builds Gateway in Release)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-3}"
count=100000
work="$(mktemp -d)"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
client() { timeout 300 python3 bench/runtime-api-client.py "$@"; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "Building Gateway (Release)..."
dotnet build src/Gateway -c Release -v quiet -nologo >/dev/null

# HAProxy: the Knocknoc-style "acl knoc src -u 500".
cat > "$work/haproxy.cfg" <<CFG
global
    stats socket $work/haproxy.sock mode 600 level admin
    stats timeout 2m
defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s
frontend http
    bind 127.0.0.1:$(free_port)
    acl knoc src -u 500
    use_backend app if knoc
backend app
    server web1 127.0.0.1:9
CFG
haproxy -db -f "$work/haproxy.cfg" >"$work/haproxy.log" 2>&1 &
pids+=($!)

# Gateway, twice, both with default logging (every change is an audit line on the console; output to a file): with
# the default embedded store (every change journaled before it is acknowledged) and with the memory store (nothing
# written; what HAProxy does), to show what durability costs.
start_gateway() { # start_gateway <name> <store kind>
  mkdir -p "$work/$1"
  cat > "$work/$1/appsettings.json" <<CFG
{
  "Gateway": {
    "StateDirectory": "$work/$1/state",
    "Management": { "Address": "127.0.0.1", "Port": $(free_port) },
    "Listeners": { "http": { "Address": "127.0.0.1", "Port": $(free_port) } },
    "Routes": { "app": { "Cluster": "app", "Access": { "Policy": "ip", "List": "knoc" } } },
    "Clusters": { "app": { "Destinations": { "web1": { "Address": "http://127.0.0.1:9" } } } },
    "Access": { "Lists": { "knoc": { "Id": 500 } } },
    "RuntimeApi": { "Timeout": "2m" },
    "State": { "Store": "$2" }
  }
}
CFG
  dotnet src/Gateway/bin/Release/net10.0/Gateway.dll --config "$work/$1/appsettings.json" >"$work/$1.log" 2>&1 &
  pids+=($!)
}
start_gateway gateway embedded
start_gateway memory memory

for _ in $(seq 300); do [ -S "$work/haproxy.sock" ] && [ -S "$work/gateway/state/admin.sock" ] && [ -S "$work/memory/state/admin.sock" ] && break; sleep 0.1; done
for name in gateway memory; do
  [ -S "$work/$name/state/admin.sock" ] || { echo "Gateway ($name) did not start:"; cat "$work/$name.log"; exit 1; }
done

declare -A times
for round in $(seq "$rounds"); do
  for name in haproxy gateway memory; do
    sock="$work/haproxy.sock"; [ "$name" != haproxy ] && sock="$work/$name/state/admin.sock"
    echo "clear acl #500" | timeout 60 socat -t 30 stdio "unix-connect:$sock" >/dev/null
    add=$(client add "$sock" "$count"); show=$(client show "$sock" "$count")
    echo "  round $round $name: add ${add}s, show ${show}s"
    times[$name-add]+="$add "; times[$name-show]+="$show "
  done
done

report() { # report <workload> <label>
  local h g q
  h=$(tr ' ' '\n' <<<"${times[haproxy-$1]}" | grep . | median)
  g=$(tr ' ' '\n' <<<"${times[gateway-$1]}" | grep . | median)
  q=$(tr ' ' '\n' <<<"${times[memory-$1]}" | grep . | median)
  printf '| %s | %s | %s | **%s** | %s | %s |\n' "$2" "$h" "$g" "$(python3 -c "print(f'{$g/$h:.2f}')")" "$q" "$(python3 -c "print(f'{$q/$h:.2f}')")"
}
rss=$(ps -o rss= -p "${pids[1]}" | tr -d ' ')
{
  echo "# Runtime API benchmark"
  echo
  echo "$(date -u +%Y-%m-%d), $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), load average $(cut -d' ' -f1-3 /proc/loadavg) at the end,"
  echo "$(haproxy -v | head -n 1 | cut -d' ' -f1-3), Gateway $(git describe --always --dirty); median of $rounds alternating rounds over Unix sockets; seconds."
  echo
  echo "| workload | HAProxy | Gateway | Gateway / HAProxy | Gateway, memory store | that / HAProxy |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: |"
  report add "100,000 \`add acl\` on one connection"
  report show "\`show acl\` of 100,000 entries"
  echo
  echo "Gateway's resident memory after the runs: $((rss / 1024)) MiB (the list holds 100,000 entries; \`show acl\` streams it in 64 KiB flushes)."
} | tee bench/results/runtime-api.md
