"""The durable result store: SQLite (standard library), one row per call.

Writes happen before anyone is notified, so a result survives a crashed webhook, a lost
LiveKit connection or a restarted worker. Calls run in a thread so the event loop never
blocks on disk.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from datetime import datetime
from pathlib import Path

from ..call.result import CallResult

_SCHEMA = """
CREATE TABLE IF NOT EXISTS call_results (
    call_id     TEXT PRIMARY KEY,
    outcome     TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    result_json TEXT NOT NULL,
    delivered   INTEGER NOT NULL DEFAULT 0
)
"""


BUSY_TIMEOUT_S = 10.0
"""How long a write waits for another process's write to finish (SQLite busy timeout)."""


class ResultStore:
    """Results in the SQLite database at ``path`` (created on first use).

    A call saved twice keeps the last result (a retried job replaces its earlier one).
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S)
        # readers (the CLI, a requester polling) never block the worker. Switching to WAL
        # takes a lock that SQLite does not wait for, so a process that meets another one
        # switching retries; once set, the mode is stored in the file.
        for attempt in range(50):
            try:
                if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                    db.execute("PRAGMA journal_mode=WAL")
                db.execute(_SCHEMA)
                return db
            except sqlite3.OperationalError as e:
                if "locked" not in str(e) or attempt == 49:
                    db.close()
                    raise
                time.sleep(0.05)
        raise AssertionError("unreachable")

    def _save(self, result: CallResult) -> None:
        with self._connect() as db:
            db.execute(
                "INSERT OR REPLACE INTO call_results (call_id, outcome, finished_at, "
                "result_json) VALUES (?, ?, ?, ?)",
                (result.call_id, result.outcome, result.finished_at.isoformat(),
                 result.model_dump_json()),
            )

    async def save(self, result: CallResult) -> None:
        """Store ``result`` durably (committed when this returns)."""
        await asyncio.to_thread(self._save, result)

    def mark_delivered(self, call_id: str) -> None:
        """Record that the requester's webhook accepted the result."""
        with self._connect() as db:
            db.execute("UPDATE call_results SET delivered = 1 WHERE call_id = ?", (call_id,))

    def get(self, call_id: str) -> CallResult | None:
        """The stored result of ``call_id``, or None."""
        with self._connect() as db:
            row = db.execute("SELECT result_json FROM call_results WHERE call_id = ?",
                             (call_id,)).fetchone()
        return CallResult.model_validate_json(row[0]) if row else None

    def list(self, since: datetime | None = None) -> list[CallResult]:
        """Results finished at or after ``since`` (all when None), oldest first."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT result_json FROM call_results WHERE finished_at >= ? "
                "ORDER BY finished_at", ((since.isoformat() if since else ""),)).fetchall()
        return [CallResult.model_validate_json(r[0]) for r in rows]
