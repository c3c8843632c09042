"""The age v1 payload: STREAM over ChaCha20-Poly1305 in 64 KiB chunks, on two worker threads.

The payload key is HKDF(file key, salt=nonce, "payload"). The plaintext is cut into 64 KiB
chunks, each sealed under the nonce ``counter (11 bytes, big-endian) || last flag``; only the
final chunk carries flag 1, which is how a cut-off file is told apart from a whole one. An
empty plaintext is one empty final chunk; a final chunk may be full.

Where the time goes, and why the pipeline looks like this (figures in bench/bench_age.py): the
cipher is two thirds of the CPU time (OpenSSL's own speed), reading and writing the page cache
most of the rest. ``cryptography`` releases the GIL while sealing a chunk, as Python does in
``pread``/``pwrite``, so two threads can keep both cores busy. Between regular files every
chunk's place is known in advance (chunk ``i`` of the plaintext at ``i * 64 KiB``, of the
ciphertext at ``i * (64 KiB + 16)`` after the header), so each worker reads, seals and writes
its own blocks (:func:`_positional`) in pieces small enough to stay in its core's cache; no
thread shuttles data for the others. Pipes and wrapped streams go through :func:`_pipeline`
instead: this thread reads and writes in order while the workers seal. Buffers are allocated
once and reused (``readinto``/``preadv``, ``encrypt_into``/``decrypt_into``), so memory use is
a few MiB whatever the file size.
"""

from __future__ import annotations

import fcntl
import os
import stat
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from recording.archive.errors import AlteredFileError, DamagedFileError, TruncatedFileError

Progress = Callable[[int, int], None]
"""``progress(done_bytes, total_bytes)``, called every block (a few MiB) and once at the end."""

CHUNK_SIZE = 64 * 1024
TAG_SIZE = 16
BLOCK_CHUNKS = 16  # chunks per unit of work for a worker (1 MiB of plaintext)
FILE_BLOCK_CHUNKS = 64  # between files: fewer, bigger units (4 MiB), fewer wake-ups here
PIECE_CHUNKS = 4  # chunks per read-seal-write step between files: in and out fit a core's L2
WORKERS = 2
_WINDOW = 4  # blocks in flight; with the two being read and written, six buffers in the pool
_MORE, _LAST = b"\x00", b"\x01"


class Readable(Protocol):
    """What the pipeline reads from: a binary stream with ``readinto``."""

    def readinto(self, buffer: memoryview, /) -> int | None:
        """Read into ``buffer``; return the count (0 at the end)."""


class Writable(Protocol):
    """What the pipeline writes to."""

    def write(self, data: memoryview, /) -> int | None:
        """Write all of ``data``."""


class _Slot:
    """One reusable pair of buffers: a block of input and room for its output."""

    def __init__(self, in_size: int, out_size: int) -> None:
        self.input = memoryview(bytearray(in_size))
        self.output = memoryview(bytearray(out_size))


def _fill(src: Readable, view: memoryview) -> int:
    """Read until ``view`` is full or the stream ends (pipes return short reads)."""
    filled = 0
    while filled < len(view):
        count = src.readinto(view[filled:])
        if not count:
            break
        filled += count
    return filled


Transform = Callable[[_Slot, int, int, bool], int]
"""``transform(slot, input_bytes, first_chunk_counter, is_final_block) -> output_bytes``."""


def _pipeline(
    src: Readable,
    dst: Writable,
    in_chunk: int,
    out_chunk: int,
    transform: Transform,
    progress: Progress | None,
    done: int,
    total: int,
) -> int:
    """Read blocks, transform them on worker threads, write them in order; return ``done``+read.

    A block is known to be the last only once the next read comes back empty, so each block is
    submitted after the following one has been read.
    """
    in_size, out_size = in_chunk * BLOCK_CHUNKS, out_chunk * BLOCK_CHUNKS
    free = deque(_Slot(in_size, out_size) for _ in range(_WINDOW + 2))
    pending: deque[tuple[Future[int], _Slot, int]] = deque()

    def write_oldest() -> None:
        nonlocal done
        future, slot, size = pending.popleft()
        dst.write(slot.output[: future.result()])
        free.append(slot)
        done += size
        if progress is not None:
            progress(done, max(total, done))

    with ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="age") as pool:
        try:
            slot = free.popleft()
            size = _fill(src, slot.input)
            counter = 0
            while True:
                if not free:
                    write_oldest()
                following = free.popleft()
                next_size = _fill(src, following.input) if size == in_size else 0
                last = next_size == 0
                pending.append((pool.submit(transform, slot, size, counter, last), slot, size))
                counter += BLOCK_CHUNKS
                while pending and (last or len(pending) > _WINDOW):
                    write_oldest()
                if last:
                    return done
                slot, size = following, next_size
        finally:
            for future, _, _ in pending:
                future.cancel()


