"""The session's data channel over real WebRTC: pages, raised hands, strokes and signatures."""

from __future__ import annotations

import dataclasses
import hashlib

import pytest
from livecall import audit_events, until, walk_to_hearing

from documents.samples.handwriting import synthetic_signature
from session import messages as m
from session.station.engine import StationError

pytestmark = pytest.mark.e2e

AGREEMENT = "ab" * 32
PDF = b"%PDF-1.7\n% the agreement\n"


async def sharing(stations) -> None:
    """Wait for the recording to run and every station's data channel to be open."""
    await stations["prosecutor"].wait_for_state(lambda s: s == "recording", 30)
    await until(lambda: all(station.sharing for station in stations.values()))


async def test_a_page_and_a_raised_hand_reach_the_others_and_the_audit_trail(live_call, heard):
    hub, session_id, stations = live_call
    await sharing(stations)

    stations["prosecutor"].show_page(AGREEMENT, 2)
    stations["suspect"].raise_hand()
    await until(lambda: heard["suspect"].of("page_shown") and heard["lawyer"].of("page_shown"))
    await until(lambda: heard["prosecutor"].of("hand_raised") and heard["lawyer"].of("hand_raised"))

    for role in ("suspect", "lawyer"):
        assert heard[role].of("page_shown") == [m.ShowPage(AGREEMENT, 2, "prosecutor")]
    assert heard["prosecutor"].of("hand_raised") == [m.RaiseHand(True, "suspect")]
    assert heard["prosecutor"].of("page_shown") == []  # not echoed to its sender
    assert heard["suspect"].of("hand_raised") == []
    logged = [(e["role"], e["event"], e["details"]) for e in audit_events(hub, session_id)]
    assert ("prosecutor", "page_shown", {"document_sha256": AGREEMENT, "page": 2}) in [
        (role, event, {k: v for k, v in details.items() if k != "session_time"})
        for role, event, details in logged
    ]
    assert ("suspect", "hand_raised") in [(role, event) for role, event, _ in logged]


async def test_the_witness_sees_the_strokes_and_the_signature_moves_the_session(live_call, heard):
    hub, session_id, stations = live_call
    prosecutor, suspect = stations["prosecutor"], stations["suspect"]
    await walk_to_hearing(prosecutor)
    await until(lambda: all(station.sharing for station in stations.values()))
    presented = await prosecutor.load_agreement(PDF)
    prosecutor.show_page(presented, 1)
    for step in ("present_agreement", "begin_signing"):
        await prosecutor.request_step(step)
    await prosecutor.wait_for_state(lambda s: s == "signing", 10)
    await until(lambda: heard["suspect"].of("page_shown"))
    shown = heard["suspect"].of("page_shown")[-1].document_sha256
    assert hashlib.sha256(await suspect.fetch_agreement()).hexdigest() == shown == presented

    signature = synthetic_signature("suspect", "张三", seed=3)
    first = [[p.x, p.y, p.t, p.pressure] for p in signature.strokes[0]]
    suspect.draw_stroke(signature.width, signature.height, first)
    await until(lambda: heard["lawyer"].of("stroke_drawn"))
    assert heard["lawyer"].of("stroke_drawn") == [
        m.Stroke(signature.width, signature.height, first, "suspect")
    ]

    # Handwriting made on another document does not count...
    suspect.submit_signature(signature.to_json())
    await until(lambda: heard["suspect"].of("refused"))
    assert heard["suspect"].of("refused")[0].code == "wrong_document"
    assert hub.store.signatures(session_id) == {}
    # ...handwriting on the agreement presented does.
    bound = dataclasses.replace(signature, document_sha256=shown).to_json()
    suspect.submit_signature(bound)
    await until(lambda: hub.store.signatures(session_id).get("suspect") is not None)
    assert hub.store.signatures(session_id)["suspect"] == bound


async def test_a_signature_outside_signing_is_refused_in_words_and_not_stored(live_call, heard):
    hub, session_id, stations = live_call
    await sharing(stations)
    signature = synthetic_signature("suspect", "张三", seed=3)
    stations["suspect"].submit_signature(signature.to_json())
    stations["suspect"].draw_stroke(10, 10, [[1, 1, 0, 0.5]])
    await until(lambda: len(heard["suspect"].of("refused")) == 2)
    assert [r.code for r in heard["suspect"].of("refused")] == ["not_signing", "not_signing"]
    assert hub.store.signatures(session_id) == {}
    assert heard["lawyer"].of("stroke_drawn") == []


async def test_malformed_and_misdirected_messages_on_the_channel_are_refused(live_call, heard):
    hub, session_id, stations = live_call
    suspect = stations["suspect"]
    await sharing(stations)
    suspect._channel.send('{"type": "show_page", "document_sha256": "nothex", "page": 1}')
    suspect._channel.send(m.RequestStep("close").to_json())
    await until(lambda: len(heard["suspect"].of("refused")) == 2)
    refusals = heard["suspect"].of("refused")
    assert refusals[0].code == "bad_message" and "SHA-256" in refusals[0].message
    assert refusals[1].code == "unexpected"
    assert hub.live(session_id).machine.state.value == "recording"  # nothing happened


async def test_sharing_before_the_media_connection_is_open_says_so():
    from session.station.engine import Station

    station = Station("https://127.0.0.1:1", "s", "suspect", "t", [])
    with pytest.raises(StationError, match="not connected"):
        station.raise_hand()


def test_channel_messages_survive_the_wire_and_bad_ones_are_named():
    for message in (
        m.ShowPage(AGREEMENT, 3),
        m.RaiseHand(False, "lawyer"),
        m.Stroke(300, 100, [[1.5, 2, 0.01, 0.4]], "suspect"),
    ):
        assert m.parse(message.to_json(), m.MAX_CHANNEL_BYTES) == message
    for text, complaint in (
        (m.ShowPage(AGREEMENT, 1).to_json().replace('"page": 1', '"page": 0'), "from 1"),
        ('{"type": "raise_hand", "raised": 1}', "wrong type"),
        ('{"type": "raise_hand", "raised": true, "role": "judge"}', "unknown role"),
        ('{"type": "stroke", "width": 1, "height": 1, "points": []}', "1 to"),
        ('{"type": "stroke", "width": 1, "height": 1, "points": [[1, 2]]}', "x, y, t"),
    ):
        with pytest.raises(m.MessageError, match=complaint):
            m.parse(text, m.MAX_CHANNEL_BYTES)
