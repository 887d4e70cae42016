"""Helpers for end-to-end tests: worker processes started for real with
``python -m agent start`` / ``mock-ivr``, and waiting on their results."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from agent.events import CALL_EVENTS, CallEvent

REPO = Path(__file__).resolve().parent.parent


class WorkerProcess:
    """A ``python -m agent ...`` worker; its output is kept in ``lines``."""

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
            [sys.executable, "-m", "agent", *self.args], cwd=REPO, env=self.env, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        threading.Thread(target=self._read, args=(self._process,), daemon=True).start()
        self.wait_registered(timeout_s)

    def wait_registered(self, timeout_s: float) -> None:
        if not self._registered.wait(timeout_s):
            tail = "\n".join(self.lines[-30:])
            raise RuntimeError(f"worker {self.args} did not register:\n{tail}")

    def expect_reregistration(self) -> None:
        """Forget the last registration (before the server restarts)."""
        self._registered.clear()

    def _read(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            self.lines.append(line.rstrip())
            if "registered worker" in line:
                self._registered.set()

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(20)
            except subprocess.TimeoutExpired:
                self._process.kill()
            self._process = None


def wait_for(predicate, timeout_s: float, interval_s: float = 0.2):
    """Poll ``predicate`` until it returns something truthy; that value, or None."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval_s)
    return None


def ivr_events(events_dir: Path, room: str) -> list[CallEvent]:
    """The mock IVR's event log of the call in ``room``."""
    return CALL_EVENTS.validate_python(json.loads((events_dir / f"{room}.json").read_text()))