def _file_position(stream: object, writing: bool) -> tuple[int, int] | None:
    """``(descriptor, offset)`` of a regular file to use with ``pread``/``pwrite``, else None.

    None for pipes, sockets, in-memory and wrapped streams (whatever has no ``fileno``, such
    as a reader that hashes what passes through it) and for files opened for appending.
    """
    fileno, tell = getattr(stream, "fileno", None), getattr(stream, "tell", None)
    if fileno is None or tell is None:
        return None
    try:
        descriptor = fileno()
        if writing:
            stream.flush()  # type: ignore[attr-defined]
        offset = tell()
        regular = stat.S_ISREG(os.fstat(descriptor).st_mode)
    except (OSError, ValueError):  # io.UnsupportedOperation is both
        return None
    if not regular or (writing and _appending(descriptor)):
        return None
    return descriptor, offset


def _appending(descriptor: int) -> bool:
    return bool(fcntl.fcntl(descriptor, fcntl.F_GETFL) & os.O_APPEND)  # pwrite would append


def _pread_full(descriptor: int, view: memoryview, offset: int) -> None:
    while view:
        count = os.preadv(descriptor, [view], offset)
        if not count:
            raise TruncatedFileError("The file got shorter while it was being read.")
        view, offset = view[count:], offset + count


def _pwrite_full(descriptor: int, view: memoryview, offset: int) -> None:
    while view:
        count = os.pwrite(descriptor, view, offset)
        view, offset = view[count:], offset + count


