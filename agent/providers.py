"""Model providers for the navigator: cloud when configured, the embedded brain otherwise."""

from __future__ import annotations

from typing import Any

from livekit.agents import llm

from .call.task import CallTask
from .navigator.brain import Brain
from .navigator.policy import IvrPolicy
from .navigator.vocabulary import Vocabulary, load_vocabulary
from .settings import Settings


def navigator_model(task: CallTask, settings: Settings | None = None,
                    vocabulary: Vocabulary | None = None) -> llm.LLM | Brain:
    """OpenAI's LLM (model ``OPENAI_MODEL``, optional ``OPENAI_BASE_URL``) when configured,
    else the embedded brain for ``task`` reading prompts with ``vocabulary`` (loaded from
    ``prompts/`` when not given)."""
    settings = settings or Settings()
    if not settings.uses_openai():
        return IvrPolicy(task, vocabulary or load_vocabulary())
    from livekit.agents import NOT_GIVEN
    from livekit.plugins import openai

    # a local llama.cpp server needs no key, but the client insists on one
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "none"
    return openai.LLM(model=settings.openai_model, api_key=key,
                      base_url=settings.openai_base_url or NOT_GIVEN)


def speech_stack(settings: Settings) -> dict[str, Any] | None:
    """STT, TTS and VAD for a phone call (keyword arguments of ``AgentSession``), or None
    when the cloud keys are missing.

    Deepgram nova-3 is tuned for phone audio: 8 kHz input, numerals written as digits (menu
    keys and figures), and 500 ms endpointing so an IVR's pause between menu items does
    not end its turn. OpenAI TTS speaks; Silero VAD (weights in the wheel) detects speech.
    """
    if not settings.speech_configured():
        return None
    from livekit.plugins import deepgram, openai, silero

    return {
        "stt": deepgram.STT(model="nova-3", sample_rate=8000, numerals=True,
                            endpointing_ms=500,
                            api_key=settings.deepgram_api_key.get_secret_value()),
        "tts": openai.TTS(api_key=settings.openai_api_key.get_secret_value()),
        "vad": silero.VAD.load(),
    }
