"""A local LiveKit server and worker processes for tests, benchmarks and demos.

The server is the real Go ``livekit-server`` in ``--dev`` mode, bound to 127.0.0.1 on free
ports (API key ``devkey``, secret ``secret``).

The binary comes from ``go install github.com/livekit/livekit-server/cmd/server@v1.13.5``
(``.ci/run`` does it, into the cache folder below); ``LIVEKIT_SERVER_BIN`` overrides.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from .paths import PROJECT_ROOT, cache_dir

LIVEKIT_SERVER_VERSION = "v1.13.5"
"""Pinned: later v1.13 releases carry replace directives in go.mod, so ``go install``
refuses them."""
CACHE_BIN = cache_dir() / "bin" / "server"


def find_server_binary() -> Path | None:
    """``LIVEKIT_SERVER_BIN``, the CI cache, or ``livekit-server`` on PATH; None if absent."""
    if env := os.environ.get("LIVEKIT_SERVER_BIN"):
        return Path(env)
    if CACHE_BIN.exists():
        return CACHE_BIN
    found = shutil.which("livekit-server")
    return Path(found) if found else None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveKitDevServer:
    """Start, stop and restart one ``livekit-server --dev`` on fixed free ports.

    Args:
        binary: the server executable.
        log_path: where its output goes (a temporary file by default).
        redis_address: ``host:port`` of a Redis server; the SIP API (trunks, dispatch
            rules) needs one, rooms and dispatch do not.
    """

    def __init__(self, binary: Path, *, log_path: Path | None = None,
                 redis_address: str | None = None) -> None:
        self.binary = binary
        self.redis_address = redis_address
        self.http_port, self.tcp_port, self.udp_port = free_port(), free_port(), free_port()
        self.log_path = log_path or Path(tempfile.mkstemp(prefix="livekit-", suffix=".log")[1])
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The WebSocket URL agents and clients connect to."""
        return f"ws://127.0.0.1:{self.http_port}"

    @property
    def config(self) -> str:
        return (f"port: {self.http_port}\n"
                f"rtc:\n  tcp_port: {self.tcp_port}\n  udp_port: {self.udp_port}\n"
                "  use_external_ip: false\n  node_ip: 127.0.0.1\n"
                + (f"redis:\n  address: {self.redis_address}\n" if self.redis_address else ""))

    def start(self, timeout_s: float = 20.0) -> None:
        """Start the server and wait until its HTTP endpoint answers.

        Raises:
            RuntimeError: it exited or did not answer within ``timeout_s``.
        """
        log = self.log_path.open("ab")
        self._process = subprocess.Popen(
            [str(self.binary), "--dev", "--bind", "127.0.0.1", "--config-body", self.config],
            stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"livekit-server exited ({self._process.returncode}); "
                                   f"see {self.log_path}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.http_port}/", timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"livekit-server did not answer within {timeout_s:g} s; "
                           f"see {self.log_path}")

    def kill(self) -> None:
        """SIGKILL the server, as a crash would."""
        if self._process is not None:
            self._process.kill()
            self._process.wait()
            self._process = None

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 5 s)."""
        if self._process is None:
            return
        self._process.terminate()
        try:
            self._process.wait(5)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._process = None

    def __enter__(self) -> LiveKitDevServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class WorkerProcess:
    """A ``python -m agent ...`` worker process (``start``, ``mock-ivr``); its output is
    kept in ``lines``, and :meth:`start` returns once it registered with the server."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.args = args
        self.env = {**os.environ, **env}
        self.lines: list[str] = []
        self._registered = threading.Event()
        self._process: subprocess.Popen[str] | None = None

    def start(self, timeout_s: float = 60.0) -> None:
        """Start and wait until the worker registered with the server."""
        self._registered.clear()
        self._process = subprocess.Popen(
            [sys.executable, "-m", "agent", *self.args], cwd=PROJECT_ROOT, env=self.env, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            start_new_session=True)  # its job processes form one group with it (kill)
        threading.Thread(target=self._read, args=(self._process,), daemon=True).start()
        self.wait_registered(timeout_s)

    @property
    def pid(self) -> int:
        """The worker's process id (for measuring it)."""
        assert self._process is not None, "not started"
        return self._process.pid

    def wait_registered(self, timeout_s: float) -> None:
        """Wait until the worker registered with the server.

        Raises:
            RuntimeError: it exited, or did not register within ``timeout_s`` (with its
                last lines of output).
        """
        deadline = time.monotonic() + timeout_s
        while not self._registered.wait(0.2):
            exited = self._process is not None and self._process.poll() is not None
            if exited or time.monotonic() > deadline:
                time.sleep(0.2)  # let the reader catch its last lines
                tail = "\n".join(self.lines[-30:])
                raise RuntimeError(f"worker {self.args} did not register"
                                   f"{' (it exited)' if exited else ''}:\n{tail}")

    def expect_reregistration(self) -> None:
        """Forget the last registration (before the server restarts)."""
        self._registered.clear()

    def _read(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            self.lines.append(line.rstrip())
            if "registered worker" in line:
                self._registered.set()

    def kill(self) -> None:
        """SIGKILL the worker and its job processes at once, as a crashed machine would."""
        if self._process is not None:
            os.killpg(self._process.pid, signal.SIGKILL)
            self._process.wait()
            self._process = None

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(20)
            except subprocess.TimeoutExpired:
                self._process.kill()
            self._process = None


def find_postgres_bindir() -> Path | None:
    """The folder of PostgreSQL's ``initdb`` and ``pg_ctl`` (``POSTGRES_BINDIR``, Debian's
    ``/usr/lib/postgresql/<version>/bin``, or PATH); None if absent."""
    if env := os.environ.get("POSTGRES_BINDIR"):
        return Path(env)
    debian = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                    key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit()
                    else 0)
    if debian:
        return debian[-1].parent
    found = shutil.which("initdb")
    return Path(found).resolve().parent if found else None


class PostgresDevServer:
    """A throwaway PostgreSQL server: a new cluster in a temporary folder, on a free port of
    127.0.0.1, trust authentication, stopped and deleted by :meth:`stop`. As root (CI), the
    server runs as the ``postgres`` user, since PostgreSQL refuses to run as root.

    Args:
        bindir: the folder of ``initdb`` and ``pg_ctl``.
    """

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="ivr-pg-"))
        self._as_postgres = os.geteuid() == 0

    @property
    def url(self) -> str:
        """The ``postgresql://`` URL of its ``postgres`` database."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        """Create the cluster and start the server (waits until it accepts connections).

        Raises:
            subprocess.CalledProcessError: initdb or pg_ctl failed (their output is in it).
        """
        data = self.dir / "data"
        if self._as_postgres:
            shutil.chown(self.dir, "postgres")
        self._run("initdb", "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self._run("pg_ctl", "-D", str(data), "-l", str(self.dir / "server.log"), "-w", "-o",
                  f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
                  "-c fsync=off", "start")

    def stop(self) -> None:
        """Stop the server and delete its cluster."""
        try:
            self._run("pg_ctl", "-D", str(self.dir / "data"), "-m", "immediate", "stop")
        except (subprocess.CalledProcessError, FileNotFoundError):
            pass
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> PostgresDevServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
