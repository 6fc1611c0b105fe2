"""The ``/api/v1`` routes, served by the app's own process beside the dashboard (``st.App(routes=...)``).

One process owns the DuckDB file, so the API reads and writes through the same connection as the
pages, each request on its own cursor. Every route but the schema needs ``Authorization: Bearer
<key>``: none or a wrong key gives 401, a key without the route's scope 403. User ids in paths and
bodies are the shop's own, pseudonymised on arrival with the store's key; answers repeat them as sent.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import duckdb
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from insight.api import audiences, service
from insight.api.feedback import record_feedback
from insight.api.keys import authenticate
from insight.api.openapi import schema
from insight.ingestion.pseudonymise import pseudonym

Cursor = Callable[[], duckdb.DuckDBPyConnection]


def routes(cursor: Cursor, key: Callable[[], bytes]) -> list[Route]:
    """The API's routes on a store reached by ``cursor()``, whose pseudonym key ``key()`` returns."""

    def shop_id(raw: str) -> str:
        return pseudonym(str(raw), key())

    def guarded(needed: str, handler: Callable[..., JSONResponse]):
        def answer(request: Request, body: bytes) -> JSONResponse:  # in a worker thread: DuckDB calls block
            con = cursor()
            try:
                caller = authenticate(con, request.headers.get("authorization"))
                if caller is None:
                    return _error(401, "a valid API key is required: Authorization: Bearer <key>", bearer=True)
                if not caller.may(needed):
                    return _error(403, f"this key's scope ({caller.scope}) does not allow {needed}")
                return handler(request, con, body)
            except ValueError as exc:
                return _error(400, str(exc))
            except audiences.NotFound as exc:
                return _error(404, str(exc))
            except PermissionError as exc:
                return _error(403, str(exc))
            except LookupError as exc:
                return _error(409, str(exc))
            finally:
                con.close()

        async def endpoint(request: Request) -> JSONResponse:
            body = await request.body() if request.method == "POST" else b""
            return await run_in_threadpool(answer, request, body)

        return endpoint

    def recommendations(request: Request, con, _body: bytes) -> JSONResponse:
        raw = request.path_params["user_id"]
        query = request.query_params
        answer = service.recommendations(
            con,
            shop_id(raw),
            k=_number(query, "k", 10, int),
            exploration=_number(query, "exploration", 0.2, float),
            policy=query.get("policy", "thompson"),
        )
        return JSONResponse({**answer, "user_id": raw})

    def profile(request: Request, con, _body: bytes) -> JSONResponse:
        raw = request.path_params["user_id"]
        found = service.profile(con, shop_id(raw))
        if found is None:
            return _error(404, f"no profile for user {raw!r} in the current segments run")
        return JSONResponse({**found, "user_id": raw})

    def feedback(_request: Request, con, body: bytes) -> JSONResponse:
        try:
            posted = json.loads(body or b"null")
        except ValueError:
            return _error(400, "the body is not JSON")
        if not isinstance(posted, dict):
            return _error(400, 'the body must be {"events": [...]}')
        return JSONResponse(record_feedback(con, posted.get("events"), shop_id))

    def audience_list(_request: Request, con, _body: bytes) -> JSONResponse:
        return JSONResponse({"audiences": audiences.audiences(con)})

    def audience_members(request: Request, con, _body: bytes) -> JSONResponse:
        query = request.query_params
        return JSONResponse(
            audiences.members(
                con,
                request.path_params["audience_id"],
                page=_number(query, "page", 1, int),
                holdout_share=_number(query, "holdout_share", 0.1, float),
            )
        )

    return [
        Route("/api/v1/audiences", guarded("read", audience_list), methods=["GET"]),
        Route("/api/v1/audiences/{audience_id}/members", guarded("read", audience_members), methods=["GET"]),
        Route("/api/v1/openapi.json", lambda request: JSONResponse(schema()), methods=["GET"]),
        Route("/api/v1/users/{user_id}/recommendations", guarded("read", recommendations), methods=["GET"]),
        Route("/api/v1/users/{user_id}/profile", guarded("read", profile), methods=["GET"]),
        Route("/api/v1/feedback", guarded("events", feedback), methods=["POST"]),
    ]


def _number(query, name: str, default, kind):
    value = query.get(name)
    if value is None:
        return default
    try:
        return kind(value)
    except ValueError:
        raise ValueError(f"{name} must be a number, not {value!r}") from None


def _error(status: int, message: str, *, bearer: bool = False) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if bearer else None
    return JSONResponse({"error": message}, status_code=status, headers=headers)
