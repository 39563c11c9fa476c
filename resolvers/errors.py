"""Failures the API expects and reports to clients as they are; anything else is masked."""

from __future__ import annotations


class ExpectedError(Exception):
    """Base of errors whose message and code are safe to show the client."""

    code = "BAD_REQUEST"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    @property
    def extensions(self) -> dict[str, str]:
        # graphql-core copies an original error's ``extensions`` into the response.
        return {"code": self.code}


class Unauthenticated(ExpectedError):
    code = "UNAUTHENTICATED"


class NotFound(ExpectedError):
    code = "NOT_FOUND"


class BadInput(ExpectedError):
    code = "BAD_USER_INPUT"
