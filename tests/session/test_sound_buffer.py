"""A sound receiver passes each packet on ``SOUND_BUFFER`` (80 ms) after it, whatever the
packets' length; a lost packet costs its own sound and nothing else, not even delay."""

from __future__ import annotations

import pytest
from aiortc import RTCRtpReceiver
from aiortc.rtp import RtpPacket

from session.rtc.aiortc_internals import receiver_buffer
from session.rtc.network import SOUND_BUFFER, buffer_sound


class Transport:
    state = "new"


def passed_on(packet_seconds: float, arriving: list[int]) -> dict[int, float]:
    """Packet number -> how long (seconds) after it was captured it left the buffer, for
    packets ``packet_seconds`` long arriving in the order ``arriving``, each as the next is
    captured (numbers left out were lost)."""
    receiver = RTCRtpReceiver("audio", Transport())
    buffer_sound(receiver, packet_seconds)
    buffer = receiver_buffer(receiver)
    ticks = round(48000 * packet_seconds)
    out: dict[int, float] = {}
    for n in arriving:
        packet = RtpPacket(sequence_number=(60000 + n) % 65536, timestamp=n * ticks)
        packet._data = b"opus %d" % n  # type: ignore[attr-defined]
        _, frame = buffer.add(packet)
        if frame is not None:
            sent = frame.timestamp // ticks
            assert frame.data == b"opus %d" % sent
            out[sent] = round((n - sent) * packet_seconds, 3)
    return out


@pytest.mark.parametrize("packet_seconds", [0.02, 0.04])
def test_sound_is_held_80_ms_whatever_the_packet_length(packet_seconds):
    held = passed_on(packet_seconds, list(range(100)))  # across the sequence numbers' wrap
    assert set(held.values()) == {SOUND_BUFFER}
    assert list(held) == list(range(100 - round(SOUND_BUFFER / packet_seconds)))


@pytest.mark.parametrize("packet_seconds", [0.02, 0.04])
def test_a_lost_packet_costs_its_own_sound_only(packet_seconds):
    lost = {10, 30, 31, 32}
    arrived = [n for n in range(60) if n not in lost]
    held = passed_on(packet_seconds, arrived)
    depth = round(SOUND_BUFFER / packet_seconds)
    assert list(held) == [n for n in arrived if n < 60 - depth]  # all, in order, but the last
    # Sound just before a loss goes on when sound comes again (its wait grows by the loss);
    # away from a loss it is held as before, with no delay left over.
    for n, age in held.items():
        assert SOUND_BUFFER <= age <= round(SOUND_BUFFER + len(lost) * packet_seconds, 3)
        if not lost & set(range(n - 2 * depth, n + 2 * depth + 4)):
            assert age == SOUND_BUFFER
    assert held[45] == SOUND_BUFFER


def test_a_packet_overtaken_on_the_way_is_still_played_in_its_place():
    arriving = list(range(20))
    arriving[5], arriving[6] = 6, 5
    assert list(passed_on(0.04, arriving)) == list(range(18))


def test_a_packet_later_than_the_buffer_is_dropped_not_played_out_of_order():
    arriving = [n for n in range(20) if n != 5] + [5]
    assert list(passed_on(0.04, arriving)) == [n for n in range(18) if n != 5]


@pytest.mark.parametrize("restart", [0, 5000, 59980])
def test_a_sender_numbering_its_packets_anew_is_followed_at_once(restart):
    arriving = list(range(30)) + list(range(restart, restart + 30))
    held = passed_on(0.04, arriving)
    assert [n for n in held if n >= restart] == list(range(restart, restart + 28))
