"""The recorder takes each party's picture as the station compressed it (for the party's own
file), and can ask the station for a key frame, over a real peer connection on loopback."""

from __future__ import annotations

import av
from livecall import until
from test_shared_media import Camera

from recording.media import vp8
from session.rtc import shared_media
from session.rtc.mesh import MediaMesh


async def test_the_recorder_gets_the_stations_bytes_and_a_key_frame_when_it_asks(monkeypatch):
    monkeypatch.setattr(shared_media, "KEYFRAME_GAP", 0.0)
    sent: list[bytes] = []
    encode = vp8.Encoder.encode

    def spy(self, frame, key):  # what the station's one encoder made
        packets = encode(self, frame, key)
        sent.extend(bytes(p) for p in packets)
        return packets

    monkeypatch.setattr(vp8.Encoder, "encode", spy)
    got: list[tuple[bytes, float]] = []
    decoded: list[float] = []
    meshes: dict[str, MediaMesh] = {}

    async def to(role: str, peer: str, kind: str, sdp: str) -> None:
        await meshes[peer].handle_signal(role, kind, sdp)

    meshes["recorder"] = MediaMesh(
        "recorder", [], lambda peer, kind, sdp: to("recorder", peer, kind, sdp),
        on_frame=lambda peer, kind, frame, t: decoded.append(float(frame.pts * frame.time_base)),
        on_compressed=lambda peer, data, media_time, t: got.append((data, media_time)),
    )  # fmt: skip
    meshes["suspect"] = MediaMesh(
        "suspect", [Camera(pace=0.02)], lambda peer, kind, sdp: to("suspect", peer, kind, sdp)
    )
    try:
        await meshes["suspect"].offer("recorder")
        await until(lambda: len(got) >= 30 and len(decoded) >= 30)
        before = len(got)
        meshes["recorder"].ask_keyframe("suspect")
        await until(lambda: any(vp8.is_keyframe(data) for data, _ in got[before:]))
    finally:
        for mesh in meshes.values():
            await mesh.close()
    data = [d for d, _ in got]
    start = sent.index(data[0])
    assert data == sent[start : start + len(data)]  # the very bytes, none missing, in order
    assert vp8.is_keyframe(data[0]) and vp8.keyframe_size(data[0]) == (160, 120)
    # Each compressed picture has the time its decoded frame has.
    assert [t for _, t in got[: len(decoded)]] == decoded[: len(got)]
    decoder = av.CodecContext.create("libvpx", "r")
    assert sum(len(decoder.decode(av.Packet(d))) for d in data) == len(data)
