"""The embedded brain: a deterministic IVR-navigation policy.

Given the call so far (what the far end said, what the navigator pressed and said), it
decides the next move: press an option's key, enter a fact, say something, stay quiet,
or record the result. How it decides:

1. A prompt that states a figure (amount, date, points, digit string) in sentences that
   share enough words with the goal answers the goal: record ``completed``.
2. Hold music and announcements: stay quiet.
3. A person answering: state the goal (or, when the goal is to reach a person, record
   ``transferred_to_human``); record the answer once it is heard.
4. A request to enter something ("enter or say your 8-digit customer ID followed by the
   pound key"): find the fact it names, press its digits and the terminator (secrets go
   through the ``enter_secret`` tool, so their value never enters the context). After a
   rejection ("the PIN you entered is incorrect") the next candidate value is tried.
5. A menu: score each option's label against the goal (stems, folded phrases, a table of
   related words, see ``prompts/ivr_vocabulary.yaml``) and press the best option's key,
   or say it when keys are not offered. With no match: try an unexplored "other
   services" option, then go back to the main menu; never press the same key twice at
   the same menu. When nothing is left: record ``failed`` with the options offered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from ..scenario.scenario_model import CallTask
from .prompt_reading import (
    EntryRequest,
    MenuChoice,
    PromptReading,
    figures,
    informative_sentences,
    read_prompt,
    stem,
    terms,
    vocabulary,
)

MAX_SAME_PROMPT = 3
"""Hearing the identical prompt this many times before means the call is looping."""
MAX_BACKTRACKS = 3


@dataclass
class Turn:
    """One thing the far end said and what the navigator did in reply."""

    heard: str
    keys: str = ""
    secrets: list[str] = field(default_factory=list)
    said: str = ""
    recorded: bool = False


@dataclass(frozen=True)
class ToolCall:
    name: str
    arguments: dict[str, Any]


@dataclass
class Decision:
    """The navigator's next move: words to say and tool calls, plus why (for logs)."""

    say: str = ""
    calls: list[ToolCall] = field(default_factory=list)
    why: str = ""


@cache
def _related() -> dict[str, set[str]]:
    related: dict[str, set[str]] = {}
    for word, others in vocabulary().related.items():
        related.setdefault(stem(word), set()).update(stem(o) for o in others)
    return related


def _match(goal_term: str, label_term: str) -> float:
    if goal_term == label_term:
        return 1.0
    related = _related()
    if label_term in related.get(goal_term, ()) or goal_term in related.get(label_term, ()):
        return 0.6
    return 0.0


def relevance(goal_terms: list[str], text: str, *, weigh_precision: bool = True) -> float:
    """How well ``text`` (an option label or a sentence) fits the goal; 0 means unrelated.

    Recall of the goal's terms (1 per exact term, 0.6 per related one). For option labels
    (``weigh_precision``) it is weighted by how much of the label the goal explains, so
    "auto loan" loses to "mortgage" for a home-loan goal; a sentence that answers the goal
    may say much more than the goal, so it is scored on recall alone.
    """
    label_terms = set(terms(text))
    goal = set(goal_terms)
    if not label_terms or not goal:
        return 0.0
    recall = sum(max(_match(g, t) for t in label_terms) for g in goal)
    if not weigh_precision:
        return recall
    precision = sum(max(_match(g, t) for g in goal) for t in label_terms) / len(label_terms)
    return recall * (0.5 + 0.5 * precision)


def _is_kind(choice: MenuChoice, words: list[str]) -> bool:
    label = set(terms(choice.label)) | set(choice.label.split())
    return any(stem(w) in label or w in label for w in words)


