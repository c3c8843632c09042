"""age encryption speed: this application's age v1 against the ``age`` tool, same file, same run.

Run:  .venv/bin/python bench/bench_age.py [MIB] [ROUNDS] [FOLDER] [WAIT]
(defaults: 1024 MiB, 3 rounds, a temporary folder on the project's disk ("" for the default),
at most 300 seconds of waiting for free cores before each pair).

Each round encrypts and decrypts the same random file with both, in alternating order, to a
real file in FOLDER. Like is compared with like:

* "no fsync": our streaming API to an open file against ``age -e/-d -o FILE``; neither forces
  the data to disk (the kernel writes it back later).
* "fsync": ``encrypt_file``/``decrypt_file`` (temporary file, fsync, rename: what the archive
  uses) against ``age -o FILE`` followed by an fsync of FILE.

Figures are MiB of plaintext per second by wall time, best and median of the rounds, with the
ratio ours/age. CPU seconds (ours: this process; age: the child) are printed so that load from
other processes can be told apart from a slow implementation. The machine is shared, so before
each round the script waits (up to WAIT seconds) until two cores are free, measured by two
threads hashing with hashlib (which releases the GIL); the cores found free are printed. The
outputs are cross-checked: the age tool must decrypt ours and we must decrypt the age tool's.
"""

from __future__ import annotations

