"""The one place where domain errors become HTTP responses."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from warroom.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    PlaybookError,
    Unauthenticated,
    WarroomError,
)

STATUS_BY_ERROR: list[tuple[type[WarroomError], int]] = [
    (NotFound, 404),
    (InvalidInput, 422),
    (Conflict, 409),
    (Unauthenticated, 401),
    (Forbidden, 403),
    (PlaybookError, 422),
]


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if details:
        error["details"] = details
    return {"error": error}


async def _domain_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, WarroomError)
    status = next((code for cls, code in STATUS_BY_ERROR if isinstance(exc, cls)), 400)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(
        error_body(exc.code, exc.message, exc.details), status_code=status, headers=headers
    )


def _location(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p != "body"]
    return ".".join(parts) or "body"


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        detail = next(e for e in errors if e.get("type") == "json_invalid")
        reason = (detail.get("ctx") or {}).get("error", "invalid JSON")
        return JSONResponse(
            error_body("malformed_json", f"request body is not valid JSON: {reason}"),
            status_code=400,
        )
    problems = []
    for e in errors:
        where = _location(tuple(e.get("loc", ())))
        message = e.get("msg", "invalid")
        if e.get("type") == "extra_forbidden":
            message = "unknown field"
        problems.append({"field": where, "message": message})
    summary = "; ".join(f"{p['field']}: {p['message']}" for p in problems)
    return JSONResponse(
        error_body("invalid_input", f"invalid request: {summary}", {"problems": problems}),
        status_code=422,
    )


async def _integrity_error(_request: Request, exc: Exception) -> JSONResponse:
    # A concurrent request won a race for a unique row (a role holder, a name): nothing was
    # stored for this one, and retrying sees the new state.
    return JSONResponse(
        error_body("conflict", "a concurrent change conflicted with this request; retry it"),
        status_code=409,
    )


async def _database_unavailable(_request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse(
        error_body("database_unavailable", "the database is not answering; try again shortly"),
        status_code=503,
        headers={"Retry-After": "5"},
    )


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    return JSONResponse(
        error_body("http_error", str(exc.detail)), status_code=exc.status_code, headers=exc.headers
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(WarroomError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(IntegrityError, _integrity_error)
    app.add_exception_handler(OperationalError, _database_unavailable)
