"""The mock IVR: a deterministic state machine over an :class:`IvrDefinition`.

It consumes caller input (DTMF keys, speech text) and the passing of time, and emits
:mod:`agent.events` (prompts, holds, transfers, hang-ups). No LLM, no network, no wall
clock: time is the engine's own simulated clock, moved by :meth:`IvrEngine.advance` and
by the length of what the IVR says (word count at ``speaking_rate_wpm`` until real audio
exists). Transports (the in-process harness, a LiveKit participant) feed it and deliver
what it says.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from ..call.events import (
    CallerSpeech,
    CallEvent,
    Dtmf,
    HoldEnded,
    HoldStarted,
    HungUp,
    InputCollected,
    NodeEntered,
    PersonAnswered,
    Prompt,
    Transferred,
)
from ..call.masking import MASK, NO_SECRETS, Masker
from ..dtmf import DigitCollector, DigitsEntry, spoken_to_keys
from ..scenario.ivr_model import (
    CollectNode,
    HangupNode,
    HoldNode,
    HumanNode,
    IvrDefinition,
    Lookup,
    Matches,
    MenuNode,
    SayNode,
    TransferNode,
)
from ..scenario.templates import TemplateError, lookup, render

logger = logging.getLogger("ivr_navigator.ivr")

_GOODBYE = re.compile(r"\b(goodbye|good bye|bye|that's all|that is all)\b", re.I)
UNAVAILABLE = "I'm sorry, that information is not available right now."


def _digits(value: object) -> str:
    """The digits of a data value: "04/12/1987" -> "04121987"."""
    return re.sub(r"\D", "", str(value))


def says_keyword(spoken: str, keyword: str) -> bool:
    """Whether lower-cased ``spoken`` contains ``keyword`` as whole words, in any of its
    plural, singular or past forms and a compound apart, as a speech grammar matches:
    "claims" and "claim" say "claim", "transaction" says "transactions", "pay off" says
    "payoff", "person" does not say "son"."""
    return keyword_at(spoken, keyword) is not None


def keyword_at(spoken: str, keyword: str) -> int | None:
    """Where lower-cased ``spoken`` first says ``keyword`` (see :func:`says_keyword`), or
    None."""
    found = _keyword_pattern(keyword.lower()).search(spoken)
    return found.start() if found else None


@lru_cache(maxsize=4096)
def _keyword_pattern(keyword: str) -> re.Pattern[str]:
    stem = re.sub(r"(?<=\w\w\w)(?:es|s|ed|d)$", "", keyword)
    bodies = []
    for form in dict.fromkeys([keyword, stem]):
        if " " not in form and len(form) >= COMPOUND_MIN:  # "road side" for "roadside"
            bodies.append(r"[\s-]?".join(map(re.escape, form)))
        else:
            bodies.append(r"[\s-]+".join(map(re.escape, form.split())))
    return re.compile(rf"\b(?:{'|'.join(bodies)})(?:e|es|s|ed|d)?\b")


COMPOUND_MIN = 6
"""A one-word keyword this long is also heard as two words ("wind shield")."""


def spoken_option(node: MenuNode, spoken: str) -> str | None:
    """The key of the option of ``node`` that lower-cased ``spoken`` names first (a
    caller says what the call is about before the story: "my transcript ... for a grad
    school application"), the earlier option on a tie; None when it names none."""
    said = [(at, n, key) for n, (key, option) in enumerate(node.options.items())
            for word in option.keywords if (at := keyword_at(spoken, word)) is not None]
    return min(said)[2] if said else None


def _words_seconds(text: str, words_per_minute: float) -> float:
    """How long ``text`` takes to say at ``words_per_minute`` (seconds)."""
    return len(text.split()) * 60.0 / words_per_minute


class IvrEngine:
    """One call into the IVR ``ivr``.

    Use: :meth:`start` once, then :meth:`press`, :meth:`hear` and :meth:`advance` in any
    order; each returns the events it caused. :attr:`log` keeps every event, :attr:`ended`
    tells whether the call is over. Keys entered at a ``secret`` collect node are logged
    as ``•``; ``masker`` hides secrets in what the caller said.

    With ``external_collection``, collect nodes do not gather digits themselves: keys and
    speech there are only logged, :attr:`collect_request` names the node waiting for an
    entry (and a new number each time it asks), and :meth:`submit_entry` hands in what a
    digit collector outside (a LiveKit ``CollectDigitsTask``) gathered.

    ``speech_seconds`` times what the IVR says (seconds for a text): by default
    ``ivr.speaking_rate_wpm``; in audio mode the length of the prompt's audio. With
    ``caller_audio`` the caller's words are heard from audio, after they took their time
    on the line: :meth:`hear` adds none (else it adds their time at the speaking rate).
    """

    def __init__(self, ivr: IvrDefinition, *, masker: Masker = NO_SECRETS,
                 external_collection: bool = False,
                 speech_seconds: Callable[[str], float] | None = None,
                 caller_audio: bool = False) -> None:
        self.ivr = ivr
        self.caller_audio = caller_audio
        self._speech_seconds = speech_seconds or (
            lambda text: _words_seconds(text, ivr.speaking_rate_wpm))
        self.external_collection = external_collection
        self._collect_seq = 0
        self.now_s = 0.0
        self.log: list[CallEvent] = []
        self.ended = False
        self._masker = masker
        self._node_id = ""
        self._retries = 0
        self._deadline_s: float | None = None
        self._words_awaited = False  # the caller began to speak: a no-input wait stopped
        self._collector: DigitCollector | None = None
        self._hold_started_s = 0.0
        self._hold_end_s = 0.0
        self._keep_ask_s: float | None = None  # next "press 1 to keep holding"
        self._keep_answer_by_s: float | None = None  # that key must come by then
        self._records: dict[str, dict[str, Any]] = {}  # bound by lookup checks
        self._entries: dict[str, str] = {}
        self._new: list[CallEvent] = []
        # the terminator a caller adds after an entry that max_digits already ended
        self._late_terminator: tuple[str, float] | None = None  # (key, until_s)
        self._last_said = ""

    # --- what transports call -------------------------------------------------------

    @property
    def node_id(self) -> str:
        """The node the call is at."""
        return self._node_id

    @property
    def next_timer_s(self) -> float | None:
        """Clock reading of the next timer (no-input, inter-digit, hold), or None."""
        if self.ended:
            return None
        if self._collector is not None:
            return self._collector.deadline_s
        return self._deadline_s

    @property
    def last_said(self) -> str:
        """The last prompt or reply spoken to the caller (its text)."""
        return self._last_said

    @property
    def speech_grammar(self) -> list[str]:
        """The phrases the node the call is at listens for (a speech menu's keywords, a
        representative's cues), as a speech IVR's recogniser loads its node's grammar;
        empty where no words are expected."""
        node = self._node
        if self.ended:
            return []
        if isinstance(node, MenuNode):
            return [word for option in node.options.values() for word in option.keywords]
        if isinstance(node, HumanNode):
            return [word for answer in node.answers for word in answer.keywords]
        return []

    @property
    def collect_request(self) -> tuple[int, CollectNode] | None:
        """(request number, node) while a collect node waits for :meth:`submit_entry`."""
        node = self._node
        if self.ended or not self.external_collection or not isinstance(node, CollectNode):
            return None
        return self._collect_seq, node

    def ignores_key(self, key: str) -> bool:
        """Whether :meth:`press` would take ``key`` as the terminator of an entry that
        ``max_digits`` already ended ("12345678#" typed in one go), not as new input."""
        late = self._late_terminator
        return late is not None and key == late[0] and self.now_s <= late[1]

    def submit_entry(self, entry: DigitsEntry) -> list[CallEvent]:
        """The entry an external collector gathered at the current collect node.

        Raises:
            RuntimeError: no collect node is waiting for an entry.
        """
        node = self._node
        if self.collect_request is None:
            raise RuntimeError(f"no collect node waits for an entry (at {self._node_id!r})")
        self._collect_done(node, entry)
        return self._take()

    def start(self) -> list[CallEvent]:
        """Answer the call: enter the start node."""
        self._enter(self.ivr.start)
        return self._take()

    def press(self, key: str) -> list[CallEvent]:
        """The caller pressed DTMF ``key`` now."""
        if self.ended:
            return []
        node = self._node
        shown = "•" if isinstance(node, CollectNode) and node.secret and key.isdigit() else key
        self._emit(Dtmf(at_s=self.now_s, node=self._node_id, key=shown))
        ignored = self.ignores_key(key)
        self._late_terminator = None
        if ignored:
            return self._take()  # "12345678#" for an 8-digit entry: the # is not a new input
        if isinstance(node, MenuNode):
            self._menu_key(node, key)
        elif isinstance(node, CollectNode) and self._collector is not None:
            self._collect_done(node, self._collector.press(key, self.now_s))
        elif isinstance(node, HoldNode):
            self._hold_key(node, key)
        return self._take()

    def barge_in(self, at_s: float) -> None:
        """The caller cut in at ``at_s`` while the IVR was still speaking (its clock runs
        ahead, to the end of what it has queued): speech after ``at_s`` is never said.
        Prompts under way end at ``at_s``, later ones leave the log, and the clock goes
        back to ``at_s`` so the input that cut in is taken then. Real IVRs let DTMF
        barge into a prompt; so does this one, at every prompt."""
        if at_s >= self.now_s:
            return
        kept = []
        for event in self.log:
            if isinstance(event, Prompt) and event.end_s > at_s:
                if event.at_s >= at_s:
                    continue  # queued, never started
                event = event.model_copy(update={"end_s": at_s, "cut": True})
            kept.append(event)
        self.log[:] = kept
        if self._deadline_s is not None:  # a menu's no-input wait starts at its prompt's end
            self._deadline_s -= self.now_s - at_s
        self.now_s = at_s

    def caller_speaking(self) -> list[CallEvent]:
        """The caller began to speak now (a line carrying audio hears speech before its
        words): a menu's or a person's wait for an answer stops, as a recogniser's start
        of speech or a listening person stops it, until the words come (:meth:`hear`)."""
        if isinstance(self._node, MenuNode | HumanNode) and self._deadline_s is not None:
            self._deadline_s, self._words_awaited = None, True
        return self._take()

    def hear(self, text: str) -> list[CallEvent]:
        """The caller said ``text``: it ends now, or with text in, lasts its word count
        from now; no words after :meth:`caller_speaking` start the wait for an answer
        again."""
        awaited, self._words_awaited = self._words_awaited, False
        if self.ended or not text.strip():
            if awaited and not self.ended:
                self._deadline_s = self.now_s + self.ivr.timeouts.no_input_s
            return self._take()
        self._late_terminator = None
        node = self._node
        secret = isinstance(node, CollectNode) and node.secret and spoken_to_keys(text)
        shown = MASK if secret else self._masker.mask(text)
        self._emit(CallerSpeech(at_s=self.now_s, node=self._node_id, text=shown))
        if not self.caller_audio:
            self.now_s += _words_seconds(text, self.ivr.speaking_rate_wpm)
        if isinstance(node, MenuNode):
            self._menu_speech(node, text)
        elif isinstance(node, CollectNode) and self._collector is not None:
            if node.accepts_speech:
                self._collect_done(node, self._collector.hear(text, self.now_s))
            else:
                self._retry(node, node.invalid_prompt)
        elif isinstance(node, HumanNode):
            self._human_reply(node, text)
        return self._take()

    def advance(self, seconds: float) -> list[CallEvent]:
        """Let ``seconds`` of call time pass with no input, firing timers that fall due."""
        until = self.now_s + seconds
        while not self.ended and (timer := self.next_timer_s) is not None and timer <= until:
            self.now_s = max(self.now_s, timer)
            self._fire_timer()
        self.now_s = max(self.now_s, until)
        return self._take()

    def advance_to_next_timer(self) -> list[CallEvent]:
        """Jump to the next timer and fire it (what happens if the caller stays silent)."""
        timer = self.next_timer_s
        return [] if timer is None else self.advance(max(0.0, timer - self.now_s))

    def hang_up(self, reason: str = "caller hung up") -> list[CallEvent]:
        """The caller hung up."""
        if not self.ended:
            self._end(HungUp(at_s=self.now_s, by="caller", reason=reason))
        return self._take()

    # --- the state machine ------------------------------------------------------------

    @property
    def _node(self) -> Any:
        return self.ivr.nodes.get(self._node_id)

    def _take(self) -> list[CallEvent]:
        new, self._new = self._new, []
        return new

    def _emit(self, event: CallEvent) -> None:
        self.log.append(event)
        self._new.append(event)

    def _say(self, template: str, speaker: str = "ivr") -> None:
        if not template:
            return
        try:
            text = render(template, self.ivr.template_context(self._records, self._entries))
        except TemplateError as e:
            logger.warning("prompt at node %s names missing data %s", self._node_id, e)
            text = UNAVAILABLE
        duration = self._speech_seconds(text)
        self._last_said = text
        self._emit(Prompt(at_s=self.now_s, end_s=self.now_s + duration, node=self._node_id,
                          speaker=speaker, text=text))
        self.now_s += duration

    def _enter(self, node_id: str) -> None:
        """The one place the current node changes."""
        while not self.ended:
            old, self._node_id = self._node_id, node_id
            node = self.ivr.nodes[node_id]
            logger.debug("ivr node %s -> %s", old or "(start)", node_id)
            self._emit(NodeEntered(at_s=self.now_s, node=node_id, kind=node.kind))
            self._retries = 0
            self._collector = None
            self._deadline_s = None
            if isinstance(node, SayNode):
                self._say(node.prompt)
                node_id = node.next
                continue
            if isinstance(node, HumanNode):
                self._emit(PersonAnswered(at_s=self.now_s, node=node_id, name=node.agent_name))
            if isinstance(node, MenuNode | HumanNode):
                self._say(node.prompt, "human" if isinstance(node, HumanNode) else "ivr")
                self._deadline_s = self.now_s + self.ivr.timeouts.no_input_s
            elif isinstance(node, CollectNode):
                self._say(node.prompt)
                self._start_collect(node)
            elif isinstance(node, HoldNode):
                self._say(node.prompt)
                self._emit(HoldStarted(at_s=self.now_s, node=node_id, seconds=node.seconds))
                self._hold_started_s = self.now_s
                self._hold_end_s = self.now_s + node.seconds
                keep = node.keep_holding
                self._keep_ask_s = self.now_s + keep.every_s if keep else None
                self._keep_answer_by_s = None
                self._schedule_hold(node)
            elif isinstance(node, TransferNode):
                self._say(node.prompt)
                self._end(Transferred(at_s=self.now_s, node=node_id, to=node.to))
            elif isinstance(node, HangupNode):
                self._say(node.prompt)
                self._end(HungUp(at_s=self.now_s, by="ivr", reason=f"hang-up node {node_id}"))
            return

    def _end(self, event: CallEvent) -> None:
        self._emit(event)
        self.ended = True
        self._collector = None
        self._deadline_s = None

    def _fire_timer(self) -> None:
        node = self._node
        if isinstance(node, CollectNode) and self._collector is not None:
            self._collect_done(node, self._collector.expire(self.now_s))
        elif isinstance(node, HoldNode):
            self._hold_timer(node)
        elif isinstance(node, MenuNode):
            if node.default is not None:
                self._enter(node.default)
            else:
                self._retry(node, node.no_input_prompt)
        elif isinstance(node, HumanNode):
            self._retries += 1
            if self._retries > self.ivr.timeouts.max_retries:
                self._say("I'm not hearing anyone, so I'll end the call now. Goodbye.", "human")
                self._end(HungUp(at_s=self.now_s, by="ivr", reason="no answer from caller"))
            else:
                self._say("Hello? Are you still there?", "human")
                self._deadline_s = self.now_s + self.ivr.timeouts.no_input_s

    def _next_announcement_s(self, node: HoldNode) -> float | None:
        # announcements every announce_every_s from the start of hold (not from the end of
        # the last one), and none that would still be playing when the hold ends
        if not node.announcements:
            return None
        at = self._hold_started_s + (self._retries + 1) * node.announce_every_s
        length = self._speech_seconds(
            node.announcements[self._retries % len(node.announcements)])
        return at if at + length <= self._hold_end_s else None

    def _schedule_hold(self, node: HoldNode) -> None:
        timers = [self._hold_end_s, self._next_announcement_s(node), self._keep_ask_s,
                  self._keep_answer_by_s]
        self._deadline_s = min(t for t in timers if t is not None)

    def _hold_timer(self, node: HoldNode) -> None:
        """The hold's earliest timer fell due: a keep-holding prompt went unanswered, the
        hold ended, it is time to ask to keep holding, or to play an announcement."""
        now, keep = self.now_s, node.keep_holding
        if keep is not None and self._keep_answer_by_s is not None \
                and now >= self._keep_answer_by_s:
            self._emit(HoldEnded(at_s=now, node=self._node_id))
            self._enter(keep.on_timeout)
            return
        if now >= self._hold_end_s:
            self._emit(HoldEnded(at_s=now, node=self._node_id))
            self._enter(node.next)
            return
        if keep is not None and self._keep_ask_s is not None and now >= self._keep_ask_s:
            self._say(keep.prompt)
            self._keep_answer_by_s = self.now_s + keep.answer_s
            self._keep_ask_s = self.now_s + keep.every_s
        else:
            self._say(node.announcements[self._retries % len(node.announcements)])
            self._retries += 1
        self._schedule_hold(node)

    def _hold_key(self, node: HoldNode, key: str) -> None:
        keep = node.keep_holding
        if keep is not None and self._keep_answer_by_s is not None and key == keep.key:
            self._keep_answer_by_s = None  # still there: back to the music
            self._schedule_hold(node)
        elif key in node.options:
            self._emit(HoldEnded(at_s=self.now_s, node=self._node_id))
            self._enter(node.options[key].next)
        # any other key during hold music is ignored, as queues do

    def _retry(self, node: MenuNode | CollectNode, apology: str) -> None:
        """Re-prompt after invalid or no input, or give up after ``max_retries``."""
        self._retries += 1
        max_retries = (self.ivr.timeouts.max_retries if node.max_retries is None
                       else node.max_retries)
        if self._retries > max_retries:
            self._enter(node.on_failure if isinstance(node, MenuNode) else node.on_invalid)
            return
        self._say(apology)
        self._say(node.prompt)
        if isinstance(node, CollectNode):
            self._start_collect(node)
        else:
            self._deadline_s = self.now_s + self.ivr.timeouts.no_input_s

    def _menu_key(self, node: MenuNode, key: str) -> None:
        if not node.accepts_keys:
            self._retry(node, node.invalid_prompt)
        elif key == node.repeat_key:
            self._say(node.prompt)
            self._deadline_s = self.now_s + self.ivr.timeouts.no_input_s
        elif key in node.options:
            self._enter(node.options[key].next)
        else:
            self._retry(node, node.invalid_prompt)

    def _menu_speech(self, node: MenuNode, text: str) -> None:
        if (key := spoken_option(node, text.lower())) is not None:
            self._enter(node.options[key].next)
            return
        keys = spoken_to_keys(text)
        if len(keys) == 1 and node.accepts_keys:  # "one" / "press two" select like the key
            self._menu_key(node, keys)
        else:
            self._retry(node, node.invalid_prompt)

    def _start_collect(self, node: CollectNode) -> None:
        self._collect_seq += 1
        if self.external_collection:
            return
        timeouts = self.ivr.timeouts
        self._collector = DigitCollector(
            min_digits=node.min_digits,
            max_digits=node.max_digits,
            terminator=node.terminator,
            inter_digit_timeout_s=timeouts.inter_digit_s,
            first_digit_timeout_s=timeouts.no_input_s,
            started_at_s=self.now_s,
        )

    def _collect_done(self, node: CollectNode, entry: DigitsEntry | None) -> None:
        if entry is None:
            return
        reason = entry.reason or self._check(node, entry.digits)
        shown = MASK if node.secret and entry.digits else entry.digits
        self._emit(InputCollected(at_s=self.now_s, node=self._node_id, name=node.store_as,
                                  digits=shown, valid=not reason, reason=reason))
        if reason:
            self._retry(node, "" if reason == "no input" else node.invalid_prompt)
        else:
            self._entries[node.store_as] = entry.digits
            self._enter(node.next)
        if entry.ended_by == "max_digits" and node.terminator is not None:
            # the caller typed "12345678#" in one go: the # barges into the next prompt;
            # it is ignored until inter_digit_s after that prompt ends
            self._late_terminator = (node.terminator,
                                     self.now_s + self.ivr.timeouts.inter_digit_s)

    def _check(self, node: CollectNode, digits: str) -> str:
        """Why the entry fails the node's check against ``data`` ('' when it passes); a
        passing lookup binds its record."""
        check = node.check
        if isinstance(check, Lookup):
            table = self.ivr.tables().get(check.lookup, {})
            for key, record in table.items():
                value = key if check.field is None else record.get(check.field, "")
                if _digits(value) == digits:
                    self._records[check.bind] = record
                    return ""
            return f"unknown {check.bind}"
        if isinstance(check, Matches):
            name, _, path = check.matches.partition(".")
            if name not in self._records:
                return f"no {name} identified before this entry"
            try:
                expected = lookup(self._records[name], path)
            except TemplateError:
                return f"{name} has no {path}"
            if _digits(expected) != digits:
                return f"wrong {path.replace('_', ' ')}"
        return ""

    def _human_reply(self, node: HumanNode, text: str) -> None:
        self._retries = 0
        spoken = text.lower()
        reply = next((a.reply for a in node.answers
                      if any(says_keyword(spoken, word) for word in a.keywords)), None)
        if reply is None and _GOODBYE.search(text):
            self._say(node.closing, "human")
            self._end(HungUp(at_s=self.now_s, by="ivr", reason="representative ended the call"))
            return
        self._say(reply or node.fallback, "human")
        # the silence timer starts when the representative stops talking
        self._deadline_s = self.now_s + self.ivr.timeouts.no_input_s
