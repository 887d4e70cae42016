"""A room object for running the navigator in process, with no LiveKit server.

LiveKit's ``send_dtmf_events`` publishes keys through the job room's
``local_participant.publish_dtmf``; :class:`SimulatedRoom` hands them to a callback (the
IVR engine) instead of a server, and can emit ``sip_dtmf_received`` for tasks that
listen for keys the far end sends.
"""

from __future__ import annotations

from collections.abc import Callable

from livekit import rtc

from ..dtmf import rfc4733_event_code


class SimulatedLocalParticipant:
    """Stands in for ``rtc.LocalParticipant``: ``publish_dtmf`` calls ``on_dtmf(digit)``."""

    identity = "ivr-navigator"

    def __init__(self, on_dtmf: Callable[[str], None]) -> None:
        self._on_dtmf = on_dtmf

    async def publish_dtmf(self, *, code: int, digit: str) -> None:
        """Deliver one key. Raises ``ValueError`` when ``code`` is not the RFC 4733 §3.2
        event code of ``digit`` (a real SIP participant would send the wrong tone)."""
        if rfc4733_event_code(digit) != code:
            raise ValueError(f"DTMF code {code} does not match digit {digit!r}")
        self._on_dtmf(digit)


class SimulatedRoom(rtc.Room):
    """An unconnected ``rtc.Room`` whose local participant delivers DTMF to ``on_dtmf``."""

    def __init__(self, name: str, on_dtmf: Callable[[str], None]) -> None:
        super().__init__()
        self._sim_name = name
        self._local_participant = SimulatedLocalParticipant(on_dtmf)  # type: ignore[assignment]

    @property
    def name(self) -> str:
        return self._sim_name

    def receive_dtmf(self, digit: str) -> None:
        """Emit ``sip_dtmf_received`` as if the far end pressed ``digit``."""
        self.emit("sip_dtmf_received", rtc.SipDTMF(code=rfc4733_event_code(digit), digit=digit))
