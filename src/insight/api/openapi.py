"""The OpenAPI 3.1 description of ``/api/v1``, served at ``/api/v1/openapi.json``."""

from __future__ import annotations

from insight.api.feedback import TYPES
from insight.api.keys import SCOPES

_ERROR = {"type": "object", "properties": {"error": {"type": "string"}}, "required": ["error"]}
_ITEM = {
    "type": "object",
    "properties": {
        "item_id": {"type": "string"},
        "title": {"type": ["string", "null"]},
        "score": {"type": "number"},
        "kind": {"type": "string", "enum": ["exploit", "explore", "popular"]},
        "reason": {"type": "string", "description": "why the item is on the list, in words"},
        "propensity": {"type": "number", "description": "the chance this policy shows the item in this list"},
    },
}
_EVENT = {
    "type": "object",
    "required": ["user_id", "item_id", "type", "timestamp"],
    "properties": {
        "event_id": {"type": "string", "description": "makes a replay add nothing (derived from content if absent)"},
        "request_id": {"type": "string", "description": "the list the event reacts to"},
        "user_id": {"type": "string", "description": "the shop's own customer id"},
        "item_id": {"type": "string"},
        "type": {"type": "string", "enum": list(TYPES)},
        "timestamp": {"type": "string", "format": "date-time"},
        "value": {"type": "number"},
    },
}


def _errors(*codes: int) -> dict:
    words = {400: "bad input", 401: "no or wrong key", 403: "the key's scope does not allow it", 404: "not found",
             409: "the store is not ready (a job has not run)"}  # fmt: skip
    return {str(c): {"description": words[c], "content": {"application/json": {"schema": _ERROR}}} for c in codes}


def _user_param() -> dict:
    return {"name": "user_id", "in": "path", "required": True, "schema": {"type": "string"}}


def schema() -> dict:
    """The whole document."""
    ok = "200"
    return {
        "openapi": "3.1.0",
        "info": {"title": "insight", "version": "1", "description": f"Bearer API keys; scopes: {', '.join(SCOPES)}."},
        "components": {"securitySchemes": {"key": {"type": "http", "scheme": "bearer"}}},
        "security": [{"key": []}],
        "paths": {
            "/api/v1/users/{user_id}/recommendations": {
                "get": {
                    "summary": "A shopper's list, with a reason and a propensity per item (scope: read)",
                    "parameters": [
                        _user_param(),
                        {"name": "k", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
                        {
                            "name": "exploration",
                            "in": "query",
                            "schema": {"type": "number", "minimum": 0, "maximum": 1},
                        },
                        {"name": "policy", "in": "query", "schema": {"type": "string", "enum": ["thompson", "ucb"]}},
                    ],
                    "responses": {
                        ok: {
                            "description": "the list, logged under request_id",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {
                                            "request_id": {"type": "string"},
                                            "user_id": {"type": "string"},
                                            "policy": {"type": "string"},
                                            "items": {"type": "array", "items": _ITEM},
                                        },
                                    }
                                }
                            },
                        },
                        **_errors(400, 401, 403, 409),
                    },
                }
            },
            "/api/v1/users/{user_id}/profile": {
                "get": {
                    "summary": "Interests, segment, drift and cold-start flag (scope: read)",
                    "parameters": [_user_param()],
                    "responses": {ok: {"description": "the profile"}, **_errors(401, 403, 404, 409)},
                }
            },
            "/api/v1/audiences": {
                "get": {
                    "summary": "Saved audiences: id, name, kind, users (null when hidden by privacy rules); scope read",
                    "responses": {ok: {"description": "{audiences: [...]}"}, **_errors(401, 403)},
                }
            },
            "/api/v1/audiences/{audience_id}/members": {
                "get": {
                    "summary": "An audience's members (pseudonyms), 1,000 a page, each target or holdout (scope: read)",
                    "parameters": [
                        {"name": "audience_id", "in": "path", "required": True, "schema": {"type": "string"}},
                        {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
                        {"name": "holdout_share", "in": "query", "schema": {"type": "number", "minimum": 0}},
                    ],
                    "responses": {
                        ok: {"description": "{audience_id, page, pages, members: [{user_id, group}]}"},
                        **_errors(400, 401, 403, 404),
                    },
                }
            },
            "/api/v1/feedback": {
                "post": {
                    "summary": "Shoppers' reactions; good events stored together, bad ones named (scope: events)",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["events"],
                                    "properties": {"events": {"type": "array", "items": _EVENT}},
                                }
                            }
                        },
                    },
                    "responses": {
                        ok: {"description": "{accepted, stored, rejected: [{index, field, reason}]}"},
                        **_errors(400, 401, 403),
                    },
                }
            },
            "/api/v1/ingest": {
                "post": {
                    "summary": "Load a file (the body) into the store, as the Ingest page does (scope: admin)",
                    "parameters": [
                        {"name": "name", "in": "query", "required": True, "schema": {"type": "string"}},
                        {"name": "format", "in": "query", "schema": {"type": "string"}},
                        {"name": "encoding", "in": "query", "schema": {"type": "string"}},
                        {"name": "date_format", "in": "query", "schema": {"type": "string"}},
                    ],
                    "requestBody": {"content": {"application/octet-stream": {"schema": {"type": "string"}}}},
                    "responses": {
                        ok: {"description": "the quality report"},
                        "413": {"description": "over INSIGHT_MAX_UPLOAD_MB"},
                        "422": {"description": "the quality report of a batch whose every row was quarantined"},
                        **_errors(400, 401, 403),
                    },
                }
            },
            "/api/v1/openapi.json": {
                "get": {"summary": "This document", "security": [], "responses": {ok: {"description": "OpenAPI"}}}
            },
        },
    }
