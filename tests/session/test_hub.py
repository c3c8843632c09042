"""The hub over real sockets on 127.0.0.1: joining, refusals, bad input, the session's record."""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import sqlite3
from fractions import Fraction

import aiohttp
import numpy as np
import pytest
from aiortc.codecs.opus import OpusDecoder, OpusEncoder
from aiortc.jitterbuffer import JitterFrame
from av import AudioFrame, VideoFrame
from repo import DAY_EXAMPLE

from session import messages as m
from session.accounts.store import AccountStore
from session.hub.feed import RecorderFeed
from session.hub.runner import composite_recorders
from session.hub.server import Hub
from session.hub.store import Store
from session.machine import REQUIRED_ROLES, State, StateChanged, Step

EXAMPLE_DAY = DAY_EXAMPLE


@pytest.fixture
async def hub(tmp_path):
    hub = Hub(
        Store(tmp_path / "hub.sqlite3"),
        tmp_path / "recordings",
        recorders=composite_recorders(),
        accounts=AccountStore(":memory:"),
    )
    await hub.start("127.0.0.1", 0)
    yield hub
    await hub.close()


async def join(http, hub, session_id: str, role: str, token: str | None = None):
    ws = await http.ws_connect(f"{hub.url}/ws/sessions/{session_id}")
    await ws.send_str(m.Join(role, token or hub.tokens.issue(session_id, role)).to_json())
    return ws, m.parse((await ws.receive()).data)


