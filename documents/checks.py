"""Field checks and the JSON codec shared by the document models.

Every document model validates itself when it is built, so an invalid document cannot exist
in memory. A failed check raises a :class:`FieldError` subclass naming the field by its JSON
path (``suspect.id_number``, ``files[2].sha256``) so a form can point at it.
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from datetime import date, datetime
from enum import Enum
from typing import Any

_CONTROL_CHARS = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")


class FieldError(ValueError):
    """A document field is missing or wrong; ``field`` is its JSON path."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class AgreementError(FieldError):
    """A plea agreement field is missing or wrong; ``field`` is its JSON path."""


class NoticeError(FieldError):
    """A rights notice field is missing or wrong; ``field`` is its JSON path."""


class StatementError(FieldError):
    """A recording statement field is missing or wrong; ``field`` is its JSON path."""


def check_text(
    field: str,
    value: Any,
    *,
    max_len: int,
    multiline: bool = False,
    error: type[FieldError] = FieldError,
) -> str:
    """Return ``value`` stripped if it is non-empty text within limits, else raise ``error``."""
    if not isinstance(value, str) or not value.strip():
        raise error(field, "is empty; fill it in")
    value = value.strip()
    if len(value) > max_len:
        raise error(field, f"is {len(value)} characters long; at most {max_len}")
    if _CONTROL_CHARS.search(value) or (not multiline and "\n" in value):
        raise error(field, "contains line breaks or control characters; retype it")
    return value


def check_true(field: str, value: Any, what: str, error: type[FieldError] = FieldError) -> None:
    """Raise ``error`` unless ``value`` is exactly True (a confirmed box, not a truthy value)."""
    if value is not True:
        raise error(field, f"is not confirmed; {what}")


def set_checked(obj: Any, name: str, value: Any) -> None:
    """Store a normalised value on a frozen dataclass from its ``__post_init__``."""
    object.__setattr__(obj, name, value)


def encode_json(value: Any) -> Any:
    """A dataclass tree as plain JSON values (enums by value, ISO dates, lists)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: encode_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [encode_json(v) for v in value]
    return value


def decode_json(
    kind: Any, value: Any, path: str, error: type[FieldError], root: str = "document"
) -> Any:
    """Convert JSON ``value`` to ``kind`` (a type hint of a document dataclass), validating.

    Missing, unknown and mistyped fields raise ``error`` naming the field; the dataclasses'
    own checks then run as they are built. ``root`` names the whole document in errors.
    """
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        return _decode_dataclass(kind, value, path, error, root)
    origin = typing.get_origin(kind)
    if origin in (types.UnionType, typing.Union):  # "X | None"
        inner = next(a for a in typing.get_args(kind) if a is not type(None))
        return None if value is None else decode_json(inner, value, path, error, root)
    if origin is tuple:
        if not isinstance(value, list):
            raise error(path, "is missing or not a list")
        item = typing.get_args(kind)[0]
        return tuple(decode_json(item, v, f"{path}[{i}]", error, root) for i, v in enumerate(value))
    if isinstance(kind, type) and issubclass(kind, Enum):
        try:
            return kind(value)
        except ValueError:
            allowed = ", ".join(str(m.value) for m in kind)
            raise error(path, f"is {value!r}; expected one of {allowed}") from None
    if kind in (date, datetime):
        try:
            return kind.fromisoformat(value)
        except (TypeError, ValueError):
            raise error(path, f"is missing or not a {kind.__name__} in ISO form") from None
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    # bool is an int subclass: true/false must not pass as a number.
    if not isinstance(value, kind) or (kind in (int, float) and isinstance(value, bool)):
        raise error(path, f"is missing or not of type {kind.__name__}")
    return value


def _decode_dataclass(kind: type, value: Any, path: str, error: type[FieldError], root: str) -> Any:
    if not isinstance(value, dict):
        raise error(path or root, "is missing or not a JSON object")
    hints = typing.get_type_hints(kind)
    fields = [f for f in dataclasses.fields(kind) if f.init]
    names = [f.name for f in fields]  # in order, so the first error is stable
    if unknown := sorted(set(value) - set(names)):
        raise error(path or root, f"has unknown fields {unknown}")
    args = {}
    for f in fields:
        sub = f"{path}.{f.name}" if path else f.name
        has_default = (
            f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING
        )
        if f.name not in value and has_default:
            continue
        args[f.name] = decode_json(hints[f.name], value.get(f.name), sub, error, root)
    return kind(**args)


def document_id(prefix: str, session_id: str) -> str:
    """A document's short identifier: kind prefix and the session id's first 12 characters."""
    compact = "".join(ch for ch in session_id if ch.isalnum())[:12].upper()
    return f"{prefix}-{compact}"


def decode_document(cls: Any, data: Any, schema: str, error: type[FieldError], root: str) -> Any:
    """Build document ``cls`` from its ``to_json`` output tagged ``schema``, validating."""
    if not isinstance(data, dict):
        raise error(root, "is not a JSON object")
    if data.get("schema") != schema:
        raise error("schema", f"unknown document type; expected {schema}")
    body = {k: v for k, v in data.items() if k != "schema"}
    return decode_json(cls, body, "", error, root)
