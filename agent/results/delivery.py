"""Finishing a call so that its result is never lost: the store first (retried, with a
journal file when the store stays broken), then the navigator participant's attributes.
The webhook is the outbox's job (:mod:`agent.results.outbox`)."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path

from livekit import rtc

from ..call.result import CallResult
from ..settings import Settings
from .store import CallStore

logger = logging.getLogger("ivr_navigator.results")

ATTRIBUTE_PREFIX = "ivr."
"""Participant attributes set at the end of a call: ``ivr.call_id``, ``ivr.outcome``,
``ivr.answer`` and ``ivr.reason`` (masked like the result)."""
STORE_ATTEMPTS = 5
"""Writes of a final result tried before it goes to the journal (1 s apart, doubling)."""


def result_attributes(result: CallResult) -> dict[str, str]:
    """The participant attributes announcing ``result``."""
    return {
        f"{ATTRIBUTE_PREFIX}call_id": result.call_id,
        f"{ATTRIBUTE_PREFIX}outcome": result.outcome,
        f"{ATTRIBUTE_PREFIX}answer": result.answer[:500],
        f"{ATTRIBUTE_PREFIX}reason": result.reason[:500],
    }


async def deliver_result(
    result: CallResult,
    *,
    settings: Settings,
    store: CallStore,
    webhook_url: str | None = None,
    participant: rtc.LocalParticipant | None = None,
    retry_s: float = 1.0,
) -> bool:
    """Store ``result`` as the call's final result with its webhook delivery queued, then
    set it as attributes of ``participant``. A failing store is retried
    :data:`STORE_ATTEMPTS` times; then the result is appended to the journal
    (``RESULTS_JOURNAL``), which the worker imports into the store when it next starts.
    Returns False when the call already had a final result (nothing is changed)."""
    delay = retry_s
    for attempt in range(1, STORE_ATTEMPTS + 1):
        try:
            stored = await asyncio.to_thread(store.finish, result, webhook_url=webhook_url,
                                             delivery_expiry_s=settings.webhook_expiry_s)
            break
        except Exception as e:
            logger.error("call %s: storing the result failed (attempt %d/%d): %s",
                         result.call_id, attempt, STORE_ATTEMPTS, e)
            if attempt == STORE_ATTEMPTS:
                write_journal(settings.results_journal, result, webhook_url)
                logger.error("call %s: result written to the journal %s instead",
                             result.call_id, settings.results_journal)
                stored = True
                break
            await asyncio.sleep(delay)
            delay *= 2
    if not stored:
        logger.warning("call %s already has a final result; this one (%s) is dropped",
                       result.call_id, result.outcome)
        return False
    logger.info("call %s: %s stored", result.call_id, result.outcome)
    if participant is not None:
        try:
            await asyncio.wait_for(participant.set_attributes(result_attributes(result)), 5)
        except Exception as e:  # the room may already be gone (server down, hang-up)
            logger.warning("call %s: could not set result attributes: %s", result.call_id, e)
    return True


def write_journal(path: Path, result: CallResult, webhook_url: str | None) -> None:
    """Append ``result`` (and where it goes) as one JSON line to the journal at ``path``."""
    line = json.dumps({"result": result.model_dump(mode="json"), "webhook_url": webhook_url})
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as journal:
        journal.write(line + "\n")


def import_journal(path: Path, store: CallStore, *, delivery_expiry_s: float) -> int:
    """Move the journal's results into ``store`` (a result the store already has is
    skipped); the journal is renamed ``*.imported``. Returns how many were imported.

    Raises:
        StoreError, SQLAlchemyError: the store cannot take them (the journal is kept).
    """
    if not path.exists():
        return 0
    imported = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        entry = json.loads(line)
        result = CallResult.model_validate(entry["result"])
        imported += store.finish(result, webhook_url=entry.get("webhook_url"),
                                 delivery_expiry_s=delivery_expiry_s)
    path.rename(path.with_suffix(path.suffix + ".imported"))
    return imported
