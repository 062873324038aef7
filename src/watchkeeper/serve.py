"""`watchkeeper serve`: the web server and a task worker as children, stopped together and exactly once.

Each child runs in its own process group. A signal to serve's whole group (systemd's KillMode=control-group,
`kill -TERM -PGID`, Ctrl-C at a terminal) therefore reaches serve alone, and serve passes one SIGTERM to each child.
granian deadlocks when a second signal lands inside its first handler, so no child ever gets two from us; a second
Ctrl-C only says we are already stopping. Whatever is still alive after STOP_SECONDS is killed, group and all, so
serve always exits within 10 seconds of being asked.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field

STOP_SECONDS = 8.0
PR_SET_PDEATHSIG = 1


def web_command(args: argparse.Namespace) -> list[str]:
    """Granian by default: its Rust HTTP layer keeps /status/ answering from the snapshot at near-nginx rates
    during an outage, when everyone polls it. gunicorn (threaded, keep-alive) remains for those who know it."""
    if args.server == "granian":
        return [
            sys.executable,
            "-m",
            "granian",
            "--interface",
            "wsgi",
            "--host",
            args.host,
            "--port",
            str(args.port),
            "--workers",
            str(args.workers),
            # Few Python threads and two I/O threads per worker: measured by bench-statuspage, this keeps
            # /status/ at over half of nginx's rate with p99 under 100 ms at 500 connections on 2 cores.
            "--blocking-threads",
            str(args.threads or 2),
            "--runtime-threads",
            "2",
            "--backlog",
            "4096",
            # Within serve's own deadline, so a worker stuck in a request is killed by granian, not by us.
            "--workers-kill-timeout",
            "5",
            # No granian access log: a line per request through Python halved the status page's rate. The app
            # logs each Django request and sums up snapshot hits itself (watchkeeper.web.access_log).
            "--no-access-log",
            "watchkeeper.wsgi:application",
        ]
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "watchkeeper.wsgi:application",
        "--bind",
        f"{args.host}:{args.port}",
        "--workers",
        str(args.workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(args.threads or 8),
        "--keep-alive",
        "5",
        "--graceful-timeout",
        "5",
        "--backlog",
        "4096",
    ]


def _die_with_parent() -> None:
    """Runs in the child before exec: if serve itself is killed outright, its children are told to stop too,
    since their own process groups no longer share serve's fate."""
    if sys.platform == "linux":
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class Children:
    running: list[subprocess.Popen[bytes]] = field(default_factory=list)
    stop_requested_at: float | None = None
    killed: bool = False

    def start(self, command: list[str]) -> None:
        if self.stop_requested_at is not None:
            return  # asked to stop while starting: nothing new
        # process_group=0: the child leads a new group, so signals for serve's group do not reach it.
        self.running.append(subprocess.Popen(command, process_group=0, preexec_fn=_die_with_parent))

    def stop(self, signum: int = 0, frame: object = None) -> None:
        """The signal handler: the first call passes one SIGTERM to each child; later ones only say so."""
        if self.stop_requested_at is not None:
            if signum:
                # os.write, not print: a handler may interrupt a print on the same stream.
                os.write(2, b"Already stopping: waiting for the web server and worker to finish\n")
            return
        self.stop_requested_at = time.monotonic()
        for child in self.running:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)

    def kill_if_overdue(self) -> None:
        if self.killed or self.stop_requested_at is None:
            return
        if time.monotonic() - self.stop_requested_at < STOP_SECONDS:
            return
        self.killed = True
        for child in self.running:
            print(f"pid {child.pid} did not stop within {STOP_SECONDS:.0f} s: killing it", file=sys.stderr, flush=True)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGKILL)

    def wait(self) -> int:
        """Until every child has gone; if one dies on its own, the others are stopped: a web app with no worker
        would silently queue notifications forever. Returns the first failing child's exit status, else 0."""
        exit_code = 0
        while self.running:
            for child in list(self.running):
                code = child.poll()
                if code is None:
                    continue
                self.running.remove(child)
                exit_code = exit_code or (code if code > 0 else 0)
                self.stop()
            self.kill_if_overdue()
            time.sleep(0.05)
        return exit_code


def serve(args: argparse.Namespace) -> int:
    children = Children()
    signal.signal(signal.SIGINT, children.stop)
    signal.signal(signal.SIGTERM, children.stop)
    children.start(web_command(args))
    if not args.no_worker:
        children.start([sys.executable, "-m", "watchkeeper.cli", "worker"])
    print(f"Watchkeeper is running on http://{args.host}:{args.port}/ (press Ctrl-C to stop)", flush=True)
    code = children.wait()
    # Everything has stopped. A late second Ctrl-C (or a group signal still on its way) must not meet Python's
    # default handler while the interpreter shuts down: that ended serve by SIGINT once in 20 cycles under load.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    return code
