"""A virtual-time event loop: simulated calls on the real call loop, at no wall-time cost.

The in-process harness runs the very code the LiveKit worker runs (the supervisor, the
navigator's ``AgentSession``, the key tools' 0.3 s pacing, the mock IVR's timers), all of
which wait with ``asyncio.sleep`` and timeouts. On :class:`VirtualTimeLoop` the loop's
clock jumps straight to the next timer whenever nothing is ready to run, so a 60-second
hold or a 5-second no-input timer costs no wall time, and a call's timing is the same on
every run. Nothing in LiveKit is patched: only the loop's clock is virtual.

Real I/O still works. While the loop has anything outside itself to wait for (a socket
other than its own wake-up pipe, e.g. a real LLM's HTTP connection, or a job in an
executor thread), it waits for real, and its clock advances by the real time waited: the
far end then experiences that latency as a real IVR would.
"""

from __future__ import annotations

import asyncio
import selectors
import time
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

_TIE_BREAK_S = 1e-9
"""Timers due at the same instant fire in the order they were scheduled (each is nudged
this much later than the one before), as they would on wall time."""


class _VirtualClock:
    def __init__(self) -> None:
        self.now = 0.0


class _JumpingSelector(selectors.BaseSelector):
    """A selector that, instead of sleeping until the next timer, advances the virtual
    clock to it, unless something outside the loop may wake it first."""

    def __init__(self, clock: _VirtualClock) -> None:
        self._clock = clock
        self._real = selectors.DefaultSelector()
        self.own_fds: set[int] = set()  # the loop's wake-up pipe, registered at start
        self.busy: Callable[[], bool] = lambda: False

    def register(self, fileobj: Any, events: int, data: Any = None) -> selectors.SelectorKey:
        return self._real.register(fileobj, events, data)

    def unregister(self, fileobj: Any) -> selectors.SelectorKey:
        return self._real.unregister(fileobj)

    def modify(self, fileobj: Any, events: int, data: Any = None) -> selectors.SelectorKey:
        return self._real.modify(fileobj, events, data)

    def get_map(self) -> Any:
        return self._real.get_map()

    def close(self) -> None:
        self._real.close()

    def _waits_on_outside(self) -> bool:
        return self.busy() or any(fd not in self.own_fds for fd in self._real.get_map())

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        ready = self._real.select(0)
        if ready or timeout == 0:
            return ready
        if timeout is None or self._waits_on_outside():
            started = time.monotonic()
            ready = self._real.select(timeout)
            self._clock.now += time.monotonic() - started
            return ready
        self._clock.now += timeout  # nothing can happen before the next timer: jump there
        return []


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    """A ``SelectorEventLoop`` whose ``time()`` is virtual (see the module docstring)."""

    def __init__(self) -> None:
        self._virtual = _VirtualClock()
        selector = _JumpingSelector(self._virtual)
        super().__init__(selector=selector)
        selector.own_fds = set(selector.get_map())
        selector.busy = lambda: self._executor_jobs > 0
        self._executor_jobs = 0
        self._timers_scheduled = 0

    def time(self) -> float:
        return self._virtual.now

    def call_at(self, when: float, callback: Callable[..., Any], *args: Any,
                context: Any = None) -> asyncio.TimerHandle:
        self._timers_scheduled += 1
        return super().call_at(when + self._timers_scheduled * _TIE_BREAK_S, callback, *args,
                               context=context)

    def run_in_executor(self, executor: Any, func: Callable[..., T], *args: Any
                        ) -> asyncio.Future[T]:
        # a thread's result arrives through the wake-up pipe: wait for it for real
        self._executor_jobs += 1
        future = super().run_in_executor(executor, func, *args)

        def done(_: asyncio.Future[T]) -> None:
            self._executor_jobs -= 1

        future.add_done_callback(done)
        return future


def run_virtual(main: Coroutine[Any, Any, T]) -> T:
    """Run ``main`` to completion on a new :class:`VirtualTimeLoop` (like ``asyncio.run``)."""
    with asyncio.Runner(loop_factory=VirtualTimeLoop) as runner:
        return runner.run(main)
