"""A session over a bad line: it keeps going through loss and jitter, and comes back after the
network drops for a few seconds.

All media is relayed by a local coturn with an impairment relay in front of it (see ``netem``).
The scripted session runs each party as a station process of its own, as in a deployment; the
other live-call tests keep the stations in this process, where signaling crosses a relay too.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import cast

import av
import pytest
from livecall import LAWFUL_STATES, ROLES, walk_to_hearing
from netem import coturn, have_coturn, impaired_call, scripted_session, video_link

from recording.recorder.recorder import RecordingInfo
from session.rtc.impairment import Address, Impairment, TcpRelay, UdpRelay

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.slow,
    pytest.mark.skipif(not have_coturn(), reason="needs coturn's turnserver (./dev setup)"),
]

#: The stations' camera pictures: what is tested is the network path, and smaller pictures keep
#: nine encoders and nine decoders in one process from starving its event loop on a shared
#: machine (a starved loop misses the 1 s heartbeat replies, and stations drop for that alone).
PICTURE = (320, 240)
#: Seconds over which a link's frame rate is measured.
WINDOW = 4.0
#: The length of a scripted session (from the recording's start to its close).
SCRIPTED_SECONDS = 24.0
#: What every party's pictures at the recorder must at least reach over a scripted session. On
#: one 2-core machine four processes encode every picture three times and decode it three
#: times, more than the two cores can do at 25 fps, and other work on the machine starves them
#: further. Measured at 5 % loss with the machine's load at 12 to 21: 3.6 to 7 frames/s and
#: pictures in 80 to 97 % of the seconds (10 to 13 frames/s on a quieter machine); without loss
#: at that load, 5 to 8 frames/s. A stream that froze at a lost packet or key frame and did not
#: recover within seconds would fail.
MIN_FRAME_RATE = 2.0
MIN_COVERAGE = 0.6


class _Echo(asyncio.DatagramProtocol):
    """Sends every datagram back: the far end of a relayed line."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: Address) -> None:
        self.transport.sendto(data, addr)


class _Inbox(asyncio.DatagramProtocol):
    """Collects what comes back, with arrival times."""

    def __init__(self) -> None:
        self.arrived: list[tuple[bytes, float]] = []

    def datagram_received(self, data: bytes, addr: Address) -> None:
        self.arrived.append((data, time.monotonic()))


@contextlib.asynccontextmanager
async def _udp_line(
    impairment: Impairment,
) -> AsyncIterator[tuple[UdpRelay, asyncio.DatagramTransport, _Inbox]]:
    """A client whose datagrams cross the relay to an echo and back."""
    loop = asyncio.get_running_loop()
    echo, _ = await loop.create_datagram_endpoint(_Echo, local_addr=("127.0.0.1", 0))
    relay = UdpRelay(echo.get_extra_info("sockname"), impairment, seed=7)
    client, inbox = await loop.create_datagram_endpoint(
        _Inbox, local_addr=("127.0.0.1", 0), remote_addr=await relay.start()
    )
    try:
        yield relay, client, inbox
    finally:
        client.close()
        await relay.close()
        echo.close()


async def _settle(inbox: _Inbox, count: int, timeout: float = 5.0) -> None:
    """Wait until ``count`` datagrams came back, or the line has been quiet a while."""
    deadline = time.monotonic() + timeout
    seen = -1
    while len(inbox.arrived) < count and time.monotonic() < deadline:
        if seen == len(inbox.arrived):
            break
        seen = len(inbox.arrived)
        await asyncio.sleep(0.3)


def _party_files(info: RecordingInfo) -> dict[str, Path]:
    """Each party's own file of a one-segment recording, by role."""
    files = {path.stem.rsplit(".", 1)[1]: path for path in info.party_files}
    assert len(files) == len(info.party_files), info.party_files
    return files


def _pictures(path: Path) -> list[float]:
    """The capture times (seconds into the file) of the pictures in a party's file."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return [
            float(packet.pts * packet.time_base)
            for packet in container.demux(stream)
            if packet.pts is not None
        ]


def _coverage(times: list[float], seconds: float) -> float:
    """The share of the recording's whole seconds in which at least one picture arrived."""
    whole = int(seconds)
    return len({int(t) for t in times if 0 <= t < whole}) / whole


