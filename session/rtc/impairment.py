"""A bad network on one machine: relays on 127.0.0.1 that lose, delay and cut traffic.

Detention centres are often linked by congested or flaky lines, and a session must survive them:
keep going through some loss and jitter, and come back when the line drops for a few seconds.
These relays put such a line between a station and the hub, so that can be tried on a training
machine or in a test without touching the operating system's network settings (``tc netem``
needs root and affects every program).

* :class:`UdpRelay` sits in front of a TURN server (``session.rtc.network.MediaRoute``): every
  datagram of media crosses it, each one lost, delayed or reordered at random under an
  :class:`Impairment`, and nothing at all gets through while the line is :meth:`~UdpRelay.cut`.
* :class:`TcpRelay` sits in front of the hub's signaling port. It does not lose bytes (TCP
  would resend them), but while cut it holds them, and holds new connections, as a dead line
  does; the endpoints' own timeouts decide when to give up.

Randomness comes from a seeded ``random.Random``, so a run can be repeated.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)

Address = tuple[str, int]
#: ``(data, sender's address)``: one datagram arrived.
DatagramHandler = Callable[[bytes, Address], None]


@dataclass(frozen=True)
class Impairment:
    """What the line does to each datagram that crosses it once.

    A datagram is lost with probability ``loss``; otherwise it arrives ``delay`` seconds late
    plus a uniformly random extra of up to ``jitter`` seconds. Each datagram is delayed on its
    own, so datagrams closer together than the jitter arrive out of order, as on a real
    congested path.
    """

    loss: float = 0.0
    delay: float = 0.0
    jitter: float = 0.0

    def __post_init__(self) -> None:
        if not 0.0 <= self.loss < 1.0:
            raise ValueError(f"loss must be in [0, 1): {self.loss}")
        if self.delay < 0 or self.jitter < 0:
            raise ValueError("delay and jitter cannot be negative")

    @classmethod
    def end_to_end(
        cls, loss: float = 0.0, delay: float = 0.0, jitter: float = 0.0, crossings: int = 2
    ) -> Impairment:
        """The setting per crossing that gives these figures end to end, for a datagram that
        crosses the relay ``crossings`` times (twice through a TURN server: in, then out)."""
        return cls(1.0 - (1.0 - loss) ** (1.0 / crossings), delay / crossings, jitter / crossings)

    def fate(self, rng: random.Random) -> float | None:
        """Seconds until this datagram is delivered, or ``None``: it is lost."""
        if self.loss and rng.random() < self.loss:
            return None
        return self.delay + (rng.uniform(0.0, self.jitter) if self.jitter else 0.0)


class _Datagrams(asyncio.DatagramProtocol):
    """Hands every datagram of one socket to a callback."""

    def __init__(self, received: DatagramHandler) -> None:
        self._received = received

    def datagram_received(self, data: bytes, addr: Address) -> None:
        self._received(data, addr)

    def error_received(self, exc: Exception) -> None:
        # A datagram sent to a closed port comes back as an ICMP error: on a real line it
        # would just vanish, so it does here too.
        log.debug("relay socket error: %s", exc)


def _roomy(transport: asyncio.DatagramTransport) -> None:
    """Give the socket a large receive buffer: every client's media queues on it while the
    event loop is busy, and the line should lose only what the impairment says (the kernel
    caps the size at ``net.core.rmem_max``)."""
    transport.get_extra_info("socket").setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)


class UdpRelay:
    """Forwards datagrams between its clients and one upstream address, impaired.

    Each client gets its own socket towards upstream, so upstream (a TURN server) tells clients
    apart by address as it would without the relay. Change :attr:`impairment` at any time.
    """

    def __init__(
        self,
        upstream: Address,
        impairment: Impairment | None = None,
        *,
        seed: int = 0,
        host: str = "127.0.0.1",
    ) -> None:
        self.upstream = upstream
        self.impairment = impairment or Impairment()
        self.forwarded = 0
        self.dropped = 0
        self._host = host
        self._rng = random.Random(seed)
        self._cut = False
        self._listener: asyncio.DatagramTransport | None = None
        self._clients: dict[Address, asyncio.DatagramTransport] = {}
        self._waiting: dict[Address, list[bytes]] = {}
        self._opening: set[asyncio.Task[None]] = set()
        self._in_flight: set[asyncio.TimerHandle] = set()

    async def start(self) -> Address:
        """Listen on a free port; returns the address clients should send to."""
        loop = asyncio.get_running_loop()
        self._listener, _ = await loop.create_datagram_endpoint(
            lambda: _Datagrams(self._from_client), local_addr=(self._host, 0)
        )
        _roomy(self._listener)
        return self.address

    @property
    def address(self) -> Address:
        """Where clients send to."""
        if self._listener is None:
            raise RuntimeError("the relay is not started")
        host, port = self._listener.get_extra_info("sockname")[:2]
        return host, port

    @property
    def is_cut(self) -> bool:
        """Whether the line is down."""
        return self._cut

    def cut(self) -> None:
        """Take the line down: nothing is delivered, not even what is already on its way."""
        self._cut = True

    def restore(self) -> None:
        """Bring the line back."""
        self._cut = False

    async def close(self) -> None:
        """Stop relaying and close every socket."""
        for task in self._opening:
            task.cancel()
        await asyncio.gather(*self._opening, return_exceptions=True)
        for handle in self._in_flight:
            handle.cancel()
        self._in_flight.clear()
        for transport in self._clients.values():
            transport.close()
        self._clients.clear()
        if self._listener is not None:
            self._listener.close()
            self._listener = None

    def _from_client(self, data: bytes, client: Address) -> None:
        transport = self._clients.get(client)
        if transport is not None:
            self._pass(transport, data, None)
        elif client in self._waiting:
            self._waiting[client].append(data)
        else:
            self._waiting[client] = [data]
            task = asyncio.get_running_loop().create_task(self._open_upstream(client))
            self._opening.add(task)
            task.add_done_callback(self._opening.discard)

    async def _open_upstream(self, client: Address) -> None:
        loop = asyncio.get_running_loop()

        def from_upstream(data: bytes, addr: Address) -> None:
            if self._listener is not None:
                self._pass(self._listener, data, client)

        transport, _ = await loop.create_datagram_endpoint(
            lambda: _Datagrams(from_upstream), local_addr=(self._host, 0), remote_addr=self.upstream
        )
        _roomy(transport)
        self._clients[client] = transport
        for data in self._waiting.pop(client, []):
            self._pass(transport, data, None)

    def _pass(self, transport: asyncio.DatagramTransport, data: bytes, to: Address | None) -> None:
        """Send one datagram on, or lose it, as the line would."""
        after = None if self._cut else self.impairment.fate(self._rng)
        if after is None:
            self.dropped += 1
            return
        if after == 0.0:
            self._deliver(transport, data, to, None)
            return
        loop = asyncio.get_running_loop()
        handle: asyncio.TimerHandle | None = None
        due = time.monotonic() + after

        def arrive() -> None:
            nonlocal handle
            early = due - time.monotonic()
            if early > 0:  # uvloop's timers count whole milliseconds and may fire a little early
                self._in_flight.discard(handle)
                handle = loop.call_later(early, arrive)
                self._in_flight.add(handle)
                return
            self._deliver(transport, data, to, handle)

        handle = loop.call_later(after, arrive)
        self._in_flight.add(handle)

    def _deliver(
        self,
        transport: asyncio.DatagramTransport,
        data: bytes,
        to: Address | None,
        handle: asyncio.TimerHandle | None,
    ) -> None:
        if handle is not None:
            self._in_flight.discard(handle)
        if self._cut:  # the line went down while the datagram was on its way
            self.dropped += 1
        elif not transport.is_closing():
            transport.sendto(data, to)
            self.forwarded += 1


class TcpRelay:
    """Forwards TCP connections to one upstream address; while cut, holds every byte and every
    new connection until the line is restored."""

    def __init__(self, upstream: Address, *, host: str = "127.0.0.1") -> None:
        self.upstream = upstream
        self._host = host
        self._line = asyncio.Event()
        self._line.set()
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()

    async def start(self) -> Address:
        """Listen on a free port; returns the address clients should connect to."""
        self._server = await asyncio.start_server(self._serve, self._host, 0)
        host, port = self._server.sockets[0].getsockname()[:2]
        return host, port

    @property
    def is_cut(self) -> bool:
        """Whether the line is down."""
        return not self._line.is_set()

    def cut(self) -> None:
        """Take the line down: bytes in either direction wait, and so do new connections."""
        self._line.clear()

    def restore(self) -> None:
        """Bring the line back: what waited is delivered (to a peer that may have given up)."""
        self._line.set()

    async def close(self) -> None:
        """Stop listening and end every relayed connection."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for task in list(self._connections):
            task.cancel()
        await asyncio.gather(*self._connections, return_exceptions=True)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        upstream_writer: asyncio.StreamWriter | None = None
        try:
            await self._line.wait()  # a connection attempt over a dead line goes nowhere yet
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.upstream)
            pumps = [
                asyncio.create_task(self._pump(reader, upstream_writer)),
                asyncio.create_task(self._pump(upstream_reader, writer)),
            ]
            try:
                # When one side is finished, so is the connection.
                await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for pump in pumps:
                    pump.cancel()
                await asyncio.gather(*pumps, return_exceptions=True)
        except OSError as exc:
            log.debug("relayed connection ended: %s", exc)
        finally:
            for end in (writer, upstream_writer):
                if end is not None:
                    end.close()
                    with contextlib.suppress(OSError):
                        await end.wait_closed()
            self._connections.discard(task)

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError):
            while data := await reader.read(65536):
                await self._line.wait()
                writer.write(data)
                await writer.drain()
            await self._line.wait()  # the end of the connection is held back too
