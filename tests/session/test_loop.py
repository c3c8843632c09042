"""A station's event loop takes in a burst of packets in a turn, not one packet a turn."""

from __future__ import annotations

import asyncio
import socket

from session import loop as station_loop


async def test_a_turn_of_the_loop_reads_a_burst_of_datagrams():
    loop = asyncio.get_running_loop()
    received: list[bytes] = []

    class Socket(asyncio.DatagramProtocol):
        def datagram_received(self, data: bytes, addr: object) -> None:
            received.append(data)

    transport, _ = await loop.create_datagram_endpoint(Socket, local_addr=("127.0.0.1", 0))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as peer:
        for index in range(64):  # a picture's packets and some sound, all waiting at once
            peer.sendto(index.to_bytes(2, "big"), transport.get_extra_info("sockname"))
        try:
            read_per_turn = []
            for _ in range(3):
                before = len(received)
                await asyncio.sleep(0)
                read_per_turn.append(len(received) - before)
        finally:
            transport.close()
    assert max(read_per_turn) >= 16, read_per_turn
    assert received == [index.to_bytes(2, "big") for index in range(len(received))]


def test_the_loop_runs_a_coroutine_to_its_end():
    async def answer() -> int:
        await asyncio.sleep(0)
        return 42

    assert station_loop.run(answer()) == 42
