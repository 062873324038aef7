"""A private PostgreSQL cluster in a temporary folder, on a free port, that a test may stop and start at will.

Never the machine's own cluster: other people's databases live there. Needs only the PostgreSQL binaries
(/usr/lib/postgresql/*/bin); run as root it runs them as the postgres user.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

BINARIES = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
AVAILABLE = bool(BINARIES)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _runuser() -> str:
    """util-linux's runuser, found as the PostgreSQL binaries are, by where the system keeps it: a PATH without
    the sbin folders (a newcomer's `env PATH=... make test`) must not make the cluster tests error."""
    search = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])
    return shutil.which("runuser", path=search) or "runuser"


class PrivateCluster:
    def __init__(self) -> None:
        self.bin = Path(BINARIES[-1]).parent
        self.root = Path(tempfile.mkdtemp(prefix="watchkeeper-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.as_postgres = [_runuser(), "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_postgres:
            shutil.chown(self.root, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync")

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run([*self.as_postgres, str(self.bin / tool), *args], check=True, capture_output=True, timeout=120)

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def dsn(self, name: str) -> str:
        return f"host=127.0.0.1 port={self.port} user=postgres dbname={name}"

    def start(self) -> float:
        """Starts the cluster and waits until it accepts connections; returns the seconds it took."""
        began = time.monotonic()
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "log"), "-w", "start")
        return time.monotonic() - began

    def stop(self) -> None:
        """A fast shutdown, as a restart for an upgrade or a failover does: every open connection is cut."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def createdb(self, name: str) -> None:
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.stop()
        shutil.rmtree(self.root, ignore_errors=True)
