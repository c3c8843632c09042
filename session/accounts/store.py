"""Accounts, sites and sign-in credentials in the hub's database (SQLAlchemy Core).

Passwords are kept as argon2id hashes, credentials as the SHA-256 of the bearer token: a copy
of the database lets nobody sign in. Plain blocking calls: the hub runs them on its database
thread, the password check itself elsewhere (it takes tens of milliseconds).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from session.accounts.model import Account, AccountError, Role, Site, SiteKind, check_username
from session.accounts.passwords import hash_password
from session.database import sqlite_engine

metadata = MetaData()

sites = Table(
    "sites",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("kind", String(32), nullable=False),
)

accounts = Table(
    "accounts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("role", String(32), nullable=False),
    Column("site", String(64), ForeignKey("sites.id"), nullable=False),
    Column("room", String(64), nullable=False, default=""),
    Column("password_hash", String(256), nullable=False),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("failures", Integer, nullable=False, default=0),
    Column("locked_until", Float, nullable=False, default=0.0),
)

credentials = Table(
    "credentials",
    metadata,
    Column("token_sha256", String(64), primary_key=True),
    Column("account_id", Integer, ForeignKey("accounts.id"), nullable=False, index=True),
    Column("issued_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
    Column("revoked", Boolean, nullable=False, default=False),
)

_ACCOUNT_COLUMNS = [accounts.c[name] for name in ("id", "username", "name", "role", "site",
                                                  "room", "disabled")]  # fmt: skip


@dataclass(frozen=True)
class StoredAccount:
    """An account with what signing in needs of it."""

    account: Account
    password_hash: str
    failures: int
    locked_until: float


@dataclass(frozen=True)
class StoredCredential:
    """A bearer credential as kept: whose, until when, and whether it was revoked."""

    account: Account
    expires_at: float
    revoked: bool


def _account(row: Any) -> Account:
    fields = {column.name: row._mapping[column.name] for column in _ACCOUNT_COLUMNS}
    fields["role"] = Role(fields["role"])
    return Account(**fields)


class AccountStore:
    """Sites, accounts and credentials in one SQLite file (or ``:memory:``)."""

    def __init__(self, path: Path | str) -> None:
        self._engine = sqlite_engine(path)
        metadata.create_all(self._engine)

    # -- sites and accounts -------------------------------------------------------------------

    def add_site(self, site: Site) -> Site:
        """Add ``site``; raises :class:`AccountError` if its id is taken."""
        if not site.id or not site.name:
            raise AccountError("单位须有代码和名称 / a site needs an id and a name")
        try:
            with self._engine.begin() as db:
                db.execute(insert(sites).values(id=site.id, name=site.name, kind=site.kind.value))
        except IntegrityError:
            raise AccountError(f"单位 {site.id} 已存在 / the site {site.id} exists") from None
        return site

    def site(self, site_id: str) -> Site | None:
        """The site with this id, or None."""
        with self._engine.connect() as db:
            row = db.execute(select(sites).where(sites.c.id == site_id)).first()
        return Site(row.id, row.name, SiteKind(row.kind)) if row else None

    def add_account(
        self, username: str, name: str, role: Role, site: str, password: str, room: str = ""
    ) -> Account:
        """Add an account; raises :class:`AccountError` (or ``PasswordError``) if it cannot be."""
        check_username(username)
        if self.site(site) is None:
            raise AccountError(f"没有单位 {site} / no site {site}: add it first")
        if role is Role.TERMINAL and not room:
            raise AccountError("终端账户须绑定房间 / a terminal account is tied to a room")
        row = {"username": username, "name": name, "role": role.value, "site": site,
               "room": room, "password_hash": hash_password(password)}  # fmt: skip
        try:
            with self._engine.begin() as db:
                db.execute(insert(accounts).values(**row))
        except IntegrityError:
            raise AccountError(f"用户名 {username} 已被使用 / {username} is taken") from None
        found = self.account(username)
        assert found is not None
        return found

    def account(self, username: str) -> Account | None:
        """The account with this user name, or None."""
        with self._engine.connect() as db:
            query = select(*_ACCOUNT_COLUMNS).where(accounts.c.username == username)
            row = db.execute(query).first()
        return _account(row) if row else None

    def accounts(self) -> list[Account]:
        """Every account, by user name."""
        with self._engine.connect() as db:
            rows = db.execute(select(*_ACCOUNT_COLUMNS).order_by(accounts.c.username))
            return [_account(row) for row in rows]

    def set_password(self, username: str, password: str) -> None:
        """Give ``username`` a new password; its credentials stop working and its lock lifts."""
        digest = hash_password(password)
        self._update(username, password_hash=digest, failures=0, locked_until=0.0)

    def set_disabled(self, username: str, disabled: bool) -> None:
        """Disable (or enable again) ``username``; disabling revokes its credentials."""
        self._update(username, disabled=disabled)

    def _update(self, username: str, **values: Any) -> None:
        with self._engine.begin() as db:
            done = db.execute(update(accounts).where(accounts.c.username == username)
                              .values(**values))  # fmt: skip
            if done.rowcount != 1:
                raise AccountError(f"没有用户 {username} / no account {username}")
            found = db.execute(select(accounts.c.id).where(accounts.c.username == username))
            account_id = found.scalar_one()
            db.execute(update(credentials).where(credentials.c.account_id == account_id)
                       .values(revoked=True))  # fmt: skip

    # -- signing in ---------------------------------------------------------------------------

    def for_sign_in(self, username: str) -> StoredAccount | None:
        """The account ``username`` with its password hash and failures, or None."""
        with self._engine.connect() as db:
            extra = (accounts.c.password_hash, accounts.c.failures, accounts.c.locked_until)
            query = select(*_ACCOUNT_COLUMNS, *extra).where(accounts.c.username == username)
            row = db.execute(query).first()
        if row is None:
            return None
        return StoredAccount(_account(row), row.password_hash, row.failures, row.locked_until)

    def count_failure(self, account_id: int, lock_after: int, locked_until: float) -> int:
        """One more failed sign-in; at ``lock_after`` of them the account is locked until
        ``locked_until``. Returns the failures counted so far."""
        with self._engine.begin() as db:
            failures = (
                db.execute(
                    select(accounts.c.failures).where(accounts.c.id == account_id)
                ).scalar_one()
                + 1
            )
            values: dict[str, Any] = {"failures": failures}
            if failures >= lock_after:
                values.update(failures=0, locked_until=locked_until)
            db.execute(update(accounts).where(accounts.c.id == account_id).values(**values))
        return failures

    def add_credential(
        self, token_sha256: str, account_id: int, issued_at: float, expires_at: float
    ) -> None:
        """Keep a credential just issued (and forget the account's failed attempts)."""
        with self._engine.begin() as db:
            row = {"token_sha256": token_sha256, "account_id": account_id,
                   "issued_at": issued_at, "expires_at": expires_at}  # fmt: skip
            db.execute(insert(credentials).values(**row))
            db.execute(update(accounts).where(accounts.c.id == account_id).values(failures=0))

    def credential(self, token_sha256: str) -> StoredCredential | None:
        """The credential with this hash, with its account, or None."""
        with self._engine.connect() as db:
            query = (
                select(*_ACCOUNT_COLUMNS, credentials.c.expires_at, credentials.c.revoked)
                .join(credentials, credentials.c.account_id == accounts.c.id)
                .where(credentials.c.token_sha256 == token_sha256)
            )
            row = db.execute(query).first()
        return StoredCredential(_account(row), row.expires_at, row.revoked) if row else None

    def revoke(self, token_sha256: str) -> None:
        """The credential stops working (signing out)."""
        with self._engine.begin() as db:
            db.execute(update(credentials).where(credentials.c.token_sha256 == token_sha256)
                       .values(revoked=True))  # fmt: skip

    def close(self) -> None:
        """Release the database."""
        self._engine.dispose()
