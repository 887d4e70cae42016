"""The in-process harness: a call of the navigator against the mock IVR engine, through
the same :class:`~agent.supervisor.CallSupervisor` the LiveKit worker uses.

The IVR runs as a concurrent task joined to the navigator by a
:class:`~agent.transport.loopback.LoopbackLine`. Run on a
:class:`~agent.harness.virtual_time.VirtualTimeLoop` (``run_virtual``), a call's waits
(prompts, hold music, key pacing, timers) cost no wall time.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from dataclasses import dataclass, field

from livekit.agents import llm

from ..audio.endpointing import Endpointer
from ..audio.hearing import HearingStats
from ..audio.line import LINE_RATE_HZ, PhoneLine
from ..audio.prompts import PromptAudio
from ..audio.stt import shared_transcriber
from ..call.events import CallEvent, Dtmf
from ..call.result import CallResult
from ..call.task import CallTask
from ..ivr.engine import IvrEngine
from ..ivr.runner import IvrRunner
from ..navigator.brain import Brain
from ..navigator.vocabulary import Vocabulary, load_vocabulary
from ..providers import navigator_model
from ..scenario import IvrDefinition, LoadedScenario
from ..supervisor import CallLimits, CallSupervisor
from ..transport.audio import AudioLine
from ..transport.base import LoopClock
from ..transport.loopback import LoopbackLine
from .judge import Verdict, judge


@dataclass
class CallRun:
    """One finished simulated call: the navigator's result, the IVR's event log, what the
    navigator's tools returned and what was logged (for secret checks)."""

    result: CallResult
    ivr_events: list[CallEvent]
    wall_seconds: float
    tool_outputs: list[str] = field(default_factory=list)
    log_lines: list[str] = field(default_factory=list)
    hearing: HearingStats | None = None
    """Audio mode: what the navigator's STT did."""

    @property
    def received_keys(self) -> str:
        """The DTMF keys the IVR received, in order (secret digits as ``•``)."""
        return "".join(e.key for e in self.ivr_events if isinstance(e, Dtmf))


@dataclass
class ScenarioRun(CallRun):
    """A simulated call of a scenario, with the judge's verdict."""

    loaded: LoadedScenario | None = None
    verdict: Verdict = field(default_factory=Verdict)
    voice: str = ""
    """Audio mode: what spoke the IVR's prompts."""


@dataclass(frozen=True)
class AudioMode:
    """An audio-mode call: the IVR's prompts rendered by ``prompts`` (a TTS voice or a
    recorded IVR), the navigator's speech by ``caller_voice``, both over ``line``, heard
    through Whisper ``stt_model``."""

    prompts: PromptAudio
    caller_voice: PromptAudio
    line: PhoneLine = PhoneLine()
    stt_model: str = "tiny.en"
    """The Whisper model of both ends' STT (:data:`agent.audio.stt.MODELS`)."""
    segment_silence_s: float = Endpointer.segment_silence_s
    """The pause that closes a speech segment (each one a partial prompt)."""


class _Capture(logging.Handler):
    """Keeps the formatted log lines of a call (the judge looks for secrets in them)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(record.getMessage())
        except Exception:  # a broken log call must not break the call
            self.lines.append(str(record.msg))


async def simulate_call(
    ivr: IvrDefinition,
    task: CallTask,
    *,
    model: llm.LLM | Brain | None = None,
    vocabulary: Vocabulary | None = None,
    call_id: str | None = None,
    limits: CallLimits | None = None,
    post_connect_dtmf: str = "",
    audio: AudioMode | None = None,
) -> CallRun:
    """Run one call of the navigator against ``ivr`` in process.

    Args:
        model: the navigator's LLM or brain; by default OpenAI when configured, else the
            embedded brain (see :func:`agent.providers.navigator_model`).
        vocabulary: the embedded brain's vocabulary (loaded from ``prompts/`` if None).
        limits: the call's bounds, on the loop's clock (simulated on a virtual-time loop).
        post_connect_dtmf: keys sent when the IVR answers (standard dial string).
        audio: hear the IVR as audio (see :mod:`agent.transport.audio`); text if None.
    """
    call_id = call_id or f"sim-{uuid.uuid4().hex[:8]}"
    vocabulary = vocabulary or load_vocabulary()
    started = time.perf_counter()
    capture = _Capture()
    logging.getLogger().addHandler(capture)
    try:
        clock = LoopClock()
        speech_seconds = None
        if audio is None:
            line: LoopbackLine | AudioLine = LoopbackLine(clock)
        else:
            line = AudioLine(clock, prompts=audio.prompts, caller_voice=audio.caller_voice,
                             transcriber=shared_transcriber(audio.stt_model), line=audio.line,
                             endpointer=Endpointer(segment_silence_s=audio.segment_silence_s))
            speech_seconds = lambda text: audio.prompts.audio(text).size / LINE_RATE_HZ  # noqa: E731
        supervisor = CallSupervisor(
            call_id=call_id, task=task, far_end=line.far_end, keypad=line.keypad, clock=clock,
            model=model or navigator_model(task, vocabulary=vocabulary), limits=limits,
            post_connect_dtmf=post_connect_dtmf, vocabulary=vocabulary)
        runner = IvrRunner(IvrEngine(ivr, masker=supervisor.state.masker,
                                     speech_seconds=speech_seconds,
                                     caller_audio=audio is not None), line)
        line.attach(runner)
        ivr_call = asyncio.create_task(runner.run(), name="mock_ivr")
        try:
            call = await supervisor.run()
        finally:
            ivr_events = await ivr_call
            if isinstance(line, AudioLine):
                await line.close()
    finally:
        logging.getLogger().removeHandler(capture)
    return CallRun(result=call.result, ivr_events=ivr_events,
                   wall_seconds=time.perf_counter() - started,
                   tool_outputs=call.tool_outputs, log_lines=capture.lines,
                   hearing=line.stats if isinstance(line, AudioLine) else None)


async def run_scenario(loaded: LoadedScenario, *, model: llm.LLM | Brain | None = None,
                       vocabulary: Vocabulary | None = None,
                       audio: AudioMode | None = None) -> ScenarioRun:
    """Simulate ``loaded`` (as audio with ``audio``) and judge it against its ``expect``."""
    scenario = loaded.scenario
    limit = max(CallLimits.max_call_s, 2 * (scenario.expect.max_sim_seconds or 0))
    call = await simulate_call(loaded.ivr, scenario.task, model=model, vocabulary=vocabulary,
                               call_id=f"sim-{scenario.id}",
                               limits=CallLimits(max_call_s=limit), audio=audio)
    verdict = judge(loaded, call.result, call.ivr_events,
                    tool_outputs=call.tool_outputs, log_lines=call.log_lines)
    return ScenarioRun(result=call.result, ivr_events=call.ivr_events,
                       wall_seconds=call.wall_seconds, tool_outputs=call.tool_outputs,
                       log_lines=call.log_lines, hearing=call.hearing, loaded=loaded,
                       verdict=verdict, voice=audio.prompts.name if audio else "")
