"""A live call over a bad network on 127.0.0.1: coturn, the impairment relays, and counters of
what each party receives (used by ``test_impairment`` and ``bench/bench_reconnect.py``); and a
scripted session whose parties are station processes of their own (:func:`scripted_session`).

The network is laid out as in a deployment behind firewalls: every peer connection in the
process (stations' and the hub's recorder's) is relayed by a TURN server, and a
:class:`~session.rtc.impairment.UdpRelay` in front of that server is the line all media crosses.
In :func:`impaired_call` the stations reach the hub's signaling port through a
:class:`~session.rtc.impairment.TcpRelay`. Cutting both is a network cut; cutting the UDP relay
alone loses media but not signaling.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
import subprocess
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from aioice import stun
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from av.frame import Frame
from livecall import ROLES, until
from people import PARTS, add_people, environment
from repo import REPO

from desktop.demo.run import scripted_station_command
from recording.media.synthetic import SyntheticAudioTrack, SyntheticVideoTrack
from recording.recorder.recorder import RecordingInfo
from session import messages as m
from session.accounts.store import AccountStore
from session.hub.live import LiveSession
from session.hub.runner import composite_recorders
from session.hub.server import Hub
from session.hub.store import Store
from session.machine import State
from session.rtc.impairment import Impairment, TcpRelay, UdpRelay
from session.rtc.network import MediaRoute, TurnServer, restrict_media_addresses
from session.station.clocksync import StationClock
from session.station.engine import Station, StationListener
from session.station.script import step_seconds

TURN_USER, TURN_PASSWORD, TURN_REALM = "pleadesk", "rehearsal", "pleadesk.test"
#: Where ``python -m desktop.cli.main`` runs from.
PROJECT = REPO


def have_coturn() -> bool:
    """Whether Debian's coturn (``turnserver``) is installed."""
    return shutil.which("turnserver") is not None


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _answers_stun(port: int) -> bool:
    request = stun.Message(message_method=stun.Method.BINDING, message_class=stun.Class.REQUEST)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.settimeout(0.2)
        probe.sendto(bytes(request), ("127.0.0.1", port))
        try:
            return bool(probe.recv(2048))
        except OSError:
            return False


