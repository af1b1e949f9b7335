#!/usr/bin/env bash
# Records what HAProxy 2.6 answers to every case in cases/ (the ground truth the conformance test compares Gateway
# with). Starts HAProxy on loopback with haproxy.cfg in a temporary folder, sends each cases/NNN-name[.tcp].in with
# socat (in name order: cases build on each other's state) and writes the raw reply to cases/NNN-name[.tcp].out.
# Placeholders in a case: {ref:<list>:<n>} / {mref:<map>:<n>} = the address (0x...) of the n-th entry that
# `show acl <list>` / `show map <map>` prints just before the case is sent.
# Usage: record.sh [case-name-prefix]   (needs haproxy and socat; the test command installs both)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
tcp=$(free_port); http=$(free_port)
cp "$here/office" "$here/knoc" "$work/"
sed -e "s#@DIR@#$work#g" -e "s#@TCP@#$tcp#g" -e "s#@HTTP@#$http#g" -e "s#@WEB1@#18081#g" -e "s#@WEB2@#18082#g" \
    "$here/haproxy.cfg" > "$work/haproxy.cfg"
(cd "$work" && haproxy -D -f haproxy.cfg -p haproxy.pid)
pid=$(cat "$work/haproxy.pid")
for _ in $(seq 50); do [ -S "$work/haproxy.sock" ] && break; sleep 0.1; done
haproxy -v | head -n 1 > "$here/haproxy-version.txt"

send() { # send <socket-address> <input-file>
  socat -t 5 STDIO "$1" < "$2"
}
resolve() { # resolve placeholders in a case file into $work/input
  local text; text="$(cat "$1"; printf x)"; text="${text%x}"
  while [[ "$text" =~ \{(m?)ref:([^:}]+):([0-9]+)\} ]]; do
    local kind="acl"; [ -n "${BASH_REMATCH[1]}" ] && kind="map"
    local address
    address=$(echo "show $kind ${BASH_REMATCH[2]}" | send "UNIX-CONNECT:$work/haproxy.sock" /dev/stdin | sed -n "${BASH_REMATCH[3]}p" | cut -d' ' -f1)
    text="${text/"${BASH_REMATCH[0]}"/$address}"
  done
  printf '%s' "$text" > "$work/input"
}

for case in "$here"/cases/*.in; do
  name="$(basename "$case" .in)"
  [[ -n "${1:-}" && "$name" != "$1"* ]] && continue
  resolve "$case"
  if [[ "$name" == *.tcp ]]; then address="TCP:127.0.0.1:$tcp"; else address="UNIX-CONNECT:$work/haproxy.sock"; fi
  send "$address" "$work/input" > "$here/cases/$name.out"
done
# Unknown-command suggestions: stateless, compared with Gateway's algorithm run on HAProxy's own keyword table.
for case in "$here"/suggestions/*.in; do
  send "UNIX-CONNECT:$work/haproxy.sock" "$case" > "${case%.in}.out"
done
echo "Recorded $(ls "$here"/cases/*.out | wc -l) transcripts from $(cat "$here/haproxy-version.txt")"
