"""Model providers for the navigator's session: cloud when configured, local otherwise."""

from __future__ import annotations

from livekit.agents import llm

from .navigator.local_llm import LocalIvrLLM
from .scenario.scenario_model import CallTask
from .settings import Settings


def navigator_llm(task: CallTask, settings: Settings | None = None) -> llm.LLM:
    """OpenAI's LLM (model ``OPENAI_MODEL``, optional ``OPENAI_BASE_URL``) when configured,
    else the embedded brain for ``task``."""
    settings = settings or Settings()
    if not settings.uses_openai():
        return LocalIvrLLM(task)
    from livekit.agents import NOT_GIVEN
    from livekit.plugins import openai

    # a local llama.cpp server needs no key, but the client insists on one
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "none"
    return openai.LLM(model=settings.openai_model, api_key=key,
                      base_url=settings.openai_base_url or NOT_GIVEN)