@contextlib.contextmanager
def coturn(folder: Path) -> Iterator[tuple[str, int]]:
    """Run coturn on a free loopback port, relaying between loopback addresses; yields its
    address. Its log is in ``folder``."""
    port = _free_udp_port()
    log_file = folder / "turnserver.log"
    command = [
        "turnserver", "-n", "--listening-ip", "127.0.0.1", "--relay-ip", "127.0.0.1",
        "--listening-port", str(port), "--allow-loopback-peers", "--no-tcp", "--no-tls",
        "--no-dtls", "--no-tcp-relay", "--no-cli", "--lt-cred-mech", "--fingerprint",
        "--user", f"{TURN_USER}:{TURN_PASSWORD}", "--realm", TURN_REALM,
        "--pidfile", str(folder / "turnserver.pid"), "--log-file", str(log_file),
        "--simple-log", "--no-stdout-log",
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while not _answers_stun(port):
            if process.poll() is not None or time.monotonic() > deadline:
                log = log_file.read_text() if log_file.exists() else "(no log)"
                raise RuntimeError(f"coturn did not start:\n{log[-2000:]}")
        yield "127.0.0.1", port
    finally:
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class FrameCounter:
    """A station listener that notes when each video frame from each other party arrived.

    The station tells it only of the events it has methods for (the data channel's are left
    out), hence the ``cast`` where it is handed over.
    """

    def state_changed(self, update: m.StateUpdate) -> None:
        """Not needed here."""

    def refused(self, refusal: m.Refused) -> None:
        """Not needed here."""

    def peer_changed(self, role: str, present: bool) -> None:
        """Not needed here."""

    def __init__(self) -> None:
        self.arrivals: dict[str, list[float]] = defaultdict(list)

    def frame(self, role: str, kind: str, frame: Frame) -> None:
        """Note a video frame's arrival."""
        if kind == "video":
            self.arrivals[role].append(time.monotonic())

    def frames_between(self, sender: str, start: float, end: float) -> int:
        """Video frames from ``sender`` that arrived in ``[start, end)``."""
        return sum(1 for t in self.arrivals[sender] if start <= t < end)

    def first_after(self, sender: str, moment: float) -> float | None:
        """When the first video frame from ``sender`` after ``moment`` arrived."""
        return next((t for t in self.arrivals[sender] if t > moment), None)


@dataclass
class ImpairedCall:
    """A hub and three stations joined over the relays (see the module docstring)."""

    hub: Hub
    session_id: str
    stations: dict[str, Station]
    counters: dict[str, FrameCounter]
    media: UdpRelay
    signaling: TcpRelay
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def cut(self, signaling: bool = True) -> None:
        """The network goes down: media, and with ``signaling`` the hub's port too."""
        self.media.cut()
        if signaling:
            self.signaling.cut()

    def restore(self) -> None:
        """The network comes back."""
        self.media.restore()
        self.signaling.restore()

    def senders_to(self, receiver: str) -> list[str]:
        """The parties whose pictures ``receiver`` should be getting."""
        return [role for role in ROLES if role != receiver]

    async def recorder_packets(self) -> dict[str, tuple[int, int]]:
        """Per party: (which connection, video packets) the hub's recorder has received on
        it; a new connection after a rejoin counts from zero."""
        live = self.hub.live(self.session_id)
        assert live is not None
        # The recorder's peer connections have no public accessor on LiveSession.
        peers = live.recorder_peers
        packets = {}
        for role, pc in peers.items():
            report = await pc.getStats()
            received = sum(
                s.packetsReceived
                for s in report.values()
                if s.type == "inbound-rtp" and getattr(s, "kind", "video") == "video"
            )
            packets[role] = (id(pc), received)
        return packets

    async def without_media(
        self, since: float, recorder_before: dict[str, tuple[int, int]]
    ) -> list[str]:
        """The receivers (``"lawyer<-suspect"``, ``"recorder<-lawyer"``) that have had no new
        video since ``since``; ``recorder_before`` is :meth:`recorder_packets` at that time."""
        missing = [
            f"{receiver}<-{sender}"
            for receiver, counter in self.counters.items()
            for sender in self.senders_to(receiver)
            if counter.first_after(sender, since) is None
        ]
        now = await self.recorder_packets()
        for role in ROLES:
            connection, packets = now.get(role, (0, 0))
            earlier, packets_then = recorder_before.get(role, (0, 0))
            if packets <= (packets_then if connection == earlier else 0):
                missing.append(f"recorder<-{role}")
        return missing


@dataclass
class VideoLink:
    """One camera's pictures over one peer connection, relayed like a session's media."""

    media: UdpRelay
    arrivals: list[float] = field(default_factory=list)

    def frames_between(self, start: float, end: float) -> int:
        """Frames that arrived in ``[start, end)``."""
        return sum(1 for t in self.arrivals if start <= t < end)

    def first_after(self, moment: float) -> float | None:
        """When the first frame after ``moment`` arrived."""
        return next((t for t in self.arrivals if t > moment), None)


@contextlib.asynccontextmanager
async def relayed_media(
    turn: tuple[str, int], impairment: Impairment | None, seed: int
) -> AsyncIterator[tuple[UdpRelay, MediaRoute, str]]:
    """The impairment relay in front of ``turn``; yields the relay, the media route through
    it, and its TURN URL for station processes."""
    restrict_media_addresses()
    media = UdpRelay(turn, impairment, seed=seed)
    host, port = await media.start()
    turn_url = f"turn:{host}:{port}?transport=udp"
    try:
        yield media, MediaRoute(TurnServer(turn_url, TURN_USER, TURN_PASSWORD)), turn_url
    finally:
        await media.close()


@contextlib.asynccontextmanager
async def video_link(
    turn: tuple[str, int],
    impairment: Impairment | None = None,
    picture: tuple[int, int] = (640, 480),
    seed: int = 0,
) -> AsyncIterator[VideoLink]:
    """A synthetic camera sent from one peer connection to another, both relayed by ``turn``
    behind the impairment relay; frames are counted as they are decoded.

    One link, without the rest of a session, costs little CPU, so its frame rate shows what
    the line does rather than how busy the machine is.
    """
    async with relayed_media(turn, impairment, seed) as (media, route, _):
        sender, receiver = route.peer_connection(), route.peer_connection()
        link = VideoLink(media)
        readers: list[asyncio.Task[None]] = []

        async def read(track: MediaStreamTrack) -> None:
            with contextlib.suppress(MediaStreamError):
                while True:
                    await track.recv()
                    link.arrivals.append(time.monotonic())

        receiver.on("track", lambda track: readers.append(asyncio.create_task(read(track))))
        try:
            sender.addTrack(SyntheticVideoTrack("suspect", size=picture))
            await sender.setLocalDescription(await sender.createOffer())
            await receiver.setRemoteDescription(sender.localDescription)
            await receiver.setLocalDescription(await receiver.createAnswer())
            await sender.setRemoteDescription(receiver.localDescription)
            yield link
        finally:
            await sender.close()
            await receiver.close()
            for task in readers:
                task.cancel()
            await asyncio.gather(*readers, return_exceptions=True)


def _station(
    url: str,
    session_id: str,
    role: str,
    token: str,
    counter: FrameCounter,
    size: tuple[int, int],
    route: MediaRoute,
) -> Station:
    clock = StationClock()
    tracks: list[MediaStreamTrack] = [
        SyntheticVideoTrack(role, size=size, clock=clock.now),
        SyntheticAudioTrack(role, clock=clock.now),
    ]
    listener = cast(StationListener, counter)
    return Station(url, session_id, role, token, tracks, listener, clock=clock, route=route)


@contextlib.asynccontextmanager
async def impaired_call(
    turn: tuple[str, int],
    folder: Path,
    impairment: Impairment | None = None,
    seed: int = 0,
    picture: tuple[int, int] = (640, 480),
) -> AsyncIterator[ImpairedCall]:
    """Start the relays, route media through TURN, and join three synthetic stations whose
    cameras give ``picture``-sized frames at 25 fps.
    """
    async with relayed_media(turn, impairment, seed) as (media, route, _):
        hub = Hub(
            Store(":memory:"), folder / "recordings", recorders=composite_recorders(),
            accounts=AccountStore(":memory:"), media_route=route,
        )  # fmt: skip
        signaling: TcpRelay | None = None
        call: ImpairedCall | None = None
        try:
            url = await hub.start()
            hub_port = int(url.rsplit(":", 1)[1])
            signaling = TcpRelay(("127.0.0.1", hub_port))
            relay_host, relay_port = await signaling.start()
            session_id = await hub.create_session("C-impaired")
            counters = {role: FrameCounter() for role in ROLES}
            stations = {
                role: _station(
                    f"http://{relay_host}:{relay_port}",
                    session_id,
                    role,
                    hub.tokens.issue(session_id, role),
                    counters[role],
                    picture,
                    route,
                )
                for role in ROLES
            }
            call = ImpairedCall(hub, session_id, stations, counters, media, signaling)
            call.tasks = [asyncio.create_task(station.run()) for station in stations.values()]
            yield call
        finally:
            if call is not None:
                call.restore()
                for station in call.stations.values():
                    await station.leave()
                for task in call.tasks:
                    with contextlib.suppress(Exception):
                        await asyncio.wait_for(task, 10)
            await hub.close()
            if signaling is not None:
                await signaling.close()


@dataclass
class ScriptedSession:
    """A hub in this process and three scripted station processes, media over the relay."""

    hub: Hub
    session_id: str
    media: UdpRelay
    stations: dict[str, asyncio.subprocess.Process]
    logs: Path

    @property
    def live(self) -> LiveSession:
        """The session's live state on the hub (there once a party has joined)."""
        live = self.hub.live(self.session_id)
        assert live is not None, "no party has joined"
        return live

    async def closed(self, timeout: float) -> None:
        """Wait until the session is closed; fail at once if a station process fails."""

        def closed() -> bool:
            failed = {r: p.returncode for r, p in self.stations.items() if p.returncode}
            assert not failed, f"stations failed: {failed}\n{self._log_tails()}"
            live = self.hub.live(self.session_id)
            return live is not None and live.machine.state is State.CLOSED

        try:
            await until(closed, timeout)
        except TimeoutError:
            live = self.hub.live(self.session_id)
            state = live.machine.state.value if live else "scheduled"
            raise AssertionError(f"still {state}\n{self._log_tails()}") from None

    async def recording(self, timeout: float = 30.0) -> RecordingInfo:
        """What the recorder wrote, once it has closed the recording."""
        live = self.live
        await until(lambda: live.recording_info or live.recording_error, timeout)
        assert live.recording_info is not None, live.recording_error
        return live.recording_info

    def _log_tails(self) -> str:
        return "\n".join(
            f"--- {role}:\n{(self.logs / f'{role}.log').read_text()[-1500:]}" for role in ROLES
        )


@contextlib.asynccontextmanager
async def scripted_session(
    turn: tuple[str, int], folder: Path, impairment: Impairment, seconds: float, seed: int = 0
) -> AsyncIterator[ScriptedSession]:
    """Hold a scripted session of about ``seconds`` as in a deployment: each party is a headless
    station process (``pleadesk station --script``) whose media goes through TURN behind the
    impairment relay, as does the media of the hub's recorder, here in this process.

    The stations reach the hub's signaling port directly: the line under test is the media's.
    They run niced, as in the demo, so that on one machine the recorder comes first. The
    process-wide TURN setting is put back on the way out.
    """
    async with relayed_media(turn, impairment, seed) as (media, route, turn_url):
        hub = Hub(
            Store(":memory:"), folder / "recordings", recorders=composite_recorders(),
            accounts=add_people(AccountStore(":memory:")), media_route=route,
        )  # fmt: skip
        processes: dict[str, asyncio.subprocess.Process] = {}
        session_id = ""
        try:
            url = await hub.start()
            session_id = await hub.create_session("C-impaired", assigned=PARTS, site="centre-a")
            for role in ROLES:
                with (folder / f"{role}.log").open("wb") as log:
                    command = scripted_station_command(
                        url, session_id, "C-impaired", step_seconds(seconds)
                    )
                    processes[role] = await asyncio.create_subprocess_exec(
                        *command, "--headless", "--turn", turn_url, "--turn-user", TURN_USER,
                        "--turn-password", TURN_PASSWORD, cwd=PROJECT, stdout=log,
                        stderr=subprocess.STDOUT, env={**os.environ, **environment(PARTS[role])},
                    )  # fmt: skip
            yield ScriptedSession(hub, session_id, media, processes, folder)
        finally:
            # Stations leave by themselves once the session is closed; otherwise they are stopped.
            live = hub.live(session_id)
            grace = 20.0 if live is not None and live.machine.state is State.CLOSED else 0.0
            for process in processes.values():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(process.wait(), grace)
                if process.returncode is None:
                    process.kill()
                    await process.wait()
            await hub.close()
