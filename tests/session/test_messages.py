"""Signaling messages: round trips and rejection of bad input at the boundary."""

import json

import pytest

from session import messages as m


@pytest.mark.parametrize(
    "message",
    [
        m.Join("suspect", "0f" * 32),
        m.Welcome("s1", "lawyer", "scheduled", ["suspect"]),
        m.Signal("recorder", "offer", "v=0\r\n"),
        m.RequestStep("announce"),
        m.StateUpdate("recording", "room_ready", "start_recording", "hub", 12.5),
        m.Refused("illegal_step", "not now"),
        m.SubmitSignature({"role": "suspect", "width": 10, "height": 10, "strokes": []}),
    ],
)
def test_every_message_survives_the_wire(message):
    assert m.parse(message.to_json()) == message


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("not json", "not JSON"),
        ("[1, 2]", "JSON object"),
        ('{"type": "teleport"}', "unknown or missing message type"),
        ('{"type": "join"}', "missing role"),
        ('{"type": "join", "role": "judge", "token": "t"}', "unknown role"),
        ('{"type": "join", "role": 5, "token": "t"}', "wrong type"),
        ('{"type": "join", "role": "suspect", "token": "t", "admin": 1}', "unknown fields"),
        ('{"type": "signal", "peer": "lawyer", "kind": "bye", "sdp": ""}', "description kind"),
    ],
)
def test_malformed_messages_are_refused_with_a_reason(text, complaint):
    with pytest.raises(m.MessageError, match=complaint):
        m.parse(text)


def test_an_oversized_message_is_refused_before_it_is_parsed():
    text = json.dumps({"type": "join", "role": "x" * m.MAX_MESSAGE_BYTES})
    with pytest.raises(m.MessageError, match="exceeds"):
        m.parse(text)
