"""The ``/api/v1`` routes, served by the app's own process beside the dashboard (``st.App(routes=...)``).

One process owns the DuckDB file, so the API reads and writes through the same connection as the
pages, each request on its own cursor. Every route but the schema needs ``Authorization: Bearer
<key>``: none or a wrong key gives 401, a key without the route's scope 403. User ids in paths and
bodies are the shop's own, pseudonymised on arrival with the store's key; answers repeat them as sent.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import duckdb
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from insight import config
from insight.api import audiences, service
from insight.api.feedback import record_feedback
from insight.api.keys import authenticate
from insight.api.openapi import schema
from insight.ingestion import IngestError, ingest_path
from insight.ingestion.pseudonymise import pseudonym
from insight.ingestion.uploads import saved_uploads
from insight.store.keys import find_key

Cursor = Callable[[], duckdb.DuckDBPyConnection]
FEEDBACK_BODY_MB = 16  # 10,000 events of a few hundred bytes each fit with room to spare


def routes(cursor: Cursor, store_path: Callable[[], Path]) -> list[Route]:
    """The API's routes on the store at ``store_path()``, reached through ``cursor()``."""
    secrets: dict[Path, bytes] = {}  # a store's key never changes: found once, not per request

    def shop_id(raw: str) -> str:
        path = store_path()
        if path not in secrets:
            found = find_key(path, create=False)
            if found is None:
                raise LookupError("the store has no pseudonym key yet: ingest data first")
            secrets[path] = found.secret
        return pseudonym(str(raw), secrets[path])

    def refusal(request: Request, needed: str) -> JSONResponse | None:
        con = cursor()
        try:
            caller = authenticate(con, request.headers.get("authorization"))
        finally:
            con.close()
        if caller is None:
            return _error(401, "a valid API key is required: Authorization: Bearer <key>", bearer=True)
        if not caller.may(needed):
            return _error(403, f"this key's scope ({caller.scope}) does not allow {needed}")
        return None

    def guarded(needed: str, handler: Callable[..., JSONResponse]):
        def answer(request: Request, body: bytes) -> JSONResponse:  # in a worker thread: DuckDB calls block
            con = cursor()
            try:
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
            refused = await run_in_threadpool(refusal, request, needed)  # before a byte of the body is read
            if refused is not None:
                return refused
            body = b""
            if request.method == "POST":
                limit = _body_limit(needed)
                declared = request.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > limit:
                    return _error(413, f"the body is over {limit // 2**20} MB")
                async for chunk in request.stream():
                    body += chunk
                    if len(body) > limit:
                        return _error(413, f"the body is over {limit // 2**20} MB")
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

    def ingest(request: Request, con, body: bytes) -> JSONResponse:
        query = request.query_params
        if not query.get("name"):
            raise ValueError("name= (the file's name, e.g. events.csv or export.zip) is required")
        try:
            with saved_uploads([(query["name"], body)]) as saved:
                report = ingest_path(
                    con,
                    saved.target,
                    format=query.get("format") or None,
                    encoding=query.get("encoding") or "utf-8",
                    date_format=query.get("date_format") or None,
                    db_path=store_path(),
                    source_name=saved.display_name,
                )
        except IngestError as exc:
            return _error(400, f"nothing was loaded: {exc}")
        return JSONResponse(report.to_dict(), status_code=200 if report.ok else 422)

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
        Route("/api/v1/ingest", guarded("admin", ingest), methods=["POST"]),
    ]


def _body_limit(needed: str) -> int:
    """Largest body a route takes: a file for ingest (INSIGHT_MAX_UPLOAD_MB), else a feedback batch's worth."""
    if needed == "admin":
        return int(config.setting("INSIGHT_MAX_UPLOAD_MB")) * 2**20
    return FEEDBACK_BODY_MB * 2**20


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
