"""Configuration from the environment (and an optional ``.env`` file), via pydantic-settings.

Every variable is listed in README.md. Secrets are ``SecretStr`` so they never print.
"""

from __future__ import annotations

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

    def uses_openai(self) -> bool:
        """Whether the navigator's LLM is OpenAI (or an OpenAI-compatible server)."""
        if self.navigator_llm == "auto":
            return bool(self.openai_api_key or self.openai_base_url)
        return self.navigator_llm == "openai"
