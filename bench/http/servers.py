"""The servers under test, configured alike: one route for host app.bench to the nginx backend, on an HTTP/1.1
listener and an HTTPS listener (ALPN h2 and http/1.1), the client IP checked against the same list of addresses.

  nginx      nginx serving the files itself (the ceiling: no proxy at all)
  haproxy    HAProxy, Knocknoc's guide: acl is_app hdr(host) + acl knoc src -u 500 -f <list>; use_backend if both
  gw-none    Gateway, the route without an access policy
  gw-ipkat   Gateway, the route with the ip+kat policy; the client carries a session cookie from a redeemed KAT
             (and sends the same Cookie header to every other server, so all get the same requests)

Each logs every request as it would by default: HAProxy's httplog (Debian's default config logs every request) to
its standard output, Gateway's access log to its standard output, both to /dev/null; nginx direct logs nothing.
"""
import http.client
import json
import os
import secrets
import socket
import ssl
import subprocess
import time
import urllib.request

from procs import free_port, wait_port

HOST = "app.bench"
LIST_SIZE = 1000  # addresses and prefixes on the allowlist besides 127.0.0.1


def make_files(work):
    www = os.path.join(work, "www")
    os.makedirs(www)
    with open(os.path.join(www, "1k"), "wb") as f:
        f.write(b"x" * 1023 + b"\n")
    with open(os.path.join(www, "64k"), "wb") as f:
        f.write(b"y" * 65535 + b"\n")
    os.chmod(work, 0o755)
    os.chmod(www, 0o755)

    pem = os.path.join(work, "bench.pem")
    key = os.path.join(work, "bench.key")
    crt = os.path.join(work, "bench.crt")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
         "-subj", "/CN=" + HOST, "-addext", "subjectAltName=DNS:" + HOST, "-keyout", key, "-out", crt],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(pem, "w") as out, open(crt) as c, open(key) as k:
        out.write(c.read() + k.read())

    # The allowlist: 127.0.0.1 among LIST_SIZE other addresses and prefixes, the same for HAProxy and Gateway.
    entries = ["127.0.0.1"]
    for i in range(LIST_SIZE):
        entries.append(f"10.{(i >> 8) & 255}.{i & 255}.{(i * 7) & 255}" if i % 4 else f"100.{64 + (i & 63)}.{(i >> 2) & 255}.0/24")
    with open(os.path.join(work, "allow.lst"), "w") as f:
        f.write("\n".join(entries) + "\n")
    return {"www": www, "pem": pem, "entries": entries, "list": os.path.join(work, "allow.lst")}


def nginx_conf(work, name, files, workers, http_port, https_port=None):
    root = os.path.join(work, name)
    os.makedirs(root, exist_ok=True)
    tls = ""
    if https_port:
        tls = f"""
        listen 127.0.0.1:{https_port} ssl http2;
        ssl_certificate {files['pem']};
        ssl_certificate_key {files['pem']};"""
    conf = f"""
daemon off;
master_process on;
user root;
worker_processes {workers};
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 8192; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 10000000;
    keepalive_timeout 120s;
    http2_max_requests 10000000;
    client_body_temp_path {root}/body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    default_type application/octet-stream;
    server {{
        listen 127.0.0.1:{http_port};{tls}
        root {files['www']};
        location / {{ }}
    }}
}}
"""
    path = os.path.join(root, "nginx.conf")
    with open(path, "w") as f:
        f.write(conf)
    return path


def haproxy_conf(work, files, backend_port, http_port, https_port):
    root = os.path.join(work, "haproxy")
    os.makedirs(root, exist_ok=True)
    conf = f"""
global
    log stdout format raw local0
    stats socket {root}/admin.sock mode 600 level admin
defaults
    mode http
    log global
    option httplog
    option forwardfor
    timeout connect 5s
    timeout client 30s
    timeout server 30s
frontend app_frontend
    bind 127.0.0.1:{http_port}
    bind 127.0.0.1:{https_port} ssl crt {files['pem']} alpn h2,http/1.1
    acl is_app hdr(host) -i {HOST}
    acl knoc src -u 500 -f {files['list']}
    use_backend app if is_app knoc
backend app
    server web1 127.0.0.1:{backend_port}
"""
    path = os.path.join(root, "haproxy.cfg")
    with open(path, "w") as f:
        f.write(conf)
    return path


def gateway_conf(work, name, files, backend_port, http_port, https_port, policy):
    root = os.path.join(work, name)
    os.makedirs(root, exist_ok=True)
    route = {"Hosts": [HOST], "Cluster": "app"}
    if policy:
        route["Access"] = {"Policy": policy, "List": "knoc"}
    config = {
        "Gateway": {
            "StateDirectory": os.path.join(root, "state"),
            "Management": {"Address": "127.0.0.1", "Port": free_port()},
            "Listeners": {
                "http": {"Address": "127.0.0.1", "Port": http_port},
                "https": {"Address": "127.0.0.1", "Port": https_port, "Protocol": "https"},
            },
            "Tls": {"Certificates": {"bench": {"Path": files["pem"]}}},
            "Routes": {"app": route},
            "Clusters": {"app": {"Destinations": {"web1": {"Address": f"http://127.0.0.1:{backend_port}"}}}},
            "Access": {"Lists": {"knoc": {"Id": 500, "TokenMapId": 501, "Entries": files["entries"]}}},
        }
    }
    path = os.path.join(root, "appsettings.json")
    with open(path, "w") as f:
        json.dump(config, f, indent=2)
    return path, config["Gateway"]["Management"]["Port"], os.path.join(root, "state", "admin.sock")


