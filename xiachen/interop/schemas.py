"""Shapes shared by the API's write operations."""

from ninja import Schema


class ErrorOut(Schema):
    detail: str


def write_responses(created) -> dict:
    """201 with `created`; 400 the service refused (stored under the Idempotency-Key); 401 no credentials;
    403/404 scope; 415 not a JSON body;
    422 bad input or an Idempotency-Key reused with another body."""
    return {201: created, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 415: ErrorOut, 422: ErrorOut}
