"""Disc image speed: writing a planned disc with xorriso, and reading all of it back.

Run:  .venv/bin/python bench/bench_disc.py [MIB] [ROUNDS] [FOLDER]
(defaults: 1024 MiB, 3 rounds, a temporary folder on the project's disk).

A sealed-bag-shaped folder (one recording of MIB MiB, a PDF, a log, tag files) is laid out as
a disc and written to an image file (``stdio:`` target, the same xorriso code as for a drive)
by :func:`recording.archive.burn.write_disc`. Peers in the same run, on the same files:

* ``cp`` of the same files (the disk's plain copy speed: the ceiling for any image writer);
* the same xorriso write with ``-md5 on`` (xorriso's own per-file and session checksums, which
  this application does not use: it reads the disc back and compares SHA-256 with the bag).

"no fsync" leaves the data to the kernel, as ``cp`` does; "fsync" counts getting it onto the
disk. The read-back reads 100 % of the files off the image after the page cache was dropped
for it, hashing every byte (SHA-256), as after a burn. Each round waits (up to five minutes)
for two free cores, as ``bench_age.py`` does.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

from bench_age import wait_for_free_cores

from recording.archive.burn import settle_image, write_disc
from recording.archive.disc_layout import DiscLayout, LayoutFile
from recording.archive.disc_read import read_back


def _fsync(path: Path) -> None:
    with open(path, "rb+") as out:
        os.fsync(out.fileno())


def _make_bag(folder: Path, mib: int) -> DiscLayout:
    data = folder / "bag" / "data"
    (data / "recording").mkdir(parents=True)
    (data / "documents").mkdir()
    files = {
        "data/recording/composite.mkv.age": mib * 1024 * 1024,
        "data/documents/agreement.pdf.age": 200_000,
        "data/plaintext-sha256.json.age": 900,
        "bagit.txt": 55,
        "bag-info.txt": 900,
        "manifest-sha256.txt": 300,
        "tagmanifest-sha256.txt": 300,
    }
    layout = []
    for name, size in files.items():
        path = folder / "bag" / name
        digest = hashlib.sha256()
        with open(path, "wb") as out:
            left = size
            while left:
                block = os.urandom(min(left, 1 << 22))
                digest.update(block)
                out.write(block)
                left -= len(block)
        layout.append(LayoutFile(f"S20261122-bench/{name}", path, digest.hexdigest(), size))
    created = datetime(2026, 11, 22, 18, 0, tzinfo=timezone(timedelta(hours=8)))
    return DiscLayout("PD20261122_01", created, tuple(layout))


def _timed(work: Callable[[], object]) -> float:
    os.sync()
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def main() -> None:
    mib = int(sys.argv[1]) if len(sys.argv) > 1 else 1024
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    parent = Path(sys.argv[3]) if len(sys.argv) > 3 else Path(__file__).resolve().parents[1]
    with tempfile.TemporaryDirectory(prefix=".bench-disc-", dir=parent) as tmp:
        run(Path(tmp), mib, rounds)


def run(folder: Path, mib: int, rounds: int) -> None:
    """Run the comparison in ``folder``; print the table."""
    layout = _make_bag(folder, mib)
    total = layout.total_bytes / 1024**2
    image = folder / "disc.iso"
    copy_dir = folder / "copy"

    def fresh() -> None:
        image.unlink(missing_ok=True)
        shutil.rmtree(copy_dir, ignore_errors=True)

    def ours(sync: bool) -> None:
        write_disc(layout, f"stdio:{image}")
        if sync:
            _fsync(image)

    def with_md5(sync: bool) -> None:
        args = ["xorriso", "-outdev", f"stdio:{image}", "-stdio_sync", "off", "-fs", "64m"]
        args += ["-joliet", "on", "-rockridge", "on", "-md5", "on"]
        for item in layout.files:
            args += ["-map", str(item.source), "/" + item.disc_path]
        subprocess.run([*args, "-commit"], check=True, capture_output=True)
        if sync:
            _fsync(image)

    def cp(sync: bool) -> None:
        copy_dir.mkdir()
        for index, item in enumerate(layout.files):
            subprocess.run(["cp", str(item.source), str(copy_dir / str(index))], check=True)
        if sync:
            subprocess.run(["sync", "-f", str(copy_dir)], check=True)

    cases = {
        f"write image{suffix}": (
            lambda s=sync: ours(s),
            {"cp": lambda s=sync: cp(s), "xorriso -md5 on": lambda s=sync: with_md5(s)},
        )
        for suffix, sync in ((", no fsync", False), (", fsync", True))
    }
    results: dict[str, dict[str, list[float]]] = {}
    free = []
    for _ in range(rounds):
        free.append(wait_for_free_cores())
        for name, (work, peers) in cases.items():
            for who, job in [("ours", work), *peers.items()]:
                fresh()
                results.setdefault(name, {}).setdefault(who, []).append(_timed(job))
    verify: list[float] = []
    checked = []
    for _ in range(rounds):
        fresh()
        ours(True)
        settle_image(image)
        started = time.perf_counter()
        checked.append(read_back(f"stdio:{image}", layout.expected()))
        verify.append(time.perf_counter() - started)
    assert all(result.ok for result in checked), checked
    load = os.getloadavg()
    print(
        f"disc image of {total:.0f} MiB ({len(layout.files)} files), {rounds} rounds, in {folder}"
    )
    print(f"load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"cores free at the start of each round: {' '.join(f'{f:.2f}' for f in free)}")
    print(f"{'case':<28}{'who':<18}{'best MiB/s':>12}{'median':>10}{'ours/peer':>11}")
    for name, by_who in results.items():
        ours_best = total / min(by_who["ours"])
        for who, times in by_who.items():
            best, median = total / min(times), total / statistics.median(times)
            ratio = "" if who == "ours" else f"{ours_best / best:.2f}x"
            print(f"{name:<28}{who:<18}{best:>12.0f}{median:>10.0f}{ratio:>11}")
    best, median = total / min(verify), total / statistics.median(verify)
    files = checked[-1].files_checked
    print(f"{'read back 100 %, SHA-256':<28}{'ours':<18}{best:>12.0f}{median:>10.0f}")
    print(f"read back: {files} of {len(layout.files)} files, {checked[-1].bytes_read} bytes")


if __name__ == "__main__":
    main()
