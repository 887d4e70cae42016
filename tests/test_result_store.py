"""The SQLite result store under concurrent processes (workers, a polling requester)."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor

from agent.call.result import CallResult
from agent.results.store import ResultStore


def _save_and_read(args: tuple[str, int]) -> str | None:
    path, n = args
    store = ResultStore(path)
    store._save(CallResult.unplaced(f"call-{n}", "failed", "test"))
    found = store.get(f"call-{n}")
    return found.call_id if found else None


def test_processes_opening_a_new_store_at_once_all_succeed(tmp_path):
    # the first connections switch a new file to WAL together: SQLite does not wait for
    # that lock, so without retries some of them fail with "database is locked"
    for round_ in range(5):
        path = str(tmp_path / f"results-{round_}.sqlite")
        with ProcessPoolExecutor(6) as pool:
            ids = list(pool.map(_save_and_read, [(path, n) for n in range(12)]))
        assert ids == [f"call-{n}" for n in range(12)]
        assert len(ResultStore(path).list()) == 12