import hashlib
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from recording.archive import age
from recording.archive.bag import hash_file


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def _timed(work: Callable[[], object], outputs: list[Path]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process and its children) of ``work``.

    Earlier outputs are deleted first (truncating a cached 1 GiB file is not what is measured)
    and everything written so far is flushed, so each run starts with a clean page cache.
    """
    for path in outputs:
        path.unlink(missing_ok=True)
    os.sync()
    own, children = _cpu(resource.RUSAGE_SELF), _cpu(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    work()
    wall = time.perf_counter() - started
    cpu = _cpu(resource.RUSAGE_SELF) - own + _cpu(resource.RUSAGE_CHILDREN) - children
    return wall, cpu


def free_cores() -> float:
    """How many cores two hashing threads get right now (2.0 on an idle two-core machine)."""
    data = os.urandom(1 << 20)

    def work() -> None:
        for _ in range(100):
            hashlib.sha256(data).digest()

    threads = [threading.Thread(target=work) for _ in range(2)]
    cpu, wall = time.process_time(), time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return (time.process_time() - cpu) / (time.perf_counter() - wall)


def wait_for_free_cores(limit: float = 300.0) -> float:
    """Wait until two cores are free (or ``limit`` seconds passed); return the cores found."""
    deadline = time.monotonic() + limit
    found = free_cores()
    while found < 1.8 and time.monotonic() < deadline:
        time.sleep(5)
        found = free_cores()
    return found


def _fsync_path(path: Path) -> None:
    with open(path, "rb+") as out:
        os.fsync(out.fileno())


def _make_input(folder: Path, mib: int) -> Path:
    plain = folder / "plain.bin"
    with open(plain, "wb") as out:
        for _ in range(mib):
            out.write(os.urandom(1 << 20))
    return plain


def main() -> None:
    mib = int(sys.argv[1]) if len(sys.argv) > 1 else 1024
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    folder = sys.argv[3] if len(sys.argv) > 3 else ""
    parent = Path(folder) if folder else Path(__file__).resolve().parents[1]
    wait = float(sys.argv[4]) if len(sys.argv) > 4 else 300.0
    with tempfile.TemporaryDirectory(prefix=".bench-age-", dir=parent) as tmp:
        run(Path(tmp), mib, rounds, wait)


def run(folder: Path, mib: int, rounds: int, wait: float = 300.0) -> None:
    """Run the comparison in ``folder``; print the table."""
    plain = _make_input(folder, mib)
    key = folder / "key.txt"
    identity = age.Identity.generate()
    age.write_identity_file(key, identity)
    ours_ct, cli_ct = folder / "ours.age", folder / "cli.age"
    ours_pt, cli_pt = folder / "ours.out", folder / "cli.out"

    def ours_encrypt() -> None:
        with open(plain, "rb") as fin, open(ours_ct, "wb") as fout:
            age.encrypt_stream(fin, fout, [identity.recipient])

    def ours_decrypt() -> None:
        with open(ours_ct, "rb") as fin, open(ours_pt, "wb") as fout:
            age.decrypt_stream(fin, fout, [identity])

    def cli(*args: str) -> None:
        subprocess.run(["age", *args], check=True)

    def cli_fsync(source: Path, written: Path, *flags: str) -> None:
        cli(*flags, "-o", str(written), str(source))
        _fsync_path(written)

    cases: dict[str, tuple[Callable[[], object], Callable[[], object]]] = {
        "encrypt, no fsync": (
            ours_encrypt,
            lambda: cli("-e", "-r", identity.recipient, "-o", str(cli_ct), str(plain)),
        ),
        "decrypt, no fsync": (
            ours_decrypt,
            lambda: cli("-d", "-i", str(key), "-o", str(cli_pt), str(cli_ct)),
        ),
        "encrypt, fsync": (
            lambda: age.encrypt_file(plain, ours_ct, [identity.recipient]),
            lambda: cli_fsync(plain, cli_ct, "-e", "-r", identity.recipient),
        ),
        "decrypt, fsync": (
            lambda: age.decrypt_file(ours_ct, ours_pt, [identity]),
            lambda: cli_fsync(cli_ct, cli_pt, "-d", "-i", str(key)),
        ),
    }
    # Each pair (ours, age tool) runs back to back once two cores are free; a pair counts as
    # clean when two cores were still free right after it.
    pairs: dict[str, list[tuple[tuple[float, float], tuple[float, float], float]]] = {}
    for round_ in range(rounds):
        for name, (ours, theirs) in cases.items():
            before = wait_for_free_cores(wait)
            order = [("ours", ours), ("age", theirs)]
            written = (
                {"ours": ours_ct, "age": cli_ct}
                if "encrypt" in name
                else {
                    "ours": ours_pt,
                    "age": cli_pt,
                }
            )
            timed = {
                who: _timed(work, [written[who]])
                for who, work in (order if round_ % 2 == 0 else order[::-1])
            }
            pairs.setdefault(name, []).append(
                (timed["ours"], timed["age"], min(before, free_cores()))
            )
        if round_ == 0:
            _cross_check(plain, key, identity, folder)
    load = os.getloadavg()
    print(
        f"age v1, {mib} MiB random file, {rounds} rounds, {os.cpu_count()} CPUs, files in {folder}"
    )
    print(f"load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print("MiB/s by wall time, best of the clean pairs (two cores free before and after)")
    header = f"{'case':<20}{'ours':>8}{'age tool':>10}{'ratio':>8}{'clean':>7}"
    print(header + f"{'all pairs: ratio of best':>26}{'CPU s ours/age':>16}")
    for name, runs in pairs.items():
        clean = [r for r in runs if r[2] >= 1.8] or runs
        ours_best = max(mib / o[0] for o, _, _ in clean)
        age_best = max(mib / a[0] for _, a, _ in clean)
        all_ratio = max(mib / o[0] for o, _, _ in runs) / max(mib / a[0] for _, a, _ in runs)
        cpu = f"{min(o[1] for o, _, _ in runs):.2f}/{min(a[1] for _, a, _ in runs):.2f}"
        print(
            f"{name:<20}{ours_best:>8.0f}{age_best:>10.0f}{ours_best / age_best:>7.2f}x"
            f"{sum(r[2] >= 1.8 for r in runs):>4}/{len(runs)}{all_ratio:>25.2f}x{cpu:>16}"
        )


def _cross_check(plain: Path, key: Path, identity: age.Identity, folder: Path) -> None:
    """Each side must open the other's file and give back the original bytes."""
    expected = hash_file(plain)
    ours_ct, cli_ct = folder / "ours.age", folder / "cli.age"
    check = folder / "check.out"
    subprocess.run(["age", "-d", "-i", str(key), "-o", str(check), str(ours_ct)], check=True)
    assert hash_file(check) == expected, "the age tool decrypted our file to different bytes"
    check.unlink()
    age.decrypt_file(cli_ct, check, [identity])
    assert hash_file(check) == expected, "we decrypted the age tool's file to different bytes"
    check.unlink()


if __name__ == "__main__":
    main()
