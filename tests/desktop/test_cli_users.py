"""``pleadesk users``: sites and accounts on a hub's folder, passwords never on a command line."""

from __future__ import annotations

import io
import json
import stat

import pytest

from desktop.cli.main import main
from session.accounts.passwords import password_matches
from session.accounts.store import AccountStore


def users(data, *words: str, stdin: str = "", monkeypatch=None) -> int:
    if monkeypatch is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(["users", "--data", str(data), *words])


def stored_hash(data, username: str) -> str:
    found = AccountStore(data / "hub.sqlite3").for_sign_in(username)
    assert found is not None
    return found.password_hash


def test_a_first_run_makes_sites_people_and_a_rooms_terminal(tmp_path, monkeypatch, capsys):
    data = tmp_path / "hub-data"
    assert (
        users(data, "add-site", "kss1", "--name", "朝阳区看守所", "--kind", "detention_centre") == 0
    )
    code = users(
        data, "add", "staff1", "--name", "王警官", "--role", "staff", "--site", "kss1",
        "--password-stdin", stdin="a long enough password\n", monkeypatch=monkeypatch,
    )  # fmt: skip
    assert code == 0
    assert password_matches(stored_hash(data, "staff1"), "a long enough password")
    secret_file = tmp_path / "room-r1.json"
    code = users(data, "add", "room-r1", "--name", "一号室", "--role", "terminal", "--site",
                 "kss1", "--room", "R1", "--secret-file", str(secret_file))  # fmt: skip
    assert code == 0
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    secret = json.loads(secret_file.read_text())
    assert password_matches(stored_hash(data, "room-r1"), secret["password"])
    capsys.readouterr()
    assert users(data, "list") == 0
    listing = capsys.readouterr().out
    assert "staff1" in listing and "room-r1" in listing and "R1" in listing
    assert secret["password"] not in listing


def test_disabling_and_resetting(tmp_path, monkeypatch, capsys):
    data = tmp_path / "hub-data"
    users(data, "add-site", "kss1", "--name", "看守所", "--kind", "detention_centre")
    users(data, "add", "staff1", "--name", "王警官", "--role", "staff", "--site", "kss1",
          "--password-stdin", stdin="first password\n", monkeypatch=monkeypatch)  # fmt: skip
    assert users(data, "disable", "staff1") == 0
    assert AccountStore(data / "hub.sqlite3").account("staff1").disabled
    assert users(data, "reset-password", "staff1", "--password-stdin", stdin="second password\n",
                 monkeypatch=monkeypatch) == 0  # fmt: skip
    assert password_matches(stored_hash(data, "staff1"), "second password")
    assert not password_matches(stored_hash(data, "staff1"), "first password")
    capsys.readouterr()
    assert users(data, "disable", "nobody") == 1
    assert "nobody" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("words", "says"),
    [
        (["add", "xx", "--name", "X", "--role", "staff", "--site", "none"], "no site none"),
        (["add", "Bad Name!", "--name", "X", "--role", "staff", "--site", "kss1"], "invalid"),
        (["add", "short", "--name", "X", "--role", "staff", "--site", "kss1"], "8-1024"),
        (["add", "t", "--name", "X", "--role", "terminal", "--site", "kss1"], "secret-file"),
    ],
)
def test_bad_accounts_are_refused_in_words(tmp_path, monkeypatch, capsys, words, says):
    data = tmp_path / "hub-data"
    users(data, "add-site", "kss1", "--name", "看守所", "--kind", "detention_centre")
    capsys.readouterr()
    assert users(data, *words, "--password-stdin", stdin="short\n", monkeypatch=monkeypatch) == 1
    assert says in capsys.readouterr().err
    assert [a.username for a in AccountStore(data / "hub.sqlite3").accounts()] == []
