"""A party's station engine: joins a session through the hub and holds its media mesh.

The station speaks the signaling protocol of ``session.messages`` over one WebSocket. It offers
to every party already present (and to the hub's recorder); later arrivals offer to it. What
happens is reported to a :class:`StationListener` — the desktop window, the demo script or a
test — and steps of the session are asked for with :meth:`Station.request_step`.

What is not media — the page on screen, a raised hand, pen strokes and the signature — goes
over the session's data channel on the connection to the hub, which passes it on.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import ssl
from collections.abc import Callable
from typing import Any, Protocol

import aiohttp
from aiortc import RTCDataChannel
from aiortc.mediastreams import MediaStreamTrack
from av.frame import Frame

from session import messages as m
from session.machine import shut_out
from session.rtc.mesh import MediaMesh
from session.rtc.network import DIRECT, MediaRoute
from session.station.clocksync import StationClock
from session.tls import check_hub_url

log = logging.getLogger(__name__)


#: Pauses before joining again after losing the hub; the last one repeats.
RECONNECT_DELAYS = (0.1, 0.25, 0.5, 1.0)
#: Seconds between WebSocket pings, so a silent, dead connection is noticed; a pong later than
#: half of it ends the connection, so a busy station or hub must not be taken for a dead one.
HEARTBEAT = 5.0


class StationListener(Protocol):
    """What a station reports; every method is called on the station's event loop.

    A listener may leave out the data channel's methods (``page_shown``, ``hand_raised``,
    ``stroke_drawn``) if it shows none of that.
    """

    def state_changed(self, update: m.StateUpdate) -> None:
        """The session moved to a new state."""

    def refused(self, refusal: m.Refused) -> None:
        """The hub refused something this station asked for."""

    def peer_changed(self, role: str, present: bool) -> None:
        """Another party joined or left."""

    def frame(self, role: str, kind: str, frame: Frame) -> None:
        """A decoded frame arrived from another party."""

    def page_shown(self, shown: m.ShowPage) -> None:
        """Another party has this page of a document on screen."""

    def hand_raised(self, hand: m.RaiseHand) -> None:
        """Another party raised or lowered a hand."""

    def stroke_drawn(self, stroke: m.Stroke) -> None:
        """Another party drew a stroke of a signature."""


class StationError(Exception):
    """The station could not join or lost the hub."""


class Station:
    """One party's connection to a session."""

    def __init__(
        self,
        hub_url: str,
        session_id: str,
        role: str,
        token: str,
        tracks: list[MediaStreamTrack],
        listener: StationListener | None = None,
        clock: StationClock | None = None,
        tls: ssl.SSLContext | None = None,
        route: MediaRoute = DIRECT,
    ) -> None:
        self.hub_url = check_hub_url(hub_url).rstrip("/")  # no plain HTTP off this machine
        self.session_id = session_id
        self.role = role
        self._token = token
        self._tls = tls
        self.state = "unknown"
        self.present: set[str] = set()
        self._listener = listener
        self.clock = clock or StationClock()
        self._mesh = MediaMesh(
            role, tracks, self._send_signal, self._frame, self._send_origin, self.clock.now,
            channel_peer=m.RECORDER, on_channel=self._channel_opened, latest_only=True,
            route=route,
        )  # fmt: skip
        self._channel: RTCDataChannel | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._state_seen = asyncio.Condition()
        self._leaving = False
        self._joined = False
        self._last_refusal = ""
        self._offers_due: list[str] = []

    @property
    def mesh(self) -> MediaMesh:
        """The station's peer connections."""
        return self._mesh

    async def run(self) -> None:
        """Join the session and take part until it is closed or :meth:`leave` is called.

        A lost connection to the hub is not the end: the station joins again (and makes new
        peer connections) until the session is over. A join the hub refuses ends the run with
        :class:`StationError`.
        """
        url = f"{self.hub_url}/ws/sessions/{self.session_id}"
        delays = itertools.chain(RECONNECT_DELAYS, itertools.repeat(RECONNECT_DELAYS[-1]))
        self._leaving, joined_once = False, False
        async with aiohttp.ClientSession() as http:
            try:
                while True:
                    try:
                        ws = await http.ws_connect(
                            url, max_msg_size=m.MAX_MESSAGE_BYTES, ssl=self._tls or True,
                            heartbeat=HEARTBEAT,
                        )  # fmt: skip
                    except aiohttp.ClientError as exc:
                        if not joined_once:
                            raise StationError(
                                f"cannot reach the hub at {self.hub_url}: {exc}"
                            ) from exc
                        log.warning("the hub is out of reach (%s); trying again", exc)
                        await asyncio.sleep(next(delays))
                        continue
                    self._joined = False
                    await self._connected(ws)
                    if not self._joined:
                        raise StationError(f"the hub refused to let the {self.role} join: "
                                           f"{self._last_refusal}")  # fmt: skip
                    joined_once = True
                    if self._leaving or self.state == "closed":
                        return
                    log.warning("lost the connection to the hub; joining again")
                    await self._mesh.drop_all()
                    self._notify("peer_changed", "hub", False)
                    await asyncio.sleep(next(delays))
            finally:
                await self._mesh.close()

    async def _connected(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        """One connection's life: join, then handle what the hub sends until it ends."""
        self._ws = ws
        try:
            async with ws, asyncio.TaskGroup() as group:
                await ws.send_str(m.Join(self.role, self._token).to_json())
                pings = group.create_task(self._keep_clock())
                async for raw in ws:
                    if raw.type is not aiohttp.WSMsgType.TEXT:
                        break
                    await self._handle(m.parse(raw.data))
                pings.cancel()
        finally:
            self._ws = None

    async def request_step(self, step: str, reason: str = "") -> None:
        """Ask the hub for the next step; a refusal arrives at the listener."""
        await self._send(m.RequestStep(step, reason))

    async def load_agreement(self, pdf: bytes) -> str:
        """Load the agreement's PDF at the hub (the prosecutor does, before presenting it);
        return its SHA-256, which signatures on it carry."""
        async with self._http() as http, http.put(self._agreement_url, data=pdf) as response:
            if response.status != 200:
                raise StationError(f"the hub did not take the agreement: {await response.text()}")
            return str((await response.json())["sha256"])

    async def fetch_agreement(self) -> bytes:
        """The agreement's PDF exactly as the hub holds it: what this party is shown and signs."""
        async with self._http() as http, http.get(self._agreement_url) as response:
            if response.status != 200:
                raise StationError(f"cannot show the agreement: {await response.text()}")
            return await response.read()

    def submit_signature(self, signature: dict[str, Any]) -> None:
        """Send a handwritten signature (``documents.signature`` wire format); the hub's
        answer is the state moving on, or a refusal at the listener."""
        self._share(m.SubmitSignature(signature))

    def show_page(self, document_sha256: str, page: int) -> None:
        """Tell the others which page of which document is on this station's screen."""
        self._share(m.ShowPage(document_sha256, page))

    def raise_hand(self, raised: bool = True) -> None:
        """Raise (or lower) this party's hand."""
        self._share(m.RaiseHand(raised))

    def draw_stroke(self, width: int, height: int, points: list[list[float]]) -> None:
        """Share one stroke of a signature being written, for the witness to see."""
        self._share(m.Stroke(width, height, points))

    @property
    def sharing(self) -> bool:
        """Whether the data channel to the hub is open (it comes with the media connection)."""
        return self._channel is not None and self._channel.readyState == "open"

    async def wait_for_state(self, predicate: Callable[[str], bool], timeout: float) -> str:
        """Wait until the session's state satisfies ``predicate``; return that state."""
        async with self._state_seen:
            await asyncio.wait_for(
                self._state_seen.wait_for(lambda: predicate(self.state)), timeout
            )
            return self.state

    async def leave(self) -> None:
        """Leave the session: close the signaling connection; media stops."""
        self._leaving = True
        if self._ws is not None:
            await self._ws.close()

    async def _handle(self, message: m.Message) -> None:
        match message:
            case m.Welcome(state=state, present=present):
                self._joined = True
                self.present = set(present)
                await self._set_state(state)
                # Media waits for the session clock: capture times are stamped on it.
                self._offers_due = [*present, m.RECORDER]
                if self.clock.estimator.synchronized:
                    await self._make_offers()
            case m.Signal(peer=peer, kind=kind, sdp=sdp):
                await self._mesh.handle_signal(peer, kind, sdp)
            case m.ClockPong(t0=t0, t1=t1, t2=t2):
                self.clock.estimator.add(t0, t1, t2, self.clock.local())
                await self._make_offers()
            case m.MediaOrigin(peer=peer, kind=kind, capture_time=captured, media_time=media):
                self._mesh.set_origin(peer, kind, captured, media)
            case m.PeerJoined(role=role):
                self.present.add(role)
                self._notify("peer_changed", role, True)
            case m.PeerLeft(role=role):
                self.present.discard(role)
                await self._mesh.drop(role)
                self._notify("peer_changed", role, False)
            case m.StateUpdate():
                others = (m.ROLES | {m.RECORDER}) - {self.role}
                self._mesh.exclude(shut_out(self.role, message.state, others))
                await self._set_state(message.state)
                self._notify("state_changed", message)
            case m.Refused():
                self._last_refusal = message.message
                log.warning("hub refused: %s", message.message)
                self._notify("refused", message)

    async def _make_offers(self) -> None:
        due, self._offers_due = self._offers_due, []
        for peer in due:
            await self._mesh.offer(peer)

    async def _set_state(self, state: str) -> None:
        async with self._state_seen:
            self.state = state
            self._state_seen.notify_all()

    async def _send(self, message: m.Message) -> None:
        if self._ws is None or self._ws.closed:
            raise StationError("not connected to the hub")
        await self._ws.send_str(message.to_json())

    @property
    def _agreement_url(self) -> str:
        return f"{self.hub_url}/api/sessions/{self.session_id}/agreement"

    def _http(self) -> aiohttp.ClientSession:
        connector = aiohttp.TCPConnector(ssl=self._tls or True)
        headers = {"Authorization": f"Bearer {self._token}"}
        return aiohttp.ClientSession(connector=connector, headers=headers)

    def _share(self, message: m.Message) -> None:
        if self._channel is None or not self.sharing:
            raise StationError("not connected to the hub's recorder yet: try again in a moment")
        text = message.to_json()
        if len(text.encode()) > m.MAX_CHANNEL_BYTES:
            raise StationError(f"the {message.type} is too large to send; clear it and try again")
        self._channel.send(text)

    def _channel_opened(self, peer: str, channel: RTCDataChannel) -> None:
        self._channel = channel
        channel.on("message", self._from_channel)

    def _from_channel(self, data: str | bytes) -> None:
        try:
            message = m.parse(data, m.MAX_CHANNEL_BYTES)
        except m.MessageError as exc:
            log.warning("bad message on the data channel: %s", exc)
            return
        match message:
            case m.ShowPage():
                self._notify("page_shown", message)
            case m.RaiseHand():
                self._notify("hand_raised", message)
            case m.Stroke():
                self._notify("stroke_drawn", message)

    async def _send_signal(self, peer: str, kind: str, sdp: str) -> None:
        await self._send(m.Signal(peer, kind, sdp))

    async def _send_origin(
        self, peer: str, kind: str, media_time: float, capture_time: float
    ) -> None:
        # A line that broke meanwhile is no loss: new connections report their origins anew.
        with contextlib.suppress(StationError):
            await self._send(m.MediaOrigin(peer, kind, capture_time, media_time))

    async def _keep_clock(self) -> None:
        """Ping the hub's clock: a burst at joining, then every few seconds for drift, until
        the connection closes (a station leaving closes it before this task is cancelled)."""
        for pause in itertools.chain(itertools.repeat(0.05, 5), itertools.repeat(2.0)):
            try:
                await self._send(m.ClockPing(self.clock.local()))
            except StationError:
                return
            await asyncio.sleep(pause)

    def _frame(self, role: str, kind: str, frame: Frame, captured: float | None) -> None:
        self._notify("frame", role, kind, frame)

    def _notify(self, event: str, *args: Any) -> None:
        handler = getattr(self._listener, event, None)
        if handler is not None:
            handler(*args)
