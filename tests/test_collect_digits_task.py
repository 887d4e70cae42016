"""CollectDigitsTask: GetDtmf-style collection inside a real AgentSession, from
sip_dtmf_received and from the caller's words, with no LLM. (Over a real LiveKit room it
collects every entry of the mock IVR participant: see test_e2e_livekit.py.)"""

from __future__ import annotations

import asyncio

from livekit import rtc
from livekit.agents import Agent, AgentSession

from agent.dtmf import DigitsEntry, rfc4733_event_code
from agent.dtmf.task import CollectDigitsTask


class _Host(Agent):
    def __init__(self, tasks: asyncio.Queue, entries: asyncio.Queue, **task_kwargs) -> None:
        super().__init__(instructions="host")
        self._tasks = tasks
        self._entries = entries
        self._task_kwargs = task_kwargs

    async def on_enter(self) -> None:
        task = CollectDigitsTask(**self._task_kwargs)
        self._tasks.put_nowait(task)
        self._entries.put_nowait(await task)


def dtmf(room: rtc.Room, key: str) -> None:
    # what the room emits when a SIP caller (or another participant) sends a key
    room.emit("sip_dtmf_received", rtc.SipDTMF(code=rfc4733_event_code(key), digit=key))


async def _collect(feed, **task_kwargs) -> DigitsEntry:
    tasks: asyncio.Queue = asyncio.Queue()
    entries: asyncio.Queue[DigitsEntry] = asyncio.Queue()
    room = rtc.Room()  # never connected: it only carries the events
    session = AgentSession()
    await session.start(_Host(tasks, entries, room=room, **task_kwargs))
    task = await asyncio.wait_for(tasks.get(), timeout=5)
    await asyncio.sleep(0.05)  # let the task enter and subscribe
    await feed(room, task)
    entry = await asyncio.wait_for(entries.get(), timeout=5)
    await session.aclose()
    return entry


async def test_dtmf_digits_end_on_terminator():
    async def feed(room, task):
        for key in "4421#":
            dtmf(room, key)

    entry = await _collect(feed, min_digits=4, max_digits=8)
    assert entry == DigitsEntry(digits="4421", ended_by="terminator", complete=True)


async def test_spoken_and_pressed_digits_mix():
    # the caller says part of the number and keys the rest (GetDtmf accepts both)
    async def feed(room, task):
        task.hear("double four")
        dtmf(room, "2")
        dtmf(room, "1")

    entry = await _collect(feed, min_digits=4, max_digits=4)
    assert entry.digits == "4421"
    assert entry.ended_by == "max_digits"


async def test_inter_digit_timeout_ends_a_short_entry_as_incomplete():
    async def feed(room, task):
        dtmf(room, "7")

    entry = await _collect(feed, min_digits=4, max_digits=4, inter_digit_timeout_s=0.1)
    assert entry.ended_by == "timeout"
    assert not entry.complete
    assert entry.reason == "1 digits, at least 4 needed"


async def test_keys_of_other_participants_are_ignored():
    # a stranger in the room must not type into the caller's entry
    async def feed(room, task):
        room.emit("sip_dtmf_received", rtc.SipDTMF(code=9, digit="9", participant=None))
        task.hear("one two three four")

    entry = await _collect(feed, min_digits=4, max_digits=4, caller="pstn-1555")
    assert entry.digits == "1234"


async def test_keys_typed_ahead_and_before_the_task_starts_count_first():
    # type-ahead: "44" typed during the prompt, "2" handed in before the task has entered
    # (a fast caller), "1" after: none is lost, and the order holds
    entries: asyncio.Queue[DigitsEntry] = asyncio.Queue()
    later: asyncio.Queue[CollectDigitsTask] = asyncio.Queue()

    class _Early(Agent):
        async def on_enter(self) -> None:
            task = CollectDigitsTask(min_digits=4, max_digits=4, keys_from_room=False,
                                     type_ahead="44")
            task.press("2")
            later.put_nowait(task)
            entries.put_nowait(await task)

    session = AgentSession()
    await session.start(_Early(instructions="host"))
    task = await asyncio.wait_for(later.get(), timeout=5)
    await asyncio.sleep(0.05)
    task.press("1")
    entry = await asyncio.wait_for(entries.get(), timeout=5)
    await session.aclose()
    assert entry == DigitsEntry(digits="4421", ended_by="max_digits", complete=True)
