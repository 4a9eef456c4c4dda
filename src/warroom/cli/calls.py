"""One API call from a command: a missing token, a refusal or an unreachable server becomes a
one-line message and the documented exit code (2 usage/unreachable, 1 refused)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import typer

from warroom.cli import output
from warroom.cli.client import ApiClient, ClientError

C = TypeVar("C", bound=ApiClient)
T = TypeVar("T")

NO_TOKEN = (
    "no API token; pass --token or set WARROOM_TOKEN "
    "(an admin creates one with `warroom token create --name NAME --person HANDLE`)"
)


def call_api(client_type: type[C], url: str, token: str | None, request: Callable[[C], T]) -> T:
    """Open a client of ``client_type``, make ``request`` with it, and close it."""
    if not token:
        output.error(NO_TOKEN)
        raise typer.Exit(2)
    client = client_type(url, token)
    try:
        return request(client)
    except ClientError as err:
        output.client_error(err)
        raise typer.Exit(output.exit_code(err)) from None
    finally:
        client.close()
