"""The SQLite call store under concurrent processes (workers, a polling requester), and
a store that cannot be written."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor

from agent.call.result import CallResult
from agent.results.store import CallStore


def _save_and_read(args: tuple[str, int]) -> str | None:
    path, n = args
    store = CallStore(path)
    store.finish(CallResult.unplaced(f"call-{n}", "failed", "test"))
    found = store.result(f"call-{n}")
    return found.call_id if found else None


def test_processes_opening_a_new_store_at_once_all_succeed(tmp_path):
    # the first connections switch a new file to WAL together: SQLite does not wait for
    # that lock, so without retries some of them fail with "database is locked"
    for round_ in range(5):
        path = str(tmp_path / f"results-{round_}.sqlite")
        with ProcessPoolExecutor(6) as pool:
            ids = list(pool.map(_save_and_read, [(path, n) for n in range(12)]))
        assert ids == [f"call-{n}" for n in range(12)]
        assert len(CallStore(path).results()) == 12


def test_a_read_only_store_is_refused_with_a_clear_message(tmp_path):
    import os

    import pytest

    from agent.results.store import StoreError

    folder = tmp_path / "ro"
    folder.mkdir()
    CallStore(folder / "r.sqlite").check_writable()
    (folder / "r.sqlite").chmod(0o444)
    folder.chmod(0o555)
    try:
        if os.geteuid() == 0:
            pytest.skip("root writes read-only files; the end-to-end test uses a corrupt file")
        with pytest.raises(StoreError, match="is not writable"):
            CallStore(folder / "r.sqlite").check_writable()
    finally:
        folder.chmod(0o755)


def test_a_corrupt_store_is_refused_with_a_clear_message(tmp_path):
    import pytest

    from agent.results.store import StoreError

    path = tmp_path / "corrupt.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError) as e:
        CallStore(path).check_writable()
    assert "cannot be opened" in str(e.value) or "is not writable" in str(e.value)
    assert "file is not a database" in str(e.value)
