from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SCENARIOS = REPO / "scenarios"
BANK_IVR = SCENARIOS / "ivrs" / "first_meridian_bank.yaml"


@pytest.fixture(scope="session")
def bank_ivr():
    from agent.scenario import load_ivr

    return load_ivr(BANK_IVR)


@pytest.fixture(autouse=True)
def _embedded_brain(monkeypatch):
    # tests are offline and deterministic even where a provider key is set
    monkeypatch.setenv("NAVIGATOR_LLM", "local")
