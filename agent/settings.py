"""Configuration from the environment (and an optional ``.env`` file), via pydantic-settings.

Every variable is listed in README.md. Secrets are ``SecretStr`` so they never print.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Service settings. Provider keys select the cloud stack; without them everything
    runs on the embedded local stack."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    navigator_llm: Literal["auto", "local", "openai"] = Field(
        "auto", description="auto: OpenAI when OPENAI_API_KEY or OPENAI_BASE_URL is set, "
                            "else the embedded brain.")
    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = Field(
        None, description="An OpenAI-compatible endpoint, e.g. a local llama.cpp server.")
    openai_model: str = "gpt-4.1-mini"
    deepgram_api_key: SecretStr | None = None

    livekit_url: str = Field("ws://127.0.0.1:7880", description="The LiveKit server.")
    livekit_api_key: str = "devkey"
    livekit_api_secret: SecretStr = SecretStr("secret")
    agent_name: str = Field("ivr-navigator", description="Explicit-dispatch agent name.")
    sip_outbound_trunk_id: str | None = Field(
        None, description="Default outbound SIP trunk when a call request names none.")
    results_db: str = Field(
        "results.sqlite", description="The call store (ledger, results, webhook outbox): a "
                                      "SQLite file path, or a postgresql:// URL shared by "
                                      "workers on several machines.")
    results_journal: Path = Field(
        Path("results-journal.jsonl"),
        description="Where results go (one JSON line each) when the store cannot be written.")
    webhook_secret: SecretStr | None = Field(
        None, description="HMAC-SHA256 key for the X-IVR-Signature header of webhooks.")
    webhook_timeout_s: float = Field(5.0, gt=0, description="One webhook request's timeout.")
    webhook_backoff_s: float = Field(
        1.0, gt=0, description="First delay before retrying a webhook; doubles, up to 5 min.")
    webhook_expiry_s: float = Field(
        86400.0, gt=0, description="A webhook not delivered within this long is given up.")
    max_concurrent_calls: int = Field(
        4, ge=1, description="Calls one navigator worker runs at once; the ledger dispatches "
                             "no more than the live workers' total, the rest wait.")
    pickup_timeout_s: float = Field(
        20.0, gt=0, description="A dispatched call no worker has claimed by then is queued "
                                "again.")
    queue_timeout_s: float = Field(
        900.0, gt=0, description="A call still not taken this long after its request ends "
                                 "failed: no worker took the call.")
    lease_s: float = Field(
        15.0, gt=0, description="How long a worker's hold on a running call lasts without "
                                "renewal; a dead worker's calls are taken back after it.")
    redispatch_unreached: bool = Field(
        True, description="Run again a call whose worker died before reaching the far end "
                          "(else it ends failed).")
    job_executor: Literal["process", "thread"] = Field(
        "process", description="How the worker runs jobs: a process each, or threads.")
    mock_ivr_path: Path = Field(Path("scenarios/ivrs"),
                                description="The IVR file, or folder of IVR files, the "
                                            "mock-ivr worker plays (chosen per call).")
    mock_ivr_time_scale: float = Field(
        1.0, gt=0, description="Wall seconds per simulated IVR second (0.05: 20x faster).")
    mock_ivr_events_dir: Path | None = Field(
        None, description="Where the mock IVR writes each call's event log (JSON).")

    def speech_configured(self) -> bool:
        """Whether the cloud speech providers have keys (a phone call without them is
        heard and spoken to by the local speech stack)."""
        return bool(self.deepgram_api_key and self.openai_api_key)

    def uses_openai(self) -> bool:
        """Whether the navigator's LLM is OpenAI (or an OpenAI-compatible server)."""
        if self.navigator_llm == "auto":
            return bool(self.openai_api_key or self.openai_base_url)
        return self.navigator_llm == "openai"
