"""The core of a call, free of any transport and of the scenario format: the task, the
outcomes, the one event vocabulary, and the result built from an event log."""

from .events import CALL_EVENTS, CallEvent, FoundFact
from .masking import Masker
from .result import CallResult
from .task import CallTask, FactValue, Outcome

__all__ = [
    "CALL_EVENTS",
    "CallEvent",
    "CallResult",
    "CallTask",
    "FactValue",
    "FoundFact",
    "Masker",
    "Outcome",
]
