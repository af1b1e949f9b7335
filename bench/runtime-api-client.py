#!/usr/bin/env python3
"""Times one runtime API workload against a socket (Gateway's or HAProxy's), as an agent would drive it.

  runtime-api-client.py add  <socket> <count>   # <count> "add acl #500 <ip>" on one interactive connection
  runtime-api-client.py show <socket> <count>   # "show acl #500", read to the end; checks <count> entries came back

<socket> is a Unix socket path or host:port. Prints the elapsed seconds (from the first byte sent to the server
closing the connection); exits non-zero if the replies are not the expected ones.
"""
import socket
import sys
import threading
import time


def connect(address):
    if ":" in address and not address.startswith("/"):
        host, port = address.rsplit(":", 1)
        return socket.create_connection((host, int(port)))
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(address)
    return s


def read_all(sock, sink):
    while True:
        chunk = sock.recv(1 << 20)
        if not chunk:
            return
        sink.append(chunk)


def add(address, count):
    lines = b"".join(b"add acl #500 10.%d.%d.%d\n" % (i >> 16 & 255, i >> 8 & 255, i & 255) for i in range(count))
    sock = connect(address)
    received = []
    reader = threading.Thread(target=read_all, args=(sock, received))
    start = time.perf_counter()
    reader.start()
    sock.sendall(b"prompt\n" + lines + b"quit\n")
    reader.join()
    elapsed = time.perf_counter() - start
    prompts = b"".join(received).count(b"\n> ")
    if prompts != count + 1:
        sys.exit(f"expected {count + 1} prompts, got {prompts}")
    return elapsed


def show(address, count):
    sock = connect(address)
    received = []
    start = time.perf_counter()
    sock.sendall(b"show acl #500\n")
    read_all(sock, received)
    elapsed = time.perf_counter() - start
    data = b"".join(received)
    entries = data.count(b"\n") - 1
    if entries != count or not data.endswith(b"\n\n"):
        sys.exit(f"expected {count} entries, got {entries}")
    return elapsed


if __name__ == "__main__":
    verb, address, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    print(f"{(add if verb == 'add' else show)(address, count):.3f}")