class IvrPolicy:
    """Decides the navigator's moves for one call (see the module docstring).

    Args:
        task: the goal, facts and secret names of the call.
    """

    def __init__(self, task: CallTask) -> None:
        self.task = task
        self.goal_terms = terms(task.goal)
        self.wants_human = any(stem(w) in self.goal_terms for w in vocabulary().wants_human)

    # --- entry point --------------------------------------------------------------------

    def decide(self, turns: list[Turn]) -> Decision:
        """The move after the last turn; an empty decision when nothing new was heard."""
        if not turns or turns[-1].keys or turns[-1].said or turns[-1].secrets:
            return Decision(why="nothing new heard")
        if any(t.recorded for t in turns):
            return Decision(why="result already recorded")
        current, past = turns[-1], turns[:-1]
        reading = read_prompt(current.heard)

        if sum(t.heard == current.heard for t in past) >= MAX_SAME_PROMPT:
            return self.record("failed", "", reason=(
                f"The IVR repeated the same prompt {MAX_SAME_PROMPT + 1} times without progress."))
        talking_to_person = reading.is_human or any(read_prompt(t.heard).is_human for t in past)
        if talking_to_person:
            return self._talk_to_person(current, past, first=not any(t.said for t in past))
        answer = self._answer_in(current.heard)
        if answer is not None and reading.entry is None:
            return answer
        if reading.entry is not None:
            return self._enter(reading.entry, past)
        if reading.choices:
            return self._choose(reading, past)
        if reading.is_hold:
            return Decision(why="on hold: staying quiet")
        return Decision(why="nothing to act on: listening")

    # --- the goal's answer --------------------------------------------------------------

    def _answer_in(self, text: str, *, min_share: float = 0.5) -> Decision | None:
        needed = min(2.0, min_share * len(self.goal_terms))
        scored = [(relevance(self.goal_terms, s, weigh_precision=False), s)
                  for s in informative_sentences(text)]
        best = max((score for score, _ in scored), default=0.0)
        if best < needed:
            return None
        # every sentence close to the best: "balance of $X. A minimum payment of $Y is due..."
        found = [s for score, s in scored if score >= max(needed, best - 1.0)]
        facts = []
        for sentence in found:
            for i, figure in enumerate(figures(sentence)):
                facts.append({"name": _figure_name(sentence, figure, i), "value": figure})
        return self.record("completed", " ".join(found), facts=facts)

    def record(self, outcome: str, answer: str, *, reason: str = "",
               facts: list[dict[str, str]] | None = None, say: str = "") -> Decision:
        """A decision that calls ``record_result`` (ending the call), optionally saying
        ``say`` first; ``answer`` defaults to ``reason`` for a failure."""
        arguments: dict[str, Any] = {"outcome": outcome, "answer": answer or reason,
                                     "facts": facts or [], "reason": reason}
        return Decision(say=say, calls=[ToolCall("record_result", arguments)],
                        why=f"record {outcome}: {answer or reason}")

    # --- a person on the line -----------------------------------------------------------

    def _talk_to_person(self, current: Turn, past: list[Turn], *, first: bool) -> Decision:
        name = self.task.candidates("name")
        on_behalf = f"on behalf of {name[0]}" if name else "on behalf of a customer"
        if first and self.wants_human:
            return self.record(
                "transferred_to_human",
                f"A live representative answered: {current.heard}",
                say=(f"Hello, I'm an automated assistant calling {on_behalf}. "
                     f"{self.task.goal} I'll connect them with you now."),
            )
        if first:
            return Decision(say=f"Hello, I'm an automated assistant calling {on_behalf}. "
                                f"{self.task.goal}", why="stating the goal to a person")
        answer = self._answer_in(current.heard, min_share=0.25)
        if answer is not None:
            answer.say = "Thank you, that's everything I needed. Goodbye."
            return answer
        return self.record("failed", "", say="Thank you for your time. Goodbye.",
                           reason=f"The representative could not help: {current.heard}")

    # --- entering facts -----------------------------------------------------------------

    def _fact_for(self, entry: EntryRequest) -> str | None:
        wanted = set(terms(entry.field))
        best, best_score = None, 0
        for name in self.task.facts:
            score = len(wanted & (set(terms(name.replace("_", " "))) | {name}))
            if score > best_score:
                best, best_score = name, score
        return best

    def _enter(self, entry: EntryRequest, past: list[Turn]) -> Decision:
        fact = self._fact_for(entry)
        if fact is None:
            return self.record("failed", "", reason=(
                f"The IVR asked for the {entry.field}, which the call request does not provide."))
        attempt = sum(
            1 for t in past
            if (e := read_prompt(t.heard).entry) is not None and self._fact_for(e) == fact
            and (t.keys or t.secrets or t.said)
        )
        candidates = self.task.candidates(fact)
        if attempt >= len(candidates):
            return self.record("failed", "", reason=(
                f"The IVR rejected the {fact.replace('_', ' ')}: "
                f"{len(candidates)} value(s) tried."))
        terminator = entry.terminator if entry.keys_accepted else None
        if fact in self.task.secrets:
            # always as keys: a secret is never spoken (speech would put it in transcripts)
            arguments = {"name": fact, "candidate": attempt, "terminator": terminator or ""}
            return Decision(calls=[ToolCall("enter_secret", arguments)],
                            why=f"entering secret {fact} (candidate {attempt})")
        value = candidates[attempt]
        if not entry.keys_accepted:
            return Decision(say=value, why=f"saying {fact}")
        keys = re.sub(r"[^0-9*#A-D]", "", value.upper()) + (terminator or "")
        return Decision(calls=[ToolCall("send_dtmf_events", {"events": list(keys)})],
                        why=f"entering {fact}")

    # --- menus --------------------------------------------------------------------------

    def _choose(self, reading: PromptReading, past: list[Turn]) -> Decision:
        signature = {(c.key, c.label) for c in reading.choices}
        tried = {
            t.keys or t.said for t in past
            if {(c.key, c.label) for c in read_prompt(t.heard).choices} == signature
        }
        open_choices = [c for c in reading.choices if (c.key or c.say) not in tried]
        vocab = vocabulary()

        languages = [c for c in open_choices if _is_kind(c, vocab.languages)]
        if languages:
            wanted = (self.task.candidates("language") or ["english"])[0].lower()
            for choice in languages:
                if wanted in choice.label:
                    return self._pick(choice, f"language {wanted}")

        goal_choices = [c for c in open_choices if not _is_kind(c, vocab.navigation)]
        scored = sorted(((relevance(self.goal_terms, c.label), i, c)
                         for i, c in enumerate(goal_choices)), key=lambda x: (-x[0], x[1]))
        if scored and scored[0][0] > 0:
            score, _, best = scored[0]
            return self._pick(best, f"best match for the goal ({score:.2f})")
        for kind, why in ((vocab.affirmative, "confirming"), (vocab.explore, "exploring")):
            for choice in goal_choices:
                if _is_kind(choice, kind):
                    return self._pick(choice, why)
        backtracks = sum(1 for t in past for c in read_prompt(t.heard).choices
                         if _is_kind(c, ["main_menu", "back", "previous"]) and c.key
                         and t.keys == c.key)
        if backtracks < MAX_BACKTRACKS:
            for choice in open_choices:
                if _is_kind(choice, ["main_menu", "back", "previous"]):
                    return self._pick(choice, "no match here: going back")
        offered = ", ".join(c.label for c in reading.choices)
        return self.record("failed", "", reason=(
            f"None of the options offered ({offered}) serves the goal."))

    def _pick(self, choice: MenuChoice, why: str) -> Decision:
        if choice.key is not None:
            return Decision(calls=[ToolCall("send_dtmf_events", {"events": [choice.key]})],
                            why=f"pressing {choice.key} for {choice.label!r}: {why}")
        return Decision(say=choice.say or choice.label, why=f"saying {choice.label!r}: {why}")


def _figure_name(sentence: str, figure: str, index: int) -> str:
    """A snake_case name for a figure from the words before it in its clause
    ("a minimum payment of $35.00" -> "minimum_payment"), else the sentence's subject."""
    if "point" in figure.lower():
        return "points"
    clause = sentence[: sentence.find(figure)].rsplit(",", 1)[-1]
    words = [t for t in terms(clause) if t.isalpha()]
    if not words:
        words = [t for t in terms(sentence.split(",")[0]) if t.isalpha()]
    return "_".join(words[-4:]) if words else f"figure_{index + 1}"
