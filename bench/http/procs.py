"""Processes the benchmark starts: each in its own process group, pinned to CPUs, killed (the whole group) at the end.

Also reads what the kernel knows about a process group: CPU time (user + system) and peak resident memory (VmHWM),
summed over its processes (nginx's master and workers; HAProxy and Gateway are one process each).
"""
import os
import resource
import signal
import socket
import subprocess
import threading
import time

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _raise_fd_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 65536)), hard))


class Group:
    """Every process started here, so that whatever happens they all end with the benchmark."""

    def __init__(self, pidfile=None):
        self.procs = []
        self.pidfile = pidfile

    def start(self, name, argv, cpus=None, env=None, stdout=None, stderr=None, cwd=None):
        if cpus:
            argv = ["taskset", "-c", ",".join(str(c) for c in cpus)] + list(argv)
        out = open(stdout, "ab") if stdout else subprocess.DEVNULL
        err = open(stderr, "ab") if stderr else subprocess.STDOUT if stdout else subprocess.DEVNULL
        proc = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err, cwd=cwd,
            env={**os.environ, **(env or {})}, start_new_session=True, preexec_fn=_raise_fd_limit)
        proc.bench_name = name
        self.procs.append(proc)
        if self.pidfile:
            with open(self.pidfile, "a") as f:
                f.write(f"{proc.pid}\n")
        return proc

    def stop(self, proc, timeout=10):
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(5)
            except ProcessLookupError:
                pass
        # Children that outlived their leader (nginx workers) still carry the group id.
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def stop_all(self):
        for proc in reversed(self.procs):
            try:
                self.stop(proc)
            except Exception:  # noqa: BLE001 -- cleaning up: keep going whatever one process does
                pass
        self.procs.clear()


def group_pids(pgid):
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # fields after the command: state, ppid, pgrp, ...
            pids.append(int(entry))
    return pids


def cpu_seconds(pgid):
    """User + system CPU seconds of every live process in the group."""
    total = 0
    for pid in group_pids(pgid):
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except OSError:
            continue
    return total / CLOCK_TICKS


def _status_kib(pid, key):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def peak_rss_mib(pgid):
    """Peak resident memory (VmHWM) summed over the group's processes, MiB."""
    return sum(_status_kib(pid, "VmHWM") for pid in group_pids(pgid)) / 1024


def rss_mib(pgid):
    return sum(_status_kib(pid, "VmRSS") for pid in group_pids(pgid)) / 1024


def wait_port(port, proc, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.1)
    return False


class RssSampler:
    """Highest resident memory (VmRSS, summed over the group) seen while a run lasts, sampled every 100 ms: the peak of
    one workload, which VmHWM (the peak since the process started) cannot tell apart from earlier ones."""

    def __init__(self, pgid):
        self.pgid = pgid
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *_):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mib(self.pgid))

    def _run(self):
        while not self._stop.wait(0.1):
            self.peak = max(self.peak, rss_mib(self.pgid))