def _longest_hole(times: list[float], seconds: float) -> float:
    """The longest stretch of ``seconds`` of recording without a picture."""
    edges = [0.0, *sorted(times), seconds]
    return max(later - earlier for earlier, later in itertools.pairwise(edges))


def test_end_to_end_figures_are_split_over_the_crossings() -> None:
    line = Impairment.end_to_end(loss=0.05, delay=0.02, jitter=0.05)
    assert (1 - line.loss) ** 2 == pytest.approx(0.95)
    assert (line.delay, line.jitter) == pytest.approx((0.01, 0.025))
    with pytest.raises(ValueError):
        Impairment(loss=1.0)


async def test_the_udp_relay_loses_and_delays_datagrams_and_a_cut_stops_them() -> None:
    line = Impairment(loss=0.1, delay=0.02, jitter=0.01)
    async with _udp_line(line) as (relay, client, inbox):
        sent = {}
        for n in range(500):
            sent[n] = time.monotonic()
            client.sendto(n.to_bytes(4, "big"))
            if n % 10 == 0:  # paced, so no socket buffer overflows
                await asyncio.sleep(0.002)
        await _settle(inbox, 500)
        # Each datagram crossed twice (out and back), each time with a 10 % chance of loss.
        assert 0.74 < len(inbox.arrived) / 500 < 0.88
        delays = [at - sent[int.from_bytes(data, "big")] for data, at in inbox.arrived]
        assert min(delays) >= 2 * line.delay

        relay.cut()
        before = len(inbox.arrived)
        for n in range(20):
            client.sendto(n.to_bytes(4, "big"))
        await asyncio.sleep(0.3)
        assert len(inbox.arrived) == before

        relay.restore()
        relay.impairment = Impairment()
        client.sendto(b"back")
        await _settle(inbox, before + 1)
        assert [data for data, _ in inbox.arrived[before:]] == [b"back"]


async def test_the_tcp_relay_holds_bytes_and_new_connections_while_cut() -> None:
    async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while data := await reader.read(1024):
            writer.write(data)
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(echo, "127.0.0.1", 0)
    relay = TcpRelay(server.sockets[0].getsockname()[:2])
    host, port = await relay.start()
    try:
        reader, writer = await asyncio.open_connection(host, port)
        writer.write(b"hello")
        assert await asyncio.wait_for(reader.read(5), 5) == b"hello"

        relay.cut()
        writer.write(b"again")
        late_reader, late_writer = await asyncio.open_connection(host, port)
        late_writer.write(b"late")
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(reader.read(5), 0.3)
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(late_reader.read(4), 0.1)

        relay.restore()
        assert await asyncio.wait_for(reader.readexactly(5), 5) == b"again"
        assert await asyncio.wait_for(late_reader.readexactly(4), 5) == b"late"
        for end in (writer, late_writer):
            end.close()
    finally:
        await relay.close()
        server.close()
        await server.wait_closed()


@pytest.fixture(scope="module")
def turn_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """A coturn on a free loopback port, shared by this module's tests."""
    with coturn(tmp_path_factory.mktemp("turn")) as address:
        yield address


async def test_video_keeps_coming_at_5_percent_loss_and_50_ms_jitter(
    turn_server: tuple[str, int],
) -> None:
    line = Impairment.end_to_end(loss=0.05, jitter=0.050)  # each datagram crosses it twice
    async with video_link(turn_server, line) as link:
        await asyncio.sleep(2.0)  # connected, and past the first key frame
        start = time.monotonic()
        await asyncio.sleep(WINDOW)
        end = time.monotonic()
        rate = link.frames_between(start, end) / (end - start)
        print(f"{rate:.1f} frames/s at 5 % loss and 50 ms jitter")
        assert rate >= 15
        lost = link.media.dropped / (link.media.dropped + link.media.forwarded)
        assert 0.01 < lost < 0.05  # the line did lose about 2.5 % on each crossing


