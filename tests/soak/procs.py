"""The real processes of a soak run: web (gunicorn), Celery worker (prefork) and beat.

Each is started in its own session, so it and everything it forks (gunicorn workers, pool
children, and children orphaned when the main worker process is killed) share one process
group, which `stop()` ends. Pool children are found through /proc.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen[bytes]
    log: IO[bytes]
    groups: list[int] = field(default_factory=list)  # every process group it ever had

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(name: str, argv: list[str], env: dict[str, str], logs: Path) -> Proc:
    log = (logs / f"{name}.log").open("ab")
    popen = subprocess.Popen(
        argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    return Proc(name, popen, log, [popen.pid])


def web(env: dict[str, str], logs: Path, port: int) -> Proc:
    return start(
        "web",
        [
            sys.executable, "-m", "gunicorn", "tests.soak.wsgi:application",
            "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "8",
            "--timeout", "120", "--graceful-timeout", "5",
        ],
        env,
        logs,
    )  # fmt: skip


def worker(env: dict[str, str], logs: Path, concurrency: int) -> Proc:
    return start(
        "worker",
        [
            sys.executable, "-m", "celery", "-A", "konnect_admin", "worker",
            "--pool", "prefork", "--concurrency", str(concurrency),
            "--without-gossip", "--without-mingle", "--loglevel", "INFO",
        ],
        env,
        logs,
    )  # fmt: skip


def beat(env: dict[str, str], logs: Path, run_dir: Path) -> Proc:
    return start(
        "beat",
        [
            sys.executable, "-m", "celery", "-A", "konnect_admin", "beat", "--loglevel", "INFO",
            "--schedule", str(run_dir / "celerybeat-schedule"),
        ],
        env,
        logs,
    )  # fmt: skip


def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return sorted(set(found))


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").glob("*"):
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    return inodes


def _connections_to(port: int) -> set[str]:
    """Inodes of ESTABLISHED TCP connections whose remote port is `port`."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            cols = row.split()
            if len(cols) > 9 and cols[3] == "01" and int(cols[2].rsplit(":", 1)[1], 16) == port:
                inodes.add(cols[9])
    return inodes


def idle_children(pid: int, port: int, database: Path | int) -> list[int]:
    """Pool children of the worker `pid` running no task: neither the database (Celery closes
    it after each task; a SQLite file, or the port of PostgreSQL) nor a connection to the
    server on `port` is open."""
    talking = _connections_to(port)
    if isinstance(database, int):
        talking |= _connections_to(database)
    idle = []
    for child in children(pid):
        if _socket_inodes(child) & talking:
            continue
        if isinstance(database, int):
            idle.append(child)
            continue
        try:
            links = {os.readlink(fd) for fd in Path(f"/proc/{child}/fd").glob("*")}
        except OSError:
            continue
        if not any(link.startswith(str(database)) for link in links):
            idle.append(child)
    return idle


def busy_children(pid: int, port: int) -> list[int]:
    """Pool children of the worker `pid` with a connection open to the server on `port`: the
    ones most likely in the middle of a Konnect call."""
    talking = _connections_to(port)
    return [c for c in children(pid) if _socket_inodes(c) & talking]


def kill(pid: int) -> bool:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return False
    return True


def stop(proc: Proc, timeout: float = 10.0) -> None:
    """Stop every process group the process ever had: TERM, then KILL what is left."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for group in proc.groups:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, sig)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and any(_group_alive(g) for g in proc.groups):
            time.sleep(0.2)
        if not any(_group_alive(g) for g in proc.groups):
            break
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.popen.wait(timeout=1)
    proc.log.close()


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie leader still "exists": reap it if it is ours
    with contextlib.suppress(ChildProcessError):
        os.waitpid(group, os.WNOHANG)
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return _has_live_member(group)


def _has_live_member(group: int) -> bool:
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group and fields[0] != "Z":
            return True
    return False
