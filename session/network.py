"""Where WebRTC media may flow: the host addresses ICE offers, and no public STUN server.

A hub and its stations run on a closed justice network; media must stay on the addresses the
technical department names. aiortc has no setting for this, so the host-address lookup of its
ICE library is replaced for the whole process by :func:`restrict_media_addresses`. The demo
and the tests keep everything on the loopback interface.
"""

from __future__ import annotations

from collections.abc import Sequence

import aioice.ice
from aiortc import RTCConfiguration, RTCPeerConnection

LOOPBACK = ("127.0.0.1",)


def restrict_media_addresses(addresses: Sequence[str] = LOOPBACK) -> None:
    """Offer ICE host candidates on these addresses only (process-wide)."""
    chosen = list(addresses)

    def host_addresses(use_ipv4: bool, use_ipv6: bool) -> list[str]:
        return [a for a in chosen if (":" in a and use_ipv6) or (":" not in a and use_ipv4)]

    aioice.ice.get_host_addresses = host_addresses


def new_peer_connection() -> RTCPeerConnection:
    """A peer connection that never contacts a STUN or TURN server outside the network."""
    return RTCPeerConnection(RTCConfiguration(iceServers=[]))
