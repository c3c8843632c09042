"""What signing in costs: the argon2id check alone, and ``POST /api/login`` on a hub.

    .venv/bin/python bench/bench_signin.py [RUNS]

The password hash's cost is chosen (``session.accounts.passwords.HASHER``) for about
50-100 ms a check on the hub's machine: cheap for a person, dear for a guesser. A sign-in
over HTTP adds the store's work on the hub's database thread and the credential's write.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

from session.accounts.model import Role, Site, SiteKind
from session.accounts.passwords import HASHER, hash_password, password_matches
from session.accounts.store import AccountStore
from session.hub.runner import composite_recorders
from session.hub.server import Hub
from session.hub.store import Store

PASSWORD = "correct horse battery staple"


def figures(label: str, seconds: list[float]) -> None:
    ms = sorted(s * 1000 for s in seconds)
    p90 = ms[int(0.9 * (len(ms) - 1))]
    print(f"{label:44} median {statistics.median(ms):6.1f} ms  min {ms[0]:6.1f}  p90 {p90:6.1f}")


def kdf(runs: int) -> None:
    stored = hash_password(PASSWORD)
    checks = []
    for _ in range(runs):
        started = time.perf_counter()
        assert password_matches(stored, PASSWORD)
        checks.append(time.perf_counter() - started)
    params = (
        f"argon2id m={HASHER.memory_cost // 1024} MiB t={HASHER.time_cost} p={HASHER.parallelism}"
    )
    figures(f"password check ({params})", checks)


async def logins(runs: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "hub.sqlite3"
        accounts = AccountStore(database)
        accounts.add_site(Site("centre", "看守所", SiteKind.DETENTION_CENTRE))
        accounts.add_account("staff", "民警", Role.STAFF, "centre", PASSWORD)
        hub = Hub(Store(database), Path(folder) / "recordings", recorders=composite_recorders(),
                  accounts=accounts)  # fmt: skip
        url = await hub.start()
        body = {"username": "staff", "password": PASSWORD}
        times = []
        async with aiohttp.ClientSession() as http:
            for _ in range(runs):
                started = time.perf_counter()
                async with http.post(f"{url}/api/login", json=body) as answer:
                    assert answer.status == 200
                    await answer.read()
                times.append(time.perf_counter() - started)
        await hub.close()
    figures("POST /api/login on a hub (127.0.0.1)", times)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    print(f"command: .venv/bin/python bench/bench_signin.py {runs}")
    kdf(runs)
    asyncio.run(logins(runs))


if __name__ == "__main__":
    main()
