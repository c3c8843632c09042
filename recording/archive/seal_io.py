"""Streams for sealing: a reader that hashes what passes, a writer that cuts pieces as it goes.

Both sit between the age pipeline and the files so that each byte is read once: the plaintext
hash comes from the read, the ciphertext hashes (whole and per piece) from the write.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from recording.archive.age_stream import Readable


class HashingReader:
    """Wraps a binary stream; SHA-256 and counts every byte read through ``readinto``."""

    def __init__(self, stream: Readable) -> None:
        self._stream = stream
        self.digest = hashlib.sha256()
        self.size = 0

    def readinto(self, buffer: memoryview) -> int:
        """Read into ``buffer`` and hash what was read."""
        count = self._stream.readinto(buffer) or 0
        self.digest.update(buffer[:count])
        self.size += count
        return count


class PieceWriter:
    """Writes a stream to ``root/<base>``, or to ``<base>.001``, ``.002`` ... of ``piece_size``.

    Every piece is a new file (never overwritten), fsynced and made read-only for others
    (0644) when closed. ``pieces`` and ``piece_sha256`` list the pieces' relative paths and
    hashes in order; ``digest`` and ``size`` cover the whole stream.
    """

    def __init__(self, root: Path, base: str, piece_size: int | None) -> None:
        self._root = root
        self._base = base
        self._piece_size = piece_size
        self.pieces: list[str] = []
        self.piece_sha256: list[str] = []
        self.digest = hashlib.sha256()
        self.size = 0
        self._out: BinaryIO | None = None
        self._piece_digest = hashlib.sha256()
        self._piece_left = 0

    def _next_piece(self) -> BinaryIO:
        self._close_piece()
        name = (
            self._base if self._piece_size is None else f"{self._base}.{len(self.pieces) + 1:03d}"
        )
        path = self._root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        self.pieces.append(name)
        self._out = open(path, "xb")  # noqa: SIM115 - closed in _close_piece
        self._piece_digest = hashlib.sha256()
        self._piece_left = self._piece_size or -1
        return self._out

    def _close_piece(self) -> None:
        if self._out is None:
            return
        self._out.flush()
        os.fsync(self._out.fileno())
        os.fchmod(self._out.fileno(), 0o644)
        self._out.close()
        self._out = None
        piece = self._piece_digest if self._piece_size is not None else self.digest
        self.piece_sha256.append(piece.hexdigest())

    def write(self, data: memoryview | bytes) -> int:
        """Hash ``data`` and write it, starting new pieces where one is full."""
        view = memoryview(data)
        self.digest.update(view)
        self.size += len(view)
        while len(view):
            out = self._out if self._out is not None and self._piece_left else self._next_piece()
            take = len(view) if self._piece_left < 0 else min(len(view), self._piece_left)
            out.write(view[:take])
            if self._piece_size is not None:  # one piece: its hash is the whole stream's
                self._piece_digest.update(view[:take])
            if self._piece_left > 0:
                self._piece_left -= take
            view = view[take:]
        return len(data)

    def close(self) -> None:
        """Finish the last piece (an empty stream still makes one empty file)."""
        if not self.pieces:
            self._next_piece()
        self._close_piece()

    def __enter__(self) -> PieceWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if kind is None:
            self.close()
        elif self._out is not None:
            self._out.close()