async def test_the_prosecutor_loads_the_agreement_and_every_party_fetches_those_bytes(hub, http):
    session_id = await hub.create_session("C-pdf")
    url = f"{hub.url}/api/sessions/{session_id}/agreement"

    def bearer(role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {hub.tokens.issue(session_id, role)}"}

    async with http.get(url, headers=bearer("suspect")) as r:
        assert r.status == 404 and "not loaded" in await r.text()
    pdf = b"%PDF-1.7\n" + bytes(range(256)) * 100
    async with http.put(url, data=pdf, headers=bearer("prosecutor")) as r:
        assert r.status == 200
        sha256 = (await r.json())["sha256"]
    assert sha256 == hashlib.sha256(pdf).hexdigest()
    assert hub.live(session_id).machine.agreement_sha256 == sha256
    for role in ("suspect", "lawyer"):
        async with http.get(url, headers=bearer(role)) as r:
            assert r.status == 200 and await r.read() == pdf
    assert (hub.recordings_dir / f"{session_id}.agreement.pdf").read_bytes() == pdf


@pytest.mark.parametrize(
    ("role", "body", "status", "words"),
    [
        (None, b"%PDF-1.7", 403, "token is not valid"),
        ("suspect", b"%PDF-1.7", 403, "the suspect may not load"),
        ("prosecutor", b"<html>", 400, "must be a PDF"),
        ("prosecutor", b"%PDF-" + b"0" * (20 * 1024 * 1024), 413, ""),
    ],
)
async def test_a_bad_agreement_upload_is_refused_and_changes_nothing(
    hub, http, role, body, status, words
):
    session_id = await hub.create_session("C-bad-pdf")
    token = hub.tokens.issue(session_id, role) if role else "0" * 64
    async with http.put(
        f"{hub.url}/api/sessions/{session_id}/agreement",
        data=io.BytesIO(body),
        headers={"Authorization": f"Bearer {token}"},
    ) as r:
        assert r.status == status
        assert words in await r.text()
    live = hub.live(session_id)
    if role is None:
        assert live is None  # a stranger's request wakes nothing
    else:
        assert live.agreement is None and live.machine.agreement_sha256 == ""


async def test_parties_join_by_role_and_see_who_is_present(hub, http):
    session_id = await hub.create_session("C-1")
    suspect, welcome = await join(http, hub, session_id, "suspect")
    assert welcome == m.Welcome(session_id, "suspect", "scheduled", [])
    lawyer, welcome = await join(http, hub, session_id, "lawyer")
    assert welcome.present == ["suspect"]
    assert m.parse((await suspect.receive()).data) == m.PeerJoined("lawyer")
    await lawyer.close()
    assert m.parse((await suspect.receive()).data) == m.PeerLeft("lawyer")
    await suspect.close()


async def test_a_party_joining_again_takes_over_from_its_broken_connection(hub, http):
    session_id = await hub.create_session("C-2")
    first, _ = await join(http, hub, session_id, "suspect")
    second, welcome = await join(http, hub, session_id, "suspect")
    assert isinstance(welcome, m.Welcome)
    assert m.parse((await first.receive()).data) == m.Refused(
        "superseded", "this station joined again on a new connection"
    )
    await first.close()
    await asyncio.sleep(0.2)  # the old connection's end must not unseat the new one
    await second.send_str(m.ClockPing(1.0).to_json())
    assert isinstance(m.parse((await second.receive()).data), m.ClockPong)
    assert "suspect" in hub.live(session_id).sockets
    await second.close()


async def test_an_unknown_session_is_refused(hub, http):
    _, refusal = await join(http, hub, "no-such-session", "suspect")
    assert isinstance(refusal, m.Refused) and refusal.code == "unknown_session"


async def test_a_malformed_message_is_refused_and_the_station_stays_connected(hub, http):
    session_id = await hub.create_session("C-3")
    ws, _ = await join(http, hub, session_id, "prosecutor")
    await ws.send_str('{"type": "request_step"}')
    refusal = m.parse((await ws.receive()).data)
    assert isinstance(refusal, m.Refused) and refusal.code == "bad_message"
    await ws.send_str(m.RequestStep("announce").to_json())
    refusal = m.parse((await ws.receive()).data)
    assert refusal.code == "illegal_step"  # still connected, and the session is unchanged
    await ws.close()


async def test_an_oversized_message_closes_the_connection(hub, http):
    session_id = await hub.create_session("C-4")
    ws, _ = await join(http, hub, session_id, "prosecutor")
    await ws.send_str(json.dumps({"type": "request_step", "step": "x" * (m.MAX_MESSAGE_BYTES + 1)}))
    message = await ws.receive()
    assert message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
    assert ws.close_code == aiohttp.WSCloseCode.MESSAGE_TOO_BIG


async def test_a_step_by_the_wrong_role_is_refused_in_words(hub, http):
    session_id = await hub.create_session("C-5")
    ws, _ = await join(http, hub, session_id, "suspect")
    await ws.send_str(m.RequestStep("close").to_json())
    refusal = m.parse((await ws.receive()).data)
    assert refusal == m.Refused("wrong_role", "the suspect may not close")
    await ws.close()


async def test_a_signature_on_the_signaling_connection_is_refused_and_not_stored(hub, http):
    session_id = await hub.create_session("C-6")
    ws, _ = await join(http, hub, session_id, "suspect")
    strokes = {"role": "suspect", "width": 100, "height": 50, "strokes": [[[1, 1, 0, 0.5]]]}
    await ws.send_str(m.SubmitSignature(strokes).to_json())
    refusal = m.parse((await ws.receive()).data)
    assert refusal.code == "unexpected"  # it belongs on the data channel, beside the media
    assert hub.store.signatures(session_id) == {}
    await ws.close()


async def test_a_line_breaking_mid_broadcast_does_not_keep_the_news_from_the_others(hub, http):
    class BreakingLine:
        closed = False

        async def send_str(self, text: str) -> None:
            raise ConnectionResetError("the lawyer's line is breaking")

    session_id = await hub.create_session("C-broken")
    suspect, _ = await join(http, hub, session_id, "suspect")
    lawyer, _ = await join(http, hub, session_id, "lawyer")
    assert m.parse((await suspect.receive()).data) == m.PeerJoined("lawyer")
    live = hub.live(session_id)
    live.sockets["lawyer"] = BreakingLine()
    prosecutor, _ = await join(http, hub, session_id, "prosecutor")
    assert m.parse((await suspect.receive()).data) == m.PeerJoined("prosecutor")
    update = m.parse((await suspect.receive()).data)
    assert isinstance(update, m.StateUpdate) and update.state == "room_ready"
    live.sockets["lawyer"] = lawyer
    for ws in (suspect, lawyer, prosecutor):
        await ws.close()


async def test_the_hub_answers_clock_pings_with_its_session_time(hub, http):
    session_id = await hub.create_session("C-7")
    ws, _ = await join(http, hub, session_id, "lawyer")
    before = hub.clock.now()
    await ws.send_str(m.ClockPing(t0=12345.0).to_json())
    pong = m.parse((await ws.receive()).data)
    assert isinstance(pong, m.ClockPong) and pong.t0 == 12345.0
    assert before <= pong.t1 <= pong.t2 <= hub.clock.now()
    await ws.close()


async def test_a_media_origin_reaches_the_receiving_party_from_the_sender(hub, http):
    session_id = await hub.create_session("C-8")
    suspect, _ = await join(http, hub, session_id, "suspect")
    lawyer, _ = await join(http, hub, session_id, "lawyer")
    await suspect.receive()  # peer_joined
    await lawyer.send_str(m.MediaOrigin("suspect", "video", 3.25).to_json())
    assert m.parse((await suspect.receive()).data) == m.MediaOrigin("lawyer", "video", 3.25)
    await suspect.close()
    await lawyer.close()


async def test_a_join_without_the_partys_token_is_refused(hub, http):
    session_id = await hub.create_session("C-9")
    other = await hub.create_session("C-10")
    _, refusal = await join(http, hub, session_id, "prosecutor", token="0" * 64)
    assert refusal.code == "bad_token"
    # A token opens one role of one session only.
    suspect_token = hub.tokens.issue(session_id, "suspect")
    _, refusal = await join(http, hub, session_id, "prosecutor", token=suspect_token)
    assert refusal.code == "bad_token"
    _, refusal = await join(http, hub, other, "suspect", token=suspect_token)
    assert refusal.code == "bad_token"


async def test_only_the_sessions_parties_may_join(hub, http):
    session_id = await hub.create_session("C-11")
    _, refusal = await join(http, hub, session_id, "interpreter")
    assert refusal.code == "not_a_party"


def test_muted_parties_sound_stays_out_of_the_recording_but_their_picture_does_not():
    class Recorder:
        def __init__(self):
            self.pushed = []

        def push_video(self, role, image, t):
            self.pushed.append((role, "video"))

        def push_audio(self, role, samples, sample_rate, t):
            self.pushed.append((role, "audio"))

    recorder = Recorder()
    feed = RecorderFeed(lambda: 0.0, ("suspect",), lambda: None)
    feed.attach(recorder)
    feed.mute_audio(frozenset({"suspect"}))
    audio = AudioFrame(format="s16", layout="mono", samples=960)
    audio.sample_rate, audio.pts = 48000, 0
    audio.time_base = Fraction(1, 48000)
    video = VideoFrame(64, 48, "yuv420p")
    video.pts, video.time_base = 0, Fraction(1, 90000)
    feed("suspect", "audio", audio, 1.0)
    feed("suspect", "video", video, 1.0)
    feed.mute_audio(frozenset())
    feed("suspect", "audio", audio, 1.02)
    assert recorder.pushed == [("suspect", "video"), ("suspect", "audio")]


async def test_a_session_closed_before_the_hub_restarted_takes_no_station_again(tmp_path, http):
    database = tmp_path / "hub.sqlite3"
    earlier = Store(database)
    session_id = earlier.create_session("C-done", 0.0, REQUIRED_ROLES, False)
    earlier.add_state_change(
        session_id, StateChanged(State.CLOSING, State.CLOSED, Step.FINISH, "hub", 10.0)
    )
    earlier.close()
    hub = Hub(
        Store(database),
        tmp_path / "recordings",
        recorders=composite_recorders(),
        accounts=AccountStore(":memory:"),
    )  # the hub started again
    await hub.start("127.0.0.1", 0)
    try:
        ws, refusal = await join(http, hub, session_id, "prosecutor")
        assert refusal.code == "session_closed" and "会话已结束" in refusal.message
        # The hub closes the connection after refusing: a station answers the close at once.
        # (Left unanswered, the hub's side waits for aiohttp's close timeout, 10 s.)
        assert (await ws.receive()).type is aiohttp.WSMsgType.CLOSE
        await ws.close()
        assert hub.live(session_id) is None  # nothing opened: no second recording can begin
        headers = {"Authorization": f"Bearer {hub.tokens.issue(session_id, 'prosecutor')}"}
        url = f"{hub.url}/api/sessions/{session_id}/agreement"
        async with http.put(url, data=b"%PDF-1.7", headers=headers) as response:
            assert response.status == 410
    finally:
        await hub.close()


def test_a_capture_time_far_from_the_hubs_clock_is_not_believed():
    times: list[float] = []

    class Recorder:
        def push_video(self, role, image, t):
            times.append(t)

        def push_audio(self, role, samples, sample_rate, t):
            pass

    feed = RecorderFeed(lambda: 100.0, ("suspect",), lambda: None)
    feed.attach(Recorder())
    video = VideoFrame(64, 48, "yuv420p")
    video.pts, video.time_base = 0, Fraction(1, 90000)
    feed("suspect", "video", video, 99.6)  # a station's clock within the pipeline's delay
    feed("suspect", "video", video, 40.0)  # one still on a clock from before a hub restart
    assert times == [99.6, 100.0]


def test_decoded_sound_is_placed_at_the_instant_it_was_captured():
    """The stations' Opus encoder delays its sound by its look-ahead; the feed takes it off."""
    placed: list[tuple[float, np.ndarray]] = []

    class Recorder:
        def push_video(self, role, image, t):
            pass

        def push_audio(self, role, samples, sample_rate, t):
            placed.append((t, samples))

    feed = RecorderFeed(lambda: 100.0, ("suspect",), lambda: None)
    feed.attach(Recorder())
    encoder, decoder = OpusEncoder(), OpusDecoder()
    onset = 2 * 960 + 480  # a tone starts 50 ms into the sound, captured from 100.0 on
    sound = np.zeros(10 * 960, np.int16)
    sound[onset:] = (np.sin(np.arange(len(sound) - onset) * 2 * np.pi / 48) * 12000).astype(
        np.int16
    )
    for k in range(10):
        frame = AudioFrame.from_ndarray(
            sound[k * 960 : (k + 1) * 960].reshape(1, -1), "s16", "mono"
        )
        frame.sample_rate, frame.pts, frame.time_base = 48000, k * 960, Fraction(1, 48000)
        payloads, timestamp = encoder.encode(frame)
        for decoded in decoder.decode(JitterFrame(payloads[0], timestamp)):
            feed("suspect", "audio", decoded, 100.0 + timestamp / 48000)  # as the mesh says
    t0 = placed[0][0]
    heard = np.concatenate([samples for _, samples in placed]).reshape(-1, 2)[:, 0]
    start = int(np.argmax(np.abs(heard) > 3000))
    assert t0 + start / 48000 == pytest.approx(100.0 + onset / 48000, abs=0.0006)


def test_a_store_made_by_an_earlier_hub_opens_with_its_sessions(tmp_path):
    database = tmp_path / "hub.sqlite3"
    with sqlite3.connect(database) as db:  # the sessions table as hubs made it before accounts
        db.execute("CREATE TABLE sessions (id VARCHAR(36) PRIMARY KEY, case_number VARCHAR(64) "
                   "NOT NULL, state VARCHAR(32) NOT NULL, created_at FLOAT NOT NULL, parties "
                   "TEXT NOT NULL, minor BOOLEAN NOT NULL)")  # fmt: skip
        db.execute("INSERT INTO sessions VALUES ('s1', 'C-old', 'hearing', 1.0, "
                   "'[\"suspect\", \"prosecutor\", \"lawyer\"]', 0)")  # fmt: skip
    record = Store(database).session("s1")
    assert record is not None and record.state == "hearing" and record.case_number == "C-old"
    assert record.parties == REQUIRED_ROLES and record.assigned == {} and record.day == ""
