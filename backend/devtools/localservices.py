"""Local PostgreSQL and Redis servers from Debian's packages, on free loopback ports with
throw-away data directories: what ``make cluster`` (``voxtell-web cluster``) runs to try the
distributed mode on one machine, and what the tests start. Each context manager stops what it
started, also on error. PostgreSQL refuses to run as root; as root it runs as its ``postgres``
system user."""


from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def postgres_bin() -> Path | None:
    """The newest installed PostgreSQL's bin folder (Debian layout), if any."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"), key=lambda p: int(p.split("/")[4]))
    return Path(found[-1]).parent if found else None


@dataclass
class Postgres:
    url: str
    bin: Path
    data: Path
    port: int

    def stop(self) -> None:
        _as_postgres([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"], check=False)

    def start(self) -> None:
        _as_postgres([str(self.bin / "pg_ctl"), "-D", str(self.data), "-w", "-t", "60", "-l",
                      str(self.data / "server.log"), "-o", f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1",
                      "start"])


def _as_postgres(command: list[str], check: bool = True) -> subprocess.CompletedProcess[bytes]:
    """PostgreSQL refuses to run as root: run as its own system user when we are root."""
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    return subprocess.run(command, check=check, capture_output=True, timeout=120)


@contextlib.contextmanager
def postgres_server() -> Iterator[Postgres]:
    """A throw-away PostgreSQL cluster on a free port with a database ``voxtell``."""
    bin_dir = postgres_bin()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql; `make test` does it)")
    root = Path(tempfile.mkdtemp(prefix="voxtell-pg-"))
    data = root / "data"
    data.mkdir()
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        for path in (root, data):
            os.chown(path, user.pw_uid, user.pw_gid)
    port = free_port()
    server = Postgres(url=f"postgresql://voxtell:voxtell@127.0.0.1:{port}/voxtell", bin=bin_dir,
                      data=data, port=port)
    try:
        pwfile = root / "pw"
        pwfile.write_text("voxtell\n")
        if os.geteuid() == 0:
            os.chown(pwfile, pwd.getpwnam("postgres").pw_uid, -1)
        _as_postgres([str(bin_dir / "initdb"), "-D", str(data), "-U", "voxtell", "--pwfile", str(pwfile),
                      "-A", "scram-sha-256", "--no-sync"])
        for attempt in range(5):  # the free port may be taken before the server binds it: another one
            try:
                server.start()
                break
            except subprocess.CalledProcessError:
                if attempt == 4:
                    raise
                server.port = free_port()
                server.url = f"postgresql://voxtell:voxtell@127.0.0.1:{server.port}/voxtell"
        _createdb(server)
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


def _createdb(server: Postgres) -> None:
    env = {**os.environ, "PGPASSWORD": "voxtell"}
    deadline = time.monotonic() + 30
    while True:
        run = subprocess.run([str(server.bin / "createdb"), "-h", "127.0.0.1", "-p", str(server.port), "-U", "voxtell",
                              "voxtell"], capture_output=True, env=env, timeout=60)
        if run.returncode == 0:
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"createdb failed: {run.stderr.decode(errors='replace')}")
        time.sleep(0.2)


@dataclass
class Redis:
    url: str
    port: int
    process: subprocess.Popen[bytes]
    folder: Path

    def restart_empty(self) -> None:
        """Stop and start again with nothing kept (no persistence): a broker that lost its queue."""
        self.process.kill()
        self.process.wait(timeout=30)
        self.process = _start_redis(self.port, self.folder)


def _start_redis(port: int, folder: Path) -> subprocess.Popen[bytes]:
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is not installed (apt-get install redis-server; `make test` does it)")
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
                                "no", "--dir", str(folder), "--protected-mode", "yes"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:  # it could not bind: the port was taken meanwhile
            raise PortTaken(f"redis-server could not listen on port {port}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(b"PING\r\n")
            if s.recv(16).startswith(b"+PONG") and process.poll() is None:
                return process
        time.sleep(0.1)
    process.kill()
    raise RuntimeError("redis-server did not start")


class PortTaken(RuntimeError):
    pass


@contextlib.contextmanager
def redis_server() -> Iterator[Redis]:
    """A throw-away redis-server on a free loopback port, no persistence."""
    folder = Path(tempfile.mkdtemp(prefix="voxtell-redis-"))
    for attempt in range(5):  # the free port may be taken before redis binds it: another one
        port = free_port()
        try:
            process = _start_redis(port, folder)
            break
        except PortTaken:
            if attempt == 4:
                raise
    server = Redis(url=f"redis://127.0.0.1:{port}/0", port=port, process=process, folder=folder)
    try:
        yield server
    finally:
        server.process.kill()
        server.process.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)
