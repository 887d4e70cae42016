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
    """The deployed service against the test server: navigator and mock-IVR workers."""

    def __init__(self, server, tmp):
        from agent.devserver import WorkerProcess
        from agent.settings import Settings

        self.server = server
        self.events_dir = tmp / "ivr-events"
        self.env = {
            "LIVEKIT_URL": server.url, "RESULTS_DB": str(tmp / "results.sqlite"),
            "JOB_EXECUTOR": "process", "NAVIGATOR_LLM": "local", "WEBHOOK_SECRET": "test-secret",
            "WORKER_LOAD_THRESHOLD": "inf",  # the tests run a few calls at once
            "WEBHOOK_BACKOFF_S": "0.1", "PYTHONWARNINGS": "ignore",
        }
        self.settings = Settings(livekit_url=server.url, results_db=tmp / "results.sqlite")
        self.navigator = WorkerProcess(["start"], self.env)
        self.mock_ivr = WorkerProcess(
            ["mock-ivr", str(IVRS), "--time-scale", "0.05", "--events-dir",
             str(self.events_dir)], self.env)
        self.workers = [self.navigator, self.mock_ivr]


@pytest.fixture(scope="session")
def service(livekit_server, tmp_path_factory):
    service = Service(livekit_server, tmp_path_factory.mktemp("service"))
    try:
        for worker in service.workers:
            worker.start()
        yield service
    finally:
        for worker in service.workers:
            worker.stop()
