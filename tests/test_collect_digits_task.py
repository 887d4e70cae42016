"""CollectDigitsTask: GetDtmf-style collection inside a real AgentSession, from
sip_dtmf_received and from the caller's turns, with no LLM."""

from __future__ import annotations

import asyncio

from livekit.agents import Agent, AgentSession
from livekit.agents.testing import fake_job_context
from livekit.agents.voice.events import UserInputTranscribedEvent

from agent.collect_digits_task import CollectDigitsTask
from agent.digit_collector import DigitsEntry
from agent.harness.sim_room import SimulatedRoom


class _Host(Agent):
    def __init__(self, entries: asyncio.Queue[DigitsEntry], **task_kwargs) -> None:
        super().__init__(instructions="host")
        self._entries = entries
        self._task_kwargs = task_kwargs

    async def on_enter(self) -> None:
        self._entries.put_nowait(await CollectDigitsTask(**self._task_kwargs))


async def _collect(feed, **task_kwargs) -> DigitsEntry:
    entries: asyncio.Queue[DigitsEntry] = asyncio.Queue()
    room = SimulatedRoom("collect-test", on_dtmf=lambda key: None)
    session = AgentSession()
    with fake_job_context(room=room):
        await session.start(_Host(entries, **task_kwargs))
        await asyncio.sleep(0.05)  # let the task enter and subscribe
        await feed(room, session)
        entry = await asyncio.wait_for(entries.get(), timeout=5)
        await session.aclose()
    return entry


async def test_dtmf_digits_end_on_terminator():
    async def feed(room, session):
        for key in "4421#":
            room.receive_dtmf(key)

    entry = await _collect(feed, min_digits=4, max_digits=8)
    assert entry == DigitsEntry(digits="4421", ended_by="terminator", complete=True)


async def test_spoken_and_pressed_digits_mix():
    # the caller says part of the number and keys the rest (GetDtmf accepts both)
    async def feed(room, session):
        # what the STT pipeline emits when the caller speaks
        session.emit("user_input_transcribed",
                     UserInputTranscribedEvent(transcript="double four", is_final=True))
        room.receive_dtmf("2")
        room.receive_dtmf("1")

    entry = await _collect(feed, min_digits=4, max_digits=4)
    assert entry.digits == "4421"
    assert entry.ended_by == "max_digits"


async def test_inter_digit_timeout_ends_a_short_entry_as_incomplete():
    async def feed(room, session):
        room.receive_dtmf("7")

    entry = await _collect(feed, min_digits=4, max_digits=4, inter_digit_timeout_s=0.1)
    assert entry.ended_by == "timeout"
    assert not entry.complete
    assert entry.reason == "1 digits, at least 4 needed"
