"""The hub's HTTP API in OpenAPI 3.0, served at ``/api/openapi.json``.

Checked against the running hub by ``tests/session/test_openapi.py`` (schemathesis): every
answer, to a signed-in user and to a stranger, is one this description documents.
"""

from __future__ import annotations

from typing import Any

_TEXT = {"type": "string"}
_REFUSAL_REF = {"$ref": "#/components/schemas/Refusal"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _refusals(*codes: int) -> dict[str, Any]:
    words = {
        400: "bad input",
        401: "not signed in, or a wrong password",
        403: "not allowed",
        404: "no such thing",
        409: "conflicts with what is stored",
        410: "the session is closed",
        413: "too large",
        423: "the account is locked",
    }
    return {str(code): _json(_REFUSAL_REF, words[code]) for code in codes}


_SESSION_ID = {"name": "id", "in": "path", "required": True, "schema": _TEXT}
_ACCOUNT_SCHEMA = {
    "type": "object",
    "required": ["username", "name", "role", "site", "room"],
    "properties": {name: _TEXT for name in ("username", "name", "role", "site", "room")},
}
_SUMMARY_PROPERTIES = {
    "id": _TEXT,
    "case_number": _TEXT,
    "state": _TEXT,
    "day": _TEXT,
    "site": _TEXT,
    "parties": {
        "type": "object",
        "additionalProperties": {"$ref": "#/components/schemas/Account", "nullable": True},
    },
}
_ACCOUNT: list[dict[str, list[str]]] = [{"account": []}]
_JOIN: list[dict[str, list[str]]] = [{"join": []}]

OPENAPI: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "PleaDesk hub", "version": "1"},
    "components": {
        "securitySchemes": {
            "account": {
                "type": "http",
                "scheme": "bearer",
                "description": "a credential from POST /api/login",
            },
            "join": {
                "type": "http",
                "scheme": "bearer",
                "description": "a party's join token from POST /api/sessions/{id}/join",
            },
        },
        "schemas": {
            "Refusal": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {"code": _TEXT, "message": _TEXT},
            },
            "Account": _ACCOUNT_SCHEMA,
        },
    },
    "paths": {
        "/api/health": {
            "get": {
                "summary": "The hub is up",
                "security": [],
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "required": ["ok"],
                            "properties": {"ok": {"type": "boolean"}},
                        },
                        "up",
                    )
                },
            }
        },
        "/api/login": {
            "post": {
                "summary": "Sign in for a bearer credential",
                "security": [],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["username", "password"],
                                "properties": {"username": _TEXT, "password": _TEXT},
                            }
                        }
                    },
                },
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "required": ["token", "expires_at", "account"],
                            "properties": {
                                "token": _TEXT,
                                "expires_at": {"type": "number"},
                                "account": {"$ref": "#/components/schemas/Account"},
                            },
                        },
                        "signed in",
                    ),
                    **_refusals(400, 401, 423),
                },
            }
        },
        "/api/logout": {
            "post": {
                "summary": "The credential stops working",
                "security": _ACCOUNT,
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "required": ["signed_out"],
                            "properties": {"signed_out": {"type": "boolean"}},
                        },
                        "done",
                    ),
                    **_refusals(401),
                },
            }
        },
        "/api/me": {
            "get": {
                "summary": "Whose credential this is",
                "security": _ACCOUNT,
                "responses": {
                    "200": _json({"$ref": "#/components/schemas/Account"}, "the account"),
                    **_refusals(401),
                },
            }
        },
        "/api/sessions": {
            "post": {
                "summary": "Book a session (detention staff, or the case's prosecutor)",
                "security": _ACCOUNT,
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["case_number", "parties"],
                                "properties": {
                                    "case_number": _TEXT,
                                    "parties": {
                                        "type": "object",
                                        "additionalProperties": _TEXT,
                                        "description": "role -> the user name taking it",
                                    },
                                    "minor": {"type": "boolean"},
                                    "booking": _TEXT,
                                    "day": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "201": _json(
                        {
                            "type": "object",
                            "required": ["session_id", "day"],
                            "properties": {"session_id": _TEXT, "day": _TEXT},
                        },
                        "booked",
                    ),
                    **_refusals(400, 401, 403, 409),
                },
            }
        },
        "/api/my/sessions": {
            "get": {
                "summary": "The caller's sessions of a day",
                "security": _ACCOUNT,
                "parameters": [
                    {"name": "day", "in": "query", "required": False, "schema": {"type": "string"}}
                ],
                "responses": {
                    "200": _json(
                        {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": [*_SUMMARY_PROPERTIES, "role"],
                                "properties": {
                                    **_SUMMARY_PROPERTIES,
                                    "role": {"type": "string", "nullable": True},
                                },
                            },
                        },
                        "sessions",
                    ),
                    **_refusals(400, 401),
                },
            }
        },
        "/api/sessions/{id}": {
            "get": {
                "summary": "A session's record (its parties, its centre's staff, clerks)",
                "security": _ACCOUNT,
                "parameters": [_SESSION_ID],
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "required": [
                                *_SUMMARY_PROPERTIES,
                                "states",
                                "changes",
                                "signed",
                                "minor",
                                "connected",
                            ],
                            "properties": {
                                **_SUMMARY_PROPERTIES,
                                "states": {"type": "array", "items": _TEXT},
                                "changes": {"type": "array", "items": {"type": "object"}},
                                "signed": {"type": "array", "items": _TEXT},
                                "minor": {"type": "boolean"},
                                "connected": {"type": "array", "items": _TEXT},
                            },
                        },
                        "the session",
                    ),
                    **_refusals(401, 403, 404),
                },
            }
        },
        "/api/sessions/{id}/join": {
            "post": {
                "summary": "The caller's own join for a session it takes part in",
                "security": _ACCOUNT,
                "parameters": [_SESSION_ID],
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "required": ["session_id", "role", "token"],
                            "properties": {"session_id": _TEXT, "role": _TEXT, "token": _TEXT},
                        },
                        "the join",
                    ),
                    **_refusals(401, 403, 404, 410),
                },
            }
        },
        "/api/sessions/{id}/agreement": {
            "put": {
                "summary": "The prosecutor's station loads the agreement's PDF",
                "security": _JOIN,
                "parameters": [_SESSION_ID],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/pdf": {"schema": {"type": "string", "format": "binary"}}
                    },
                },
                "responses": {
                    "200": _json(
                        {"type": "object", "required": ["sha256"], "properties": {"sha256": _TEXT}},
                        "loaded",
                    ),
                    **_refusals(400, 403, 404, 409, 410, 413),
                },
            },
            "get": {
                "summary": "A party's station fetches the agreement as presented",
                "security": _JOIN,
                "parameters": [_SESSION_ID],
                "responses": {
                    "200": {
                        "description": "the PDF",
                        "content": {
                            "application/pdf": {"schema": {"type": "string", "format": "binary"}}
                        },
                    },
                    **_refusals(403, 404, 410),
                },
            },
        },
    },
}