def _positional(
    src: Readable,
    dst: Writable,
    in_chunk: int,
    out_chunk: int,
    transform: Transform,
    progress: Progress | None,
    done: int,
    total: int,
) -> int | None:
    """Like :func:`_pipeline`, between regular files, each worker at its own offsets.

    Returns None, having touched nothing, unless both ends are regular files. This thread
    only hands out blocks and waits for them in order, so progress is reported in order and
    the first failing block in file order is the error raised. Blocks after a failed one may
    already be written: the caller discards the output on error, as for the stream path.
    """
    source, target = _file_position(src, False), _file_position(dst, True)
    if source is None or target is None:
        return None
    (src_fd, src_at), (dst_fd, dst_at) = source, target
    size = max(0, os.fstat(src_fd).st_size - src_at)
    block, piece = in_chunk * FILE_BLOCK_CHUNKS, in_chunk * PIECE_CHUNKS
    free = deque(_Slot(piece, out_chunk * PIECE_CHUNKS) for _ in range(WORKERS))

    def run(start: int) -> None:
        slot = free.popleft()  # never empty: at most WORKERS blocks run at once
        try:
            stop = min(start + block, size)
            for at in range(start, stop, piece) or range(start, start + 1):
                length = min(piece, stop - at)
                _pread_full(src_fd, slot.input[:length], src_at + at)
                counter = at // in_chunk
                written = transform(slot, length, counter, at + length == size)
                _pwrite_full(dst_fd, slot.output[:written], dst_at + counter * out_chunk)
        finally:
            free.append(slot)

    starts = range(0, size, block) or range(1)
    pending: deque[tuple[Future[None], int]] = deque()
    with ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="age") as pool:
        try:
            for start in starts:
                pending.append((pool.submit(run, start), start))
                while pending and (start == starts[-1] or len(pending) > _WINDOW):
                    future, begun = pending.popleft()
                    future.result()
                    done += min(block, size - begun)
                    if progress is not None:
                        progress(done, max(total, done))
        finally:
            for future, _ in pending:
                future.cancel()
    # Leave both streams where the stream path would: after what was read and written.
    chunks = max(1, -(-size // in_chunk))
    src.seek(src_at + size)  # type: ignore[attr-defined]
    dst.seek(dst_at + size + chunks * (out_chunk - in_chunk))  # type: ignore[attr-defined]
    return done


def _nonce(counter: int) -> bytes:
    return counter.to_bytes(11, "big")


def _seal_block(aead: ChaCha20Poly1305, slot: _Slot, size: int, counter: int, last: bool) -> int:
    # Kept lean on purpose: this loop runs once per 64 KiB of a multi-gigabyte recording.
    seal, source, target = aead.encrypt_into, slot.input, slot.output
    starts = range(0, size, CHUNK_SIZE) or range(1)  # an empty file is one empty chunk
    final = starts[-1] if last else -1
    out = 0
    for start in starts:
        chunk = source[start : min(start + CHUNK_SIZE, size)]
        nonce = counter.to_bytes(11, "big") + (_LAST if start == final else _MORE)
        end = out + len(chunk) + TAG_SIZE
        seal(nonce, chunk, None, target[out:end])
        out = end
        counter += 1
    return out


def _chunk_failure(
    aead: ChaCha20Poly1305, counter: int, chunk: memoryview, last: bool, name: str
) -> DamagedFileError:
    """Say why a chunk failed: a whole chunk not marked final means the rest was cut off."""
    try:
        aead.decrypt(_nonce(counter) + (_MORE if last else _LAST), chunk, None)
    except InvalidTag:
        return AlteredFileError(
            f"{name} failed its integrity check (it was altered or cut short). Do not use it; "
            "use another copy and report the discrepancy."
        )
    if last:
        return TruncatedFileError(
            f"{name} ends early: its final part is missing. Copy it again from another disc."
        )
    return AlteredFileError(f"{name} has extra data after its end: the file was altered.")


def _open_block(
    aead: ChaCha20Poly1305, name: str, slot: _Slot, size: int, counter: int, last: bool
) -> int:
    step = CHUNK_SIZE + TAG_SIZE
    unseal, source, target = aead.decrypt_into, slot.input, slot.output
    starts = range(0, size, step)
    if not starts:
        raise TruncatedFileError(f"{name} ends right after its header: the contents are missing.")
    final = starts[-1] if last else -1
    out = 0
    for start in starts:
        chunk = source[start : min(start + step, size)]
        if len(chunk) <= TAG_SIZE and (counter or len(chunk) < TAG_SIZE):
            # Only the first chunk may be empty; anything shorter than a tag is a cut.
            raise TruncatedFileError(f"{name} ends early: its final part is missing.")
        end = out + len(chunk) - TAG_SIZE
        flag = _LAST if start == final else _MORE
        try:
            unseal(_nonce(counter) + flag, chunk, None, target[out:end])
        except InvalidTag:
            raise _chunk_failure(aead, counter, chunk, start == final, name) from None
        out = end
        counter += 1
    return out


def encrypt_payload(
    src: Readable,
    dst: Writable,
    payload_key: bytes,
    progress: Progress | None = None,
    total: int = 0,
) -> int:
    """Seal everything ``src`` holds into ``dst`` under ``payload_key``; return bytes read."""
    aead = ChaCha20Poly1305(payload_key)

    def transform(slot: _Slot, size: int, counter: int, last: bool) -> int:
        return _seal_block(aead, slot, size, counter, last)

    shape = (CHUNK_SIZE, CHUNK_SIZE + TAG_SIZE)
    read = _positional(src, dst, *shape, transform, progress, 0, total)
    return _pipeline(src, dst, *shape, transform, progress, 0, total) if read is None else read


def decrypt_payload(
    src: Readable,
    dst: Writable,
    payload_key: bytes,
    progress: Progress | None = None,
    done: int = 0,
    total: int = 0,
    name: str = "The file",
) -> int:
    """Open every chunk of ``src`` into ``dst``; ``done`` counts header bytes already read.

    Each block is authenticated before it is written, but a later block may still fail: the
    caller must discard ``dst`` on error.
    """
    aead = ChaCha20Poly1305(payload_key)

    def transform(slot: _Slot, size: int, counter: int, last: bool) -> int:
        return _open_block(aead, name, slot, size, counter, last)

    shape = (CHUNK_SIZE + TAG_SIZE, CHUNK_SIZE)
    read = _positional(src, dst, *shape, transform, progress, done, total)
    return _pipeline(src, dst, *shape, transform, progress, done, total) if read is None else read
