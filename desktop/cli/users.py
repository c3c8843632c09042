"""``pleadesk users ...``: sites and accounts in a hub's data folder.

Passwords are read from the terminal (or, with ``--password-stdin``, from standard input),
never from the command line. A suspect terminal's account gets a random secret, written once
to a file (mode 0600) to be kept on that terminal.
"""

from __future__ import annotations

import argparse
import getpass
import os
import secrets
import sys
from pathlib import Path
from typing import Any

from session.accounts.model import AccountError, Role, Site, SiteKind
from session.accounts.passwords import PasswordError
from session.accounts.store import AccountStore


def register(commands: Any) -> None:
    """Add ``users`` and its actions to the ``pleadesk`` subparsers."""
    users = commands.add_parser("users", help="sites and accounts of a hub")
    users.add_argument("--data", type=Path, default=Path("pleadesk-hub"), help="the hub's folder")
    actions = users.add_subparsers(dest="users_command", required=True)
    site = actions.add_parser("add-site", help="add a procuratorate, law firm or centre")
    site.add_argument("id", help="a short code, e.g. bj-chaoyang-kss")
    site.add_argument("--name", required=True, help="its name, e.g. 北京市朝阳区看守所")
    site.add_argument("--kind", required=True, choices=[k.value for k in SiteKind])
    site.set_defaults(run=_add_site)
    add = actions.add_parser("add", help="add an account")
    add.add_argument("username")
    add.add_argument("--name", required=True, help="the person's name, or the terminal's")
    add.add_argument("--role", required=True, choices=[r.value for r in Role])
    add.add_argument("--site", required=True, help="the site's code")
    add.add_argument("--room", default="", help="a terminal's room")
    add.add_argument("--secret-file", type=Path, help="a terminal's secret is written here")
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    add.set_defaults(run=_add)
    listing = actions.add_parser("list", help="every account")
    listing.set_defaults(run=_list)
    switches = (
        ("disable", _disable, "stop an account signing in (its credentials stop working)"),
        ("enable", _enable, "let a disabled account sign in again"),
    )
    for name, run, words in switches:
        action = actions.add_parser(name, help=words)
        action.add_argument("username")
        action.set_defaults(run=run)
    reset = actions.add_parser("reset-password", help="give an account a new password")
    reset.add_argument("username")
    reset.add_argument("--password-stdin", action="store_true", help="read it from stdin")
    reset.set_defaults(run=_reset)


def _store(args: argparse.Namespace) -> AccountStore:
    args.data.mkdir(parents=True, exist_ok=True)
    return AccountStore(args.data / "hub.sqlite3")


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("密码 / password: ")
    if first != getpass.getpass("再输入一次 / again: "):
        raise PasswordError("两次输入的密码不同 / the two passwords differ")
    return first


def _done(work: Any) -> int:
    try:
        work()
    except (AccountError, PasswordError) as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


def _add_site(args: argparse.Namespace) -> int:
    site = Site(args.id, args.name, SiteKind(args.kind))
    return _done(lambda: print(f"added site {_store(args).add_site(site).id}"))


def _add(args: argparse.Namespace) -> int:
    role = Role(args.role)

    def add() -> None:
        if role is Role.TERMINAL:
            if args.secret_file is None:
                raise AccountError("终端账户须指定 --secret-file / a terminal needs --secret-file")
            secret = secrets.token_urlsafe(24)
        else:
            secret = _password(args)
        account = _store(args).add_account(
            args.username, args.name, role, args.site, secret, args.room
        )
        if role is Role.TERMINAL:
            descriptor = os.open(args.secret_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w", encoding="utf-8") as f:
                f.write(f'{{"username": "{account.username}", "password": "{secret}"}}\n')
            print(f"the terminal's secret is in {args.secret_file}: copy it to the terminal")
        print(f"added {account.role.value} {account.username} ({account.name}) of {account.site}")

    return _done(add)


def _list(args: argparse.Namespace) -> int:
    for a in _store(args).accounts():
        state = "disabled" if a.disabled else "active"
        print(f"{a.username:24} {a.role.value:12} {a.site:20} {a.room:10} {state:9} {a.name}")
    return 0


def _disable(args: argparse.Namespace) -> int:
    return _done(lambda: _store(args).set_disabled(args.username, True))


def _enable(args: argparse.Namespace) -> int:
    return _done(lambda: _store(args).set_disabled(args.username, False))


def _reset(args: argparse.Namespace) -> int:
    return _done(lambda: _store(args).set_password(args.username, _password(args)))
