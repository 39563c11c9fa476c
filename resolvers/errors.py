"""Failures the API expects: reported to clients as they are. Anything else is masked.

Two kinds: request-level errors (``ExpectedError``: not signed in, malformed id), which
become GraphQL errors with a code, and ``UserFailure``, which a mutation returns as data in
its ``userErrors``.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence


class ExpectedError(Exception):
    """Base of request-level errors whose message and code are safe to show the client."""

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


class UserErrorCode(enum.StrEnum):
    """Every code a mutation can answer in ``userErrors``."""

    NOT_FOUND = "NOT_FOUND"
    INVALID = "INVALID"
    NAME_INVALID = "NAME_INVALID"
    NAME_TAKEN = "NAME_TAKEN"
    CYCLE = "CYCLE"
    TOO_DEEP = "TOO_DEEP"
    ROOT_FOLDER = "ROOT_FOLDER"
    NOT_IN_TRASH = "NOT_IN_TRASH"
    IN_TRASH = "IN_TRASH"
    PARENT_IN_TRASH = "PARENT_IN_TRASH"
    CROSS_ORGANIZATION = "CROSS_ORGANIZATION"
    PERMISSION_DENIED = "PERMISSION_DENIED"
    SIZE_INVALID = "SIZE_INVALID"
    PART_SIZE_INVALID = "PART_SIZE_INVALID"
    QUOTA_EXCEEDED = "QUOTA_EXCEEDED"
    PART_INVALID = "PART_INVALID"
    PARTS_MISSING = "PARTS_MISSING"
    CHECKSUM_INVALID = "CHECKSUM_INVALID"
    CHECKSUM_MISMATCH = "CHECKSUM_MISMATCH"
    SIZE_MISMATCH = "SIZE_MISMATCH"
    UPLOAD_NOT_ACTIVE = "UPLOAD_NOT_ACTIVE"
    METADATA_INVALID = "METADATA_INVALID"
    SHARE_EXISTS = "SHARE_EXISTS"
    NOT_PENDING = "NOT_PENDING"
    ALREADY_ENDED = "ALREADY_ENDED"
    TERMS_CHANGED = "TERMS_CHANGED"
    BUSY = "BUSY"
    UNKNOWN_SERVICE = "UNKNOWN_SERVICE"
    SERVICE_NOT_ENABLED = "SERVICE_NOT_ENABLED"
    UNKNOWN_DATASET = "UNKNOWN_DATASET"


class UserFailure(Exception):
    """An expected failure of a mutation; the payload carries it in ``userErrors``."""

    def __init__(self, code: UserErrorCode, message: str, field: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = list(field)

    @property
    def extensions(self) -> dict[str, object]:
        # Raised where no payload can carry it (a query field): a GraphQL error with its own code.
        return {"code": self.code.value, "field": self.field}
