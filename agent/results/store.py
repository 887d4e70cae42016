"""The call store: the ledger of every call request, the final results, and the webhook
outbox, in one database (SQLAlchemy Core) so that a call is never lost.

A call moves through the ledger as ``requested`` (recorded, waiting for capacity) ->
``dispatched`` (a LiveKit dispatch created in ``room``) -> ``running`` (a worker claimed it
and renews its lease) -> ``finished`` (exactly one final result stored, and its webhook
delivery queued in the same transaction). Every transition is a compare-and-set on the
row's state and attempt number, so workers on several machines sharing one PostgreSQL
database never both act on a call. A stored result is never overwritten.

``RESULTS_DB`` is a SQLite file path (the embedded default) or a ``postgresql://`` URL
(driven by psycopg 3).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    func,
    insert,
    make_url,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from ..call.result import CallResult
from ..call_request import CallRequest

CallState = Literal["requested", "dispatched", "running", "finished"]

BUSY_TIMEOUT_S = 10.0
"""How long a SQLite write waits for another process's write (SQLite busy timeout)."""

_metadata = MetaData()

calls = Table(
    "calls", _metadata,
    Column("call_id", String(64), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("request_json", Text, nullable=False),
    # tests and demos: the dispatch metadata of the mock IVR dispatched beside it
    Column("mock_ivr", String(200)),
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("room", String(200)),
    Column("worker_id", String(200)),
    Column("lease_until", Float),
    Column("far_end_reached", Boolean, nullable=False, default=False),
    Column("not_before", Float, nullable=False),  # requested: not dispatched before then
    Column("pickup_deadline", Float),  # dispatched: queued again if not claimed by then
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
)

results = Table(
    "call_results", _metadata,
    Column("call_id", String(200), primary_key=True),
    Column("outcome", String(32), nullable=False),
    Column("finished_at", String(40), nullable=False),
    Column("result_json", Text, nullable=False),
)

outbox = Table(
    "webhook_outbox", _metadata,
    Column("call_id", String(200), primary_key=True),
    Column("url", Text, nullable=False),
    Column("state", String(16), nullable=False),  # pending, delivered, expired
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
    Column("last_error", Text),
    Column("delivered_at", Float),
)

workers = Table(
    "workers", _metadata,
    Column("worker_id", String(200), primary_key=True),
    Column("capacity", Integer, nullable=False),
    Column("seen_at", Float, nullable=False),
)


class StoreError(RuntimeError):
    """The store cannot be used (unreachable, corrupt, read-only); the message says which
    and how."""


class CallIdConflict(ValueError):
    """A request reuses a ``call_id`` with different contents."""


@dataclass(frozen=True)
class LedgerEntry:
    """One call in the ledger (times are Unix seconds)."""

    call_id: str
    state: CallState
    attempts: int
    request: CallRequest
    mock_ivr: str | None
    room: str | None
    worker_id: str | None
    lease_until: float | None
    far_end_reached: bool
    not_before: float
    pickup_deadline: float | None
    created_at: float


@dataclass(frozen=True)
class Delivery:
    """A result's webhook delivery waiting in the outbox."""

    call_id: str
    url: str
    attempts: int
    expires_at: float


@dataclass(frozen=True)
class DeliveryState:
    """What the outbox knows of a call's webhook delivery (for ``results``)."""

    state: str
    attempts: int
    last_error: str | None


def request_hash(request: CallRequest) -> str:
    """A digest of a request's contents, to tell a retried request from a different one."""
    canonical = json.dumps(request.model_dump(mode="json"), sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def database_url(results_db: str | Path) -> str:
    """The SQLAlchemy URL of ``RESULTS_DB``: PostgreSQL through psycopg 3, else SQLite."""
    text = str(results_db)
    if text.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + text.split("://", 1)[1]
    if "://" in text:
        return text
    return f"sqlite:///{Path(text).expanduser()}"


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # readers (the CLI, a requester polling) never block a worker's write; SQLite does not
    # wait for the lock that switching to WAL takes, so concurrent first opens retry
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
    for _ in range(100):
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                cursor.execute("PRAGMA journal_mode=WAL")
            break
        except Exception as e:  # sqlite3.OperationalError: database is locked
            if "locked" not in str(e):
                raise
            time.sleep(0.05)
    cursor.close()


class CallStore:
    """The ledger, results and webhook outbox in the database at ``url`` (see the module
    docstring). Methods are synchronous (run them in a thread from async code); each is
    one transaction.

    Raises:
        StoreError: from :meth:`check_writable` and when the database cannot be opened.
    """

    def __init__(self, url: str | Path) -> None:
        self.url = database_url(url)
        self.engine: Engine = _engine(self.url)
        self._ready = False

    def __repr__(self) -> str:
        return f"CallStore({self.engine.url.render_as_string(hide_password=True)})"

    @contextmanager
    def _begin(self) -> Iterator[Connection]:
        if not self._ready:
            self._create_tables()
            self._ready = True
        with self.engine.begin() as db:
            yield db

    def _create_tables(self) -> None:
        for attempt in range(20):
            try:
                _metadata.create_all(self.engine)
                return
            except SQLAlchemyError as e:
                # another process created them between the check and the CREATE
                racing = "already exists" in str(e) or "duplicate key" in str(e)
                if not racing or attempt == 19:
                    raise StoreError(f"the call store {self!r} cannot be opened: "
                                     f"{_first_line(e)}") from e
                time.sleep(0.05)

    def check_writable(self) -> None:
        """Raise :class:`StoreError` unless a row can be written and removed."""
        probe = f"probe-{time.time_ns()}"
        try:
            with self._begin() as db:
                db.execute(insert(workers).values(worker_id=probe, capacity=0, seen_at=0.0))
                db.execute(workers.delete().where(workers.c.worker_id == probe))
        except (SQLAlchemyError, OSError) as e:
            raise StoreError(f"the call store {self!r} is not writable: {_first_line(e)}; "
                             "set RESULTS_DB to a writable SQLite path or a PostgreSQL "
                             "URL") from e

    # --- the ledger --------------------------------------------------------------------

    def record_request(self, request: CallRequest, *, mock_ivr: str | None = None,
                       now: float | None = None) -> tuple[LedgerEntry, bool]:
        """Record ``request`` as ``requested``; returns (the ledger entry, whether it is
        new). The same ``call_id`` with the same request returns the existing call.

        Raises:
            CallIdConflict: the ``call_id`` is taken by a different request.
        """
        now = time.time() if now is None else now
        digest = request_hash(request)
        try:
            with self._begin() as db:
                db.execute(insert(calls).values(
                    call_id=request.call_id, request_hash=digest,
                    request_json=request.model_dump_json(), mock_ivr=mock_ivr,
                    state="requested", attempts=0, far_end_reached=False, not_before=now,
                    created_at=now, updated_at=now))
            created = True
        except IntegrityError:
            created = False
        entry = self.call(request.call_id)
        assert entry is not None
        if not created and self._hash_of(request.call_id) != digest:
            raise CallIdConflict(
                f"call_id {request.call_id!r} is already used by a different request; "
                "use a new call_id, or resend the same request to get the same call")
        return entry, created

    def _hash_of(self, call_id: str) -> str | None:
        with self._begin() as db:
            return db.execute(select(calls.c.request_hash)
                              .where(calls.c.call_id == call_id)).scalar()

    def call(self, call_id: str) -> LedgerEntry | None:
        """The ledger entry of ``call_id``, or None."""
        with self._begin() as db:
            row = db.execute(select(calls).where(calls.c.call_id == call_id)).first()
        return _entry(row) if row is not None else None

    def calls_in(self, state: CallState, *, limit: int = 100) -> list[LedgerEntry]:
        """Calls in ``state``, oldest request first."""
        with self._begin() as db:
            rows = db.execute(select(calls).where(calls.c.state == state)
                              .order_by(calls.c.created_at).limit(limit)).all()
        return [_entry(r) for r in rows]

    def in_flight(self) -> int:
        """How many calls are dispatched or running."""
        with self._begin() as db:
            return db.execute(select(func.count()).select_from(calls).where(
                calls.c.state.in_(("dispatched", "running")))).scalar_one()

    def _transition(self, db: Connection, entry: LedgerEntry, **values) -> bool:
        """Compare-and-set: apply ``values`` if the call is still as ``entry`` saw it."""
        done = db.execute(update(calls).where(
            calls.c.call_id == entry.call_id, calls.c.state == entry.state,
            calls.c.attempts == entry.attempts).values(updated_at=time.time(), **values))
        return done.rowcount == 1

    def mark_dispatched(self, entry: LedgerEntry, room: str, pickup_deadline: float) -> bool:
        """``requested`` -> ``dispatched`` in ``room`` (a new attempt); False when another
        process moved the call first."""
        with self._begin() as db:
            return self._transition(db, entry, state="dispatched", attempts=entry.attempts + 1,
                                    room=room, pickup_deadline=pickup_deadline,
                                    worker_id=None, lease_until=None)

    def requeue(self, entry: LedgerEntry, not_before: float) -> bool:
        """Back to ``requested`` (a dispatch no worker took, or a failed dispatch
        request), not to be dispatched before ``not_before``."""
        with self._begin() as db:
            return self._transition(db, entry, state="requested", not_before=not_before,
                                    room=None, pickup_deadline=None, worker_id=None,
                                    lease_until=None)

    def claim(self, call_id: str, room: str, worker_id: str, lease_s: float,
              request: CallRequest) -> Literal["claimed", "finished", "elsewhere"]:
        """A worker's job for ``call_id`` in ``room`` takes the call: ``claimed`` (run it),
        ``finished`` (it already has a result: a duplicate dispatch), or ``elsewhere``
        (another worker holds it, or it was queued again since this dispatch). A call
        dispatched without the ledger is recorded as running here."""
        now = time.time()
        entry = self.call(call_id)
        if entry is None:  # dispatched without the ledger: recorded, then run here
            entry, _ = self.record_request(request, now=now)
            if entry.state == "requested":
                with self._begin() as db:
                    taken = self._transition(db, entry, state="running", attempts=1,
                                             room=room, worker_id=worker_id,
                                             lease_until=now + lease_s)
                return "claimed" if taken else "elsewhere"
        if entry.state == "finished" or self.result(call_id) is not None:
            return "finished"
        if entry.state != "dispatched" or entry.room != room:
            return "elsewhere"
        with self._begin() as db:
            taken = self._transition(db, entry, state="running", worker_id=worker_id,
                                     lease_until=now + lease_s)
        return "claimed" if taken else "elsewhere"

    def renew(self, call_id: str, worker_id: str, lease_s: float) -> bool:
        """Extend ``worker_id``'s lease on a running call; False if it lost the call."""
        with self._begin() as db:
            done = db.execute(update(calls).where(
                calls.c.call_id == call_id, calls.c.state == "running",
                calls.c.worker_id == worker_id).values(
                lease_until=time.time() + lease_s, updated_at=time.time()))
        return done.rowcount == 1

    def mark_far_end_reached(self, call_id: str) -> None:
        """Something was sent to the far end (a dial, or the far end answered): a call
        whose worker dies after this is not run again."""
        with self._begin() as db:
            db.execute(update(calls).where(calls.c.call_id == call_id)
                       .values(far_end_reached=True, updated_at=time.time()))

    # --- results and the outbox -----------------------------------------------------

    def finish(self, result: CallResult, *, webhook_url: str | None = None,
               delivery_expiry_s: float = 86400.0) -> bool:
        """Store ``result`` as the call's final result, mark the call finished and queue
        its webhook delivery, in one transaction. Returns False, changing nothing, when
        the call already has a final result (it is never overwritten)."""
        now = time.time()
        try:
            with self._begin() as db:
                db.execute(insert(results).values(
                    call_id=result.call_id, outcome=result.outcome,
                    finished_at=result.finished_at.isoformat(),
                    result_json=result.model_dump_json()))
                db.execute(update(calls).where(calls.c.call_id == result.call_id).values(
                    state="finished", lease_until=None, updated_at=now))
                if webhook_url:
                    db.execute(insert(outbox).values(
                        call_id=result.call_id, url=webhook_url, state="pending", attempts=0,
                        next_attempt_at=now, expires_at=now + delivery_expiry_s))
        except IntegrityError:
            return False
        return True

    def result(self, call_id: str) -> CallResult | None:
        """The final result of ``call_id``, or None."""
        with self._begin() as db:
            row = db.execute(select(results.c.result_json)
                             .where(results.c.call_id == call_id)).first()
        return CallResult.model_validate_json(row[0]) if row else None

    def results(self, since: datetime | None = None) -> list[CallResult]:
        """Final results finished at or after ``since`` (all when None), oldest first."""
        with self._begin() as db:
            rows = db.execute(select(results.c.result_json)
                              .where(results.c.finished_at >= (since.isoformat() if since
                                                               else ""))
                              .order_by(results.c.finished_at)).all()
        return [CallResult.model_validate_json(r[0]) for r in rows]

    def due_deliveries(self, now: float, hold_s: float, limit: int = 20) -> list[Delivery]:
        """Claim pending deliveries whose time has come: each is held for ``hold_s`` so
        no other worker sends it meanwhile."""
        with self._begin() as db:
            rows = db.execute(select(outbox).where(
                outbox.c.state == "pending", outbox.c.next_attempt_at <= now)
                .order_by(outbox.c.next_attempt_at).limit(limit)).all()
            claimed = []
            for row in rows:
                taken = db.execute(update(outbox).where(
                    outbox.c.call_id == row.call_id, outbox.c.state == "pending",
                    outbox.c.next_attempt_at == row.next_attempt_at).values(
                    next_attempt_at=now + hold_s))
                if taken.rowcount == 1:
                    claimed.append(Delivery(row.call_id, row.url, row.attempts, row.expires_at))
        return claimed

    def delivered(self, call_id: str) -> None:
        """The webhook accepted the result."""
        with self._begin() as db:
            db.execute(update(outbox).where(outbox.c.call_id == call_id).values(
                state="delivered", attempts=outbox.c.attempts + 1, delivered_at=time.time(),
                last_error=None))

    def delivery_failed(self, call_id: str, error: str, retry_at: float | None) -> None:
        """An attempt failed: try again at ``retry_at``, or give up (None: expired)."""
        with self._begin() as db:
            db.execute(update(outbox).where(outbox.c.call_id == call_id).values(
                state="pending" if retry_at is not None else "expired",
                attempts=outbox.c.attempts + 1, last_error=error[:500],
                next_attempt_at=retry_at if retry_at is not None else time.time()))

    def delivery(self, call_id: str) -> DeliveryState | None:
        """The webhook delivery state of ``call_id`` (None: it has no webhook)."""
        with self._begin() as db:
            row = db.execute(select(outbox).where(outbox.c.call_id == call_id)).first()
        return DeliveryState(row.state, row.attempts, row.last_error) if row else None

    # --- workers -----------------------------------------------------------------------

    def heartbeat(self, worker_id: str, capacity: int) -> None:
        """Note that ``worker_id`` is alive and takes ``capacity`` calls at once."""
        now = time.time()
        with self._begin() as db:
            done = db.execute(update(workers).where(workers.c.worker_id == worker_id)
                              .values(capacity=capacity, seen_at=now))
            if done.rowcount == 0:
                db.execute(insert(workers).values(worker_id=worker_id, capacity=capacity,
                                                  seen_at=now))

    def capacity(self, alive_within_s: float) -> int:
        """The total capacity of workers seen in the last ``alive_within_s`` seconds."""
        with self._begin() as db:
            return db.execute(select(func.coalesce(func.sum(workers.c.capacity), 0)).where(
                workers.c.seen_at >= time.time() - alive_within_s)).scalar_one()

    def forget_worker(self, worker_id: str) -> None:
        """A worker that stops takes its capacity with it."""
        with self._begin() as db:
            db.execute(workers.delete().where(workers.c.worker_id == worker_id))


def _engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_S})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _entry(row) -> LedgerEntry:
    return LedgerEntry(
        call_id=row.call_id, state=row.state, attempts=row.attempts,
        request=CallRequest.model_validate_json(row.request_json), mock_ivr=row.mock_ivr,
        room=row.room, worker_id=row.worker_id, lease_until=row.lease_until,
        far_end_reached=bool(row.far_end_reached), not_before=row.not_before,
        pickup_deadline=row.pickup_deadline, created_at=row.created_at)


def _first_line(error: BaseException) -> str:
    text = str(getattr(error, "orig", None) or error)
    return text.strip().splitlines()[0] if text.strip() else type(error).__name__

