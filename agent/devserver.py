"""A local LiveKit server for tests, benchmarks and demos: the real Go ``livekit-server``
in ``--dev`` mode, bound to 127.0.0.1 on free ports (API key ``devkey``, secret ``secret``).

The binary comes from ``go install github.com/livekit/livekit-server/cmd/server@v1.13.5``
(``.ci/run`` does it, into the cache folder below); ``LIVEKIT_SERVER_BIN`` overrides.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

LIVEKIT_SERVER_VERSION = "v1.13.5"
"""Pinned: later v1.13 releases carry replace directives in go.mod, so ``go install``
refuses them."""
CACHE_BIN = Path(os.environ.get("IVR_NAVIGATOR_CACHE", Path.home() / ".cache" / "ivr-navigator")
                 ) / "bin" / "server"


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
    """

    def __init__(self, binary: Path, *, log_path: Path | None = None) -> None:
        self.binary = binary
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
                "  use_external_ip: false\n  node_ip: 127.0.0.1\n")

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
