from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SCENARIOS = REPO / "scenarios"
IVRS = SCENARIOS / "ivrs"
BANK_IVR = IVRS / "first_meridian_bank.yaml"


@pytest.fixture(scope="session")
def bank_ivr():
    from agent.scenario import load_ivr

    return load_ivr(BANK_IVR)


@pytest.fixture(autouse=True)
def _embedded_brain(monkeypatch):
    # tests are offline and deterministic even where a provider key is set
    monkeypatch.setenv("NAVIGATOR_LLM", "local")


@pytest.fixture(scope="session")
def postgres_url():
    """A real PostgreSQL server on 127.0.0.1 (a throwaway cluster), for the shared store.

    Skipped where PostgreSQL is missing, unless REQUIRE_POSTGRES is set (as in CI).
    """
    import os

    from agent.devserver import PostgresDevServer, find_postgres_bindir

    bindir = find_postgres_bindir()
    if bindir is None:
        message = "PostgreSQL is not installed: run .ci/run, or apt-get install postgresql"
        if os.environ.get("REQUIRE_POSTGRES"):
            pytest.fail(message)
        pytest.skip(message)
    with PostgresDevServer(bindir) as server:
        yield server.url


@pytest.fixture(params=["sqlite", "postgresql"])
def call_store(request, tmp_path):
    """An empty call store, on SQLite and on PostgreSQL."""
    from sqlalchemy import text

    from agent.results.store import CallStore

    if request.param == "sqlite":
        return CallStore(tmp_path / "calls.sqlite")
    url = request.getfixturevalue("postgres_url")
    database = f"test_{tmp_path.name.lower().replace('-', '_')[:40]}"
    admin = CallStore(url).engine.execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as db:
        db.execute(text(f'CREATE DATABASE "{database}"'))
    return CallStore(url.rsplit("/", 1)[0] + f"/{database}")


@pytest.fixture(scope="session")
def livekit_server():
    """The real LiveKit server on 127.0.0.1 (free ports), for tests that cross the network.

    Skipped where the binary is missing, unless REQUIRE_LIVEKIT_SERVER is set (as in CI).
    """
    import os

    from agent.devserver import LiveKitDevServer, find_server_binary

    binary = find_server_binary()
    if binary is None:
        message = ("livekit-server is not installed: run .ci/run, or go install "
                   "github.com/livekit/livekit-server/cmd/server@v1.13.5")
        if os.environ.get("REQUIRE_LIVEKIT_SERVER"):
            pytest.fail(message)
        pytest.skip(message)
    with LiveKitDevServer(binary) as server:
        yield server


class Service:
    """The deployed service against the test server: navigator and mock-IVR workers, with
    a call store of their own (``env`` overrides settings, e.g. ``LEASE_S``)."""

    def __init__(self, server, tmp, *, time_scale: float = 0.05, **env: str):
        from agent.devserver import WorkerProcess
        from agent.results.store import CallStore
        from agent.settings import Settings

        self.server = server
        self.events_dir = tmp / "ivr-events"
        self.env = {
            "LIVEKIT_URL": server.url, "RESULTS_DB": str(tmp / "results.sqlite"),
            "RESULTS_JOURNAL": str(tmp / "journal.jsonl"),
            "JOB_EXECUTOR": "process", "NAVIGATOR_LLM": "local", "WEBHOOK_SECRET": "test-secret",
            "WEBHOOK_BACKOFF_S": "0.1", "PYTHONWARNINGS": "ignore", **env,
        }
        self.settings = Settings(livekit_url=server.url, results_db=self.env["RESULTS_DB"])
        self.store = CallStore(self.settings.results_db)
        self.navigator = WorkerProcess(["start"], self.env)
        self.mock_ivr = WorkerProcess(
            ["mock-ivr", str(IVRS), "--time-scale", str(time_scale), "--events-dir",
             str(self.events_dir)], self.env)
        self.workers = [self.navigator, self.mock_ivr]

    def start(self) -> None:
        for worker in self.workers:
            worker.start()

    def stop(self) -> None:
        for worker in self.workers:
            worker.stop()


@pytest.fixture(scope="session")
def service(livekit_server, tmp_path_factory):
    service = Service(livekit_server, tmp_path_factory.mktemp("service"))
    try:
        service.start()
        yield service
    finally:
        service.stop()
