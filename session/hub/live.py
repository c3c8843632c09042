"""One session while parties are connected: sockets, state machine, recorder peer, recorder.

The recorder peer also ends every station's data channel: the page each party has on screen
and raised hands are logged and passed on to the others, a signature's strokes are shown to the
others as they are written, and the signature itself is taken here.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import json
import logging
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any

from aiohttp import web
from aiortc import RTCDataChannel, RTCPeerConnection

from documents.signature import Signature, SignatureError
from session import messages as m
from session.clock import HubClock
from session.hub.audit import AuditTrail
from session.hub.feed import Gap, RecorderFactory, RecorderFeed, RecordingDone, SessionRecorder
from session.hub.files import agreement_file, recording_file
from session.hub.store import SessionRecord, Store
from session.machine import (
    CONSULTING_ROLES,
    HUB,
    HUB_STOPPED,
    LIVE_STATES,
    STATE_CAPTIONS,
    SessionMachine,
    State,
    StateChanged,
    Step,
    StepRefused,
)
from session.rtc.mesh import MediaMesh
from session.rtc.network import DIRECT, MediaRoute

log = logging.getLogger(__name__)

InDb = Callable[..., Awaitable[Any]]


class LiveSession:
    """The hub's runtime for one session (see ``session.hub.server``)."""

    def __init__(
        self,
        record: SessionRecord,
        recordings_dir: Path,
        clock: HubClock,
        in_db: InDb,
        store: Store,
        recorders: RecorderFactory,
        record_consultation: bool = False,
        audit: AuditTrail | None = None,
        route: MediaRoute = DIRECT,
    ) -> None:
        self.id = record.id
        self.case_number = record.case_number
        self.machine = SessionMachine(required_roles=record.parties, minor=record.minor)
        self.sockets: dict[str, web.WebSocketResponse] = {}
        self.recording_path: Path | None = None
        self.recording_info: RecordingDone | None = None
        self.recording_error: str | None = None
        #: The agreement's PDF as the prosecutor loaded it: what every signer is shown.
        self.agreement: bytes | None = None
        self._recordings_dir = recordings_dir
        self._clock = clock
        self._in_db = in_db
        self._store = store
        self._record_consultation = record_consultation
        self._audit = audit
        self._recorders = recorders
        self._recorder: SessionRecorder | None = None
        self._feed = RecorderFeed(clock.now, self.machine.required_roles, self._recorder_receiving)
        self._mesh = MediaMesh(
            m.RECORDER, [], self._signal_from_recorder, self._feed,
            on_channel=self._channel_opened, on_compressed=self._feed.compressed, route=route,
        )  # fmt: skip
        self._channels: dict[str, RTCDataChannel] = {}
        self._shared: asyncio.Queue[tuple[str, str | bytes]] = asyncio.Queue()
        self._reading_channels: asyncio.Task[None] | None = None
        self._presented: m.ShowPage | None = None  # the page the prosecutor shows
        self._steps = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def _agreement_path(self) -> Path:
        """Where the agreement loaded is kept, beside the recording."""
        return agreement_file(self._recordings_dir, self.id)

    @property
    def recorder_peers(self) -> dict[str, RTCPeerConnection]:
        """The recorder's peer connections, by party."""
        return self._mesh.peers

    async def log(self, role: str, event: str, details: dict[str, Any] | None = None) -> None:
        """Add an event to the session's audit trail (in order, off the event loop)."""
        if self._audit is not None:
            at = self._clock.now()
            await self._in_db(self._audit.record, self.id, role, role, event, at, details)

    def _store_change(self, change: StateChanged, at: float) -> None:
        """Store a state change and add it to the audit trail: one job on the database thread,
        so a step waits for that thread once."""
        self._store.add_state_change(self.id, change)
        if self._audit is not None:
            details = {"previous": change.previous.value, "state": change.state.value,
                       "step": change.step.value, "reason": change.reason}  # fmt: skip
            self._audit.record(self.id, change.role, change.role, "state", at, details)

    async def restore(
        self, changes: list[dict[str, Any]], signatures: dict[str, dict[str, Any]]
    ) -> None:
        """Take up the session where it was when the hub stopped (``changes`` and
        ``signatures`` as stored; see :meth:`SessionMachine.restart`); what follows is recorded
        in a new file beside the first. The machine is restored before this first waits, so a
        station joining meanwhile finds the session as it was."""
        history = [
            StateChanged(State(c["previous"]), State(c["state"]), Step(c["step"]), c["role"],
                         c["at"], c["reason"])
            for c in changes
        ]  # fmt: skip
        if self._agreement_path.is_file():
            self.agreement = self._agreement_path.read_bytes()
            self.machine.agreement_sha256 = hashlib.sha256(self.agreement).hexdigest()
        self.machine.signatures = set(signatures)
        effects = self.machine.restart(history, self._clock.now())
        await self.log(HUB, "hub_restarted", {"state": history[-1].state.value})
        if self.machine.state not in (State.SCHEDULED, State.CLOSING, State.CLOSED):
            await self._start_recorder()
        await self._apply(effects)

    async def join(self, role: str, ws: web.WebSocketResponse) -> None:
        """A station joined as ``role``."""
        await self.log(role, "joined")
        present = sorted(self.sockets)
        self.sockets[role] = ws
        await send(ws, m.Welcome(self.id, role, self.machine.state.value, present))
        await self._broadcast(m.PeerJoined(role), but=role)
        await self._apply(self.machine.party_joined(role, self._clock.now()))

    async def leave(self, role: str, ws: web.WebSocketResponse) -> None:
        """The station on ``ws`` left or dropped (a connection since replaced is ignored)."""
        if self.sockets.get(role) is not ws:
            return
        del self.sockets[role]
        if self._recorder is not None:
            self._recorder.party_lost(role, "离开会话 / left the session", self._clock.now())
        await self.log(role, "left")
        await self._mesh.drop(role)
        self._feed.forget(role)
        await self._broadcast(m.PeerLeft(role))
        await self._apply(self.machine.party_left(role, self._clock.now()))

    async def relay_signal(self, role: str, signal: m.Signal) -> None:
        """Pass an offer or answer on: to the recorder peer, or to the addressed party."""
        if signal.peer == m.RECORDER:
            await self._mesh.handle_signal(role, signal.kind, signal.sdp)
            return
        target = self.sockets.get(signal.peer)
        if target is None:
            raise StepRefused("peer_absent", f"the {signal.peer} is not connected")
        await send(target, m.Signal(role, signal.kind, signal.sdp))

    async def relay_origin(self, role: str, origin: m.MediaOrigin) -> None:
        """A station says when its first frame to a peer was captured; pass it on."""
        if origin.peer == m.RECORDER:
            self._mesh.set_origin(role, origin.kind, origin.capture_time, origin.media_time)
            return
        target = self.sockets.get(origin.peer)
        if target is not None:
            relayed = m.MediaOrigin(role, origin.kind, origin.capture_time, origin.media_time)
            await send(target, relayed)

    async def request_step(self, role: str, step: str, reason: str) -> None:
        """A party asks for a step of the session."""
        await self._apply(self.machine.request(step, role, self._clock.now(), reason))

    async def take_signature(self, role: str, data: dict[str, Any]) -> None:
        """A handwritten signature arrived from ``role``'s signature pad."""
        try:
            signature = Signature.from_json(data)
        except SignatureError as exc:
            raise StepRefused("bad_signature", str(exc)) from None
        if signature.role != role:
            raise StepRefused("wrong_role", f"the {role} cannot sign for the {signature.role}")
        changes = self.machine.signature_received(
            role, self._clock.now(), signature.document_sha256
        )
        await self._in_db(self._store.add_signature, self.id, role, data, self._clock.wall())
        strokes = json.dumps(data, sort_keys=True, ensure_ascii=False).encode()
        await self.log(role, "signature", {"sha256": hashlib.sha256(strokes).hexdigest()})
        await self._apply(changes)

    async def load_agreement(self, role: str, pdf: bytes) -> str:
        """``role`` loaded the agreement's PDF (only the prosecutor may, before signing): keep
        it beside the recording and return its SHA-256."""
        sha256 = hashlib.sha256(pdf).hexdigest()
        self.machine.agreement_loaded(sha256, role)
        self.agreement = pdf
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, _write_whole, self._agreement_path, pdf)
        await self.log(role, "agreement_loaded", {"sha256": sha256, "bytes": len(pdf)})
        return sha256

    async def refuse(self, role: str, asked: str, refusal: StepRefused) -> None:
        """Tell ``role`` in words why what it asked for (a message ``asked``) was refused."""
        await self.log(role, "refused", {"asked": asked, "code": refusal.code,
                                         "message": refusal.message})  # fmt: skip
        await send(self.sockets.get(role), m.Refused(refusal.code, refusal.message))

    async def shutdown(self) -> None:
        """Hub closing: the session is interrupted (if live), the recording stopped safely,
        media closed. A hub started again takes the session up from there."""
        if self.machine.state in LIVE_STATES - {State.CLOSING}:
            await self._apply(self.machine.request(Step.INTERRUPT, HUB, self._clock.now(),
                                                   HUB_STOPPED))  # fmt: skip
        if self._reading_channels is not None:
            self._reading_channels.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._stop_recorder()
        await self._mesh.close()
        for ws in list(self.sockets.values()):
            await ws.close()

    # -- the data channel -------------------------------------------------------------------

    def _channel_opened(self, role: str, channel: RTCDataChannel) -> None:
        self._channels[role] = channel
        channel.on("message", lambda data: self._shared.put_nowait((role, data)))
        if self._presented is not None and self._presented.role != role:
            channel.send(self._presented.to_json())  # a party joining late sees the page too
        if self._reading_channels is None:
            self._reading_channels = asyncio.get_running_loop().create_task(self._read_channels())

    async def _read_channels(self) -> None:
        """Take what the parties share one message at a time, in the order it arrived."""
        while True:
            role, data = await self._shared.get()
            try:
                message = m.parse(data, m.MAX_CHANNEL_BYTES)
            except m.MessageError as exc:
                await self.refuse(role, "data channel", StepRefused("bad_message", str(exc)))
                continue
            try:
                await self._take_shared(role, message)
            except StepRefused as exc:
                await self.refuse(role, message.type, exc)

    async def _take_shared(self, role: str, message: m.Message) -> None:
        match message:
            case m.SubmitSignature(signature=signature):
                await self.take_signature(role, signature)
            case m.Stroke():
                if self.machine.state is not State.SIGNING:
                    raise StepRefused("not_signing", "strokes are shared only while signing")
                self._pass_on(dataclasses.replace(message, role=role))
            case m.ShowPage(document_sha256=document, page=page):
                await self.log(role, "page_shown", {"document_sha256": document, "page": page})
                shown = dataclasses.replace(message, role=role)
                if role == "prosecutor":
                    self._presented = shown
                self._pass_on(shown)
            case m.RaiseHand(raised=raised):
                await self.log(role, "hand_raised" if raised else "hand_lowered")
                self._pass_on(dataclasses.replace(message, role=role))
            case _:
                raise StepRefused("unexpected", f"a station does not send {message.type} here")

    def _pass_on(self, message: m.Message) -> None:
        text = message.to_json()
        for role, channel in list(self._channels.items()):
            if role != getattr(message, "role", None) and channel.readyState == "open":
                channel.send(text)

    # -- internals --------------------------------------------------------------------------

    async def _apply(self, changes: list[StateChanged]) -> None:
        # One change at a time, in order: stored, broadcast, then acted on.
        async with self._steps:
            pending = list(changes)
            while pending:
                change = pending.pop(0)
                log.info(
                    "session %s: %s -> %s (%s by %s)",
                    self.id,
                    change.previous,
                    change.state,
                    change.step,
                    change.role,
                )
                await self._in_db(self._store_change, change, self._clock.now())
                await self._broadcast(
                    m.StateUpdate(
                        change.state.value,
                        change.previous.value,
                        change.step.value,
                        change.role,
                        self._clock.wall(change.at),
                        change.reason,
                    )
                )
                self._follow_consultation(change.state)
                if change.state is State.ROOM_READY:
                    await self._start_recorder()
                if self._recorder is not None:  # a chapter, and the step in the picture
                    caption = STATE_CAPTIONS[change.state]
                    if change.reason:
                        caption = f"{caption}: {change.reason}"
                    self._recorder.mark_step(caption, change.at)
                if change.state is State.CLOSING:
                    await self._stop_recorder()
                    pending += self.machine.recorder_stopped(self._clock.now())

    def _follow_consultation(self, state: State) -> None:
        """What is said in a private consultation is recorded only if the hub's policy says so;
        the picture always is (the suspect stays visible), and its start and end are state
        changes in the record either way."""
        private = state is State.PRIVATE_CONSULTATION and not self._record_consultation
        self._feed.mute_audio(CONSULTING_ROLES if private else frozenset())

    async def _start_recorder(self) -> None:
        self._recordings_dir.mkdir(parents=True, exist_ok=True)
        self.recording_path = recording_file(self._recordings_dir, self.id)
        self._recorder = self._recorders(
            self.recording_path,
            roles=self.machine.required_roles,
            clock=self._clock.now,
            wall_epoch=self._clock.wall(0.0),
            case_number=self.case_number,
            on_gap=self._gap_from_writer,
            ask_keyframe=self._keyframe_for_writer,
        )
        self._loop = asyncio.get_running_loop()
        self._recorder.start()
        self._feed.attach(self._recorder)
        await self.log("recorder", "recording_started", {"file": self.recording_path.name})

    def _keyframe_for_writer(self, role: str) -> None:
        """A party's own file waits for a key frame (called on the recorder's writer thread)."""
        self._loop.call_soon_threadsafe(self._mesh.ask_keyframe, role)

    def _gap_from_writer(self, gap: Gap) -> None:
        """A party's media stopped or came back (called on the recorder's writer thread)."""
        details = {"party": gap.role, "reason": gap.reason, "start": round(gap.start, 3),
                   "end": None if gap.end is None else round(gap.end, 3)}  # fmt: skip
        self._loop.call_soon_threadsafe(self._own, self.log("recorder", "gap", details))

    def _own(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _stop_recorder(self) -> None:
        recorder, self._recorder = self._recorder, None
        if recorder is None:
            return
        self._feed.detach()
        loop = asyncio.get_running_loop()
        try:
            self.recording_info = await loop.run_in_executor(None, recorder.stop)
        except Exception as exc:
            # What was written stays on disk; the session goes on to close and says why.
            self.recording_error = str(exc)
            log.error("session %s: %s", self.id, exc)
            await self.log("recorder", "recording_failed", {"error": str(exc)})
            return
        log.info("session %s: recording closed: %s", self.id, self.recording_info)
        info = self.recording_info
        await self.log(
            "recorder",
            "recording_closed",
            {"file": info.path.name, "duration_s": info.duration_s, "frames": info.video_frames},
        )

    def _recorder_receiving(self) -> None:
        """The recorder has pictures from every required party: recording has begun."""
        self._own(self._apply(self.machine.recorder_started(self._clock.now())))

    async def _signal_from_recorder(self, peer: str, kind: str, sdp: str) -> None:
        await send(self.sockets.get(peer), m.Signal(m.RECORDER, kind, sdp))

    async def _broadcast(self, message: m.Message, but: str | None = None) -> None:
        for role, ws in list(self.sockets.items()):
            if role != but:
                await send(ws, message)


async def send(ws: web.WebSocketResponse | None, message: m.Message) -> None:
    """Send ``message`` to a station; a connection that is already closing is passed over (its
    station is leaving or joining again), so one broken line never stops the others."""
    if ws is None or ws.closed:
        return
    try:
        await ws.send_str(message.to_json())
    except ConnectionResetError:
        log.info("a station's connection closed while a message was on its way")


def _write_whole(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a reader sees the old file or the new, never part."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(data)
    partial.replace(path)