async def test_video_comes_back_within_5_s_of_the_end_of_a_3_s_cut(
    turn_server: tuple[str, int],
) -> None:
    async with video_link(turn_server) as link:
        await asyncio.sleep(2.0)
        link.media.cut()
        await asyncio.sleep(3.0)
        restored = time.monotonic()
        link.media.restore()
        while (first := link.first_after(restored)) is None:
            assert time.monotonic() - restored < 5.0, "no picture within 5 s of the restore"
            await asyncio.sleep(0.02)
        print(f"first picture {first - restored:.2f} s after the restore")


async def test_a_session_keeps_going_at_5_percent_loss_and_50_ms_jitter(
    turn_server: tuple[str, int], tmp_path: Path
) -> None:
    line = Impairment.end_to_end(loss=0.05, jitter=0.050)  # each datagram crosses it twice
    async with scripted_session(turn_server, tmp_path, line, SCRIPTED_SECONDS) as session:
        await session.closed(timeout=SCRIPTED_SECONDS + 60)
        live = session.live
        assert live.machine.states_passed == LAWFUL_STATES
        assert set(session.hub.store.signatures(session.session_id)) == {"suspect", "lawyer"}
        info = await session.recording()
    assert {role: p.returncode for role, p in session.stations.items()} == dict.fromkeys(ROLES, 0)

    # Each party's own file holds every picture of it the recorder received, at its capture
    # time: how many there are, and how evenly they cover the recording, is what the line let
    # through (and what the machine's two cores could encode and decode).
    seconds = info.duration_s
    pictures = {role: _pictures(path) for role, path in _party_files(info).items()}
    rates = {role: len(times) / seconds for role, times in pictures.items()}
    covered = {role: _coverage(times, seconds) for role, times in pictures.items()}
    holes = {role: _longest_hole(times, seconds) for role, times in pictures.items()}
    crossings = session.media.dropped + session.media.forwarded
    lost = session.media.dropped / crossings
    print(
        f"{seconds:.1f} s recorded; at the recorder, frames/s",
        {role: round(rate, 1) for role, rate in rates.items()},
        "seconds with a picture",
        {role: f"{share:.0%}" for role, share in covered.items()},
        "longest hole (s)",
        {role: round(hole, 1) for role, hole in holes.items()},
        f"; the relay lost {lost:.2%} of {crossings} crossings ({1 - (1 - lost) ** 2:.2%} end to"
        " end)",
    )
    assert set(pictures) == set(ROLES)
    assert all(rate >= MIN_FRAME_RATE for rate in rates.values()), rates
    assert all(share >= MIN_COVERAGE for share in covered.values()), covered
    assert 0.04 < 1 - (1 - lost) ** 2 < 0.06  # the line really lost about 5 %


async def test_a_session_survives_a_3_s_network_cut(
    turn_server: tuple[str, int], tmp_path: Path
) -> None:
    async with impaired_call(turn_server, tmp_path, picture=PICTURE) as call:
        prosecutor = call.stations["prosecutor"]
        await walk_to_hearing(prosecutor)
        live = call.hub.live(call.session_id)
        assert live is not None
        changes_before = len(live.machine.history)

        call.cut()  # media and signaling
        await asyncio.sleep(3.0)
        recorder_before = await call.recorder_packets()
        restored = time.monotonic()
        call.restore()

        # Signaling held its bytes through the cut, as TCP does. A station whose heartbeat
        # gave up first has joined again: the session was interrupted and is resumed.
        if any(c.state.value == "interrupted" for c in live.machine.history[changes_before:]):
            while live.machine.connected != set(ROLES) or prosecutor.state != "interrupted":
                assert time.monotonic() - restored < 10.0
                await asyncio.sleep(0.05)
            await prosecutor.request_step("resume")
            await prosecutor.wait_for_state(lambda s: s == "hearing", 10)

        # The recorder takes every party's media again...
        while missing := [
            r for r in await call.without_media(restored, recorder_before) if "recorder" in r
        ]:
            assert time.monotonic() - restored < 10.0, f"no media at {missing}"
            await asyncio.sleep(0.05)
        print(f"the recorder had media again {time.monotonic() - restored:.2f} s after restore")
        # ...and the session takes steps (a consultation, which cuts the prosecutor off).
        await call.stations["lawyer"].request_step("begin_consultation")
        await prosecutor.wait_for_state(lambda s: s == "private_consultation", 10)