def wait_ready(url, proc, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                if r.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(0.2)
    return False


def runtime_api(sock_path, line):
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(10)
        s.connect(sock_path)
        s.sendall(line.encode() + b"\n")
        reply = b""
        while chunk := s.recv(4096):
            reply += chunk
    return reply.decode()


def redeem(sock_path, port, https):
    """Issues a KAT over the runtime API (as Knocknoc's agent does) and redeems it as a browser would: GET with
    ?kat=, which answers 302 with the session cookie. Returns 'name=value' for the Cookie header."""
    token = secrets.token_urlsafe(24)
    reply = runtime_api(sock_path, f"add map #501 {token} bench")
    if reply.strip():
        raise RuntimeError(f"add map refused: {reply.strip()}")
    if https:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=10, context=context)
    else:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", f"/1k?kat={token}", headers={"Host": HOST})
    response = conn.getresponse()
    response.read()
    cookie = response.getheader("Set-Cookie")
    conn.close()
    if response.status != 302 or not cookie:
        raise RuntimeError(f"KAT redemption answered {response.status} without a cookie")
    return cookie.split(";", 1)[0]


def check(port, https, cookie=None):
    """One request as the load generator sends it; must be the backend's 200 with the 1 KiB body."""
    if https:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=10, context=context)
    else:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Host": HOST}
    if cookie:
        headers["Cookie"] = cookie
    conn.request("GET", "/1k", headers=headers)
    response = conn.getresponse()
    body = response.read()
    conn.close()
    if response.status != 200 or len(body) != 1024:
        raise RuntimeError(f"a check request got {response.status} and {len(body)} bytes")


class Servers:
    """Starts the backend and every server under test; knows each one's ports, process and cookie."""

    def __init__(self, group, work, gateway_dll, sut_cpus, load_cpus, gateway_env, names, variants=None):
        self.group = group
        self.work = work
        self.files = make_files(work)
        self.sut = {}
        backend_port = free_port()
        backend_workers = max(1, len(load_cpus) if load_cpus else os.cpu_count())
        sut_workers = max(1, len(sut_cpus) if sut_cpus else os.cpu_count())

        conf = nginx_conf(work, "backend", self.files, backend_workers, backend_port)
        backend = group.start("backend", ["nginx", "-c", conf, "-e", os.path.join(work, "backend", "error.log")],
                              cpus=load_cpus, stdout=os.path.join(work, "backend.log"))
        self._expect(wait_port(backend_port, backend), "nginx (backend)", os.path.join(work, "backend", "error.log"))

        if "nginx" in names:
            http_port, https_port = free_port(), free_port()
            conf = nginx_conf(work, "nginx", self.files, sut_workers, http_port, https_port)
            proc = group.start("nginx", ["nginx", "-c", conf, "-e", os.path.join(work, "nginx", "error.log")],
                               cpus=sut_cpus, stdout=os.path.join(work, "nginx.log"))
            self._expect(wait_port(http_port, proc), "nginx", os.path.join(work, "nginx", "error.log"))
            self.sut["nginx"] = {"proc": proc, "http": http_port, "https": https_port, "cookie": {}}

        if "haproxy" in names:
            http_port, https_port = free_port(), free_port()
            conf = haproxy_conf(work, self.files, backend_port, http_port, https_port)
            log = os.path.join(work, "haproxy.log")
            proc = group.start("haproxy", ["haproxy", "-db", "-f", conf], cpus=sut_cpus, stderr=log)
            self._expect(wait_port(http_port, proc), "haproxy", log)
            self.sut["haproxy"] = {"proc": proc, "http": http_port, "https": https_port, "cookie": {}}

        gateways = [(name, policy, {}) for name, policy in (("gw-none", None), ("gw-ipkat", "ip+kat")) if name in names]
        gateways += [(name, "ip+kat", env) for name, env in (variants or {}).items()]
        for name, policy, variant_env in gateways:
            http_port, https_port = free_port(), free_port()
            conf, management, sock = gateway_conf(work, name, self.files, backend_port, http_port, https_port, policy)
            log = os.path.join(work, name + ".log")
            # The access log is on standard output (its default) and goes to /dev/null; the application log is
            # moved to standard error, kept in a file.
            env = {"Logging__Console__LogToStandardErrorThreshold": "Trace", **gateway_env, **variant_env}
            proc = group.start(name, ["dotnet", gateway_dll, "--config", conf], cpus=sut_cpus, env=env, stderr=log)
            self._expect(wait_ready(f"http://127.0.0.1:{management}/readyz", proc), name, log)
            cookies = {}
            if policy:
                cookies = {"http": redeem(sock, http_port, False), "https": redeem(sock, https_port, True)}
            self.sut[name] = {"proc": proc, "http": http_port, "https": https_port, "cookie": cookies}

        # Every server gets the same requests: the ip+kat session cookie goes to the others too (they forward it and
        # ignore it), so a comparison differs only in what each server does with it.
        shared = next((s["cookie"] for s in self.sut.values() if s["cookie"]), {})
        for s in self.sut.values():
            s["cookie"] = s["cookie"] or dict(shared)

        for name, s in self.sut.items():
            check(s["http"], False, s["cookie"].get("http"))
            check(s["https"], True, s["cookie"].get("https"))

    @staticmethod
    def _expect(ok, name, log):
        if not ok:
            tail = ""
            if os.path.exists(log):
                with open(log, errors="replace") as f:
                    tail = f.read()[-3000:]
            raise RuntimeError(f"{name} did not start:\n{tail}")
