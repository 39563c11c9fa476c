"""Failures the API expects: reported to clients as they are. Anything else is masked.

Two kinds: request-level errors (``ExpectedError``: not signed in, malformed id), which
become GraphQL errors with a code, and ``UserFailure``, which a mutation returns as data in
its ``userErrors``.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence


class RequestErrorCode(enum.StrEnum):
    """Every ``extensions.code`` a request-level GraphQL error carries (``errors[]``, not data)."""

    UNAUTHENTICATED = "UNAUTHENTICATED"
    BAD_USER_INPUT = "BAD_USER_INPUT"
    NOT_FOUND = "NOT_FOUND"
    BAD_REQUEST = "BAD_REQUEST"
    UPSTREAM_UNAVAILABLE = "UPSTREAM_UNAVAILABLE"
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
    HEADERS_TOO_LARGE = "HEADERS_TOO_LARGE"
    QUERY_TOO_EXPENSIVE = "QUERY_TOO_EXPENSIVE"
    POLICY_NOT_ASKED = "POLICY_NOT_ASKED"
    INTERNAL = "INTERNAL"


REQUEST_MEANINGS: dict[RequestErrorCode, str] = {
    RequestErrorCode.UNAUTHENTICATED: "No token, or one that is expired, forged or for another audience: sign in.",
    RequestErrorCode.BAD_USER_INPUT: "An argument is malformed (an id that is not one, a bad cursor or page size).",
    RequestErrorCode.NOT_FOUND: "What the request names does not exist or is not visible to the caller.",
    RequestErrorCode.BAD_REQUEST: "The request cannot be served as sent.",
    RequestErrorCode.UPSTREAM_UNAVAILABLE: "A Copernicus service did not answer; try again later.",
    RequestErrorCode.PAYLOAD_TOO_LARGE: "The request body is over the size limit.",
    RequestErrorCode.HEADERS_TOO_LARGE: "The request's header fields are over 64 KiB together.",
    RequestErrorCode.QUERY_TOO_EXPENSIVE: "The operation asks for more than one request may (depth, cost, aliases).",
    RequestErrorCode.POLICY_NOT_ASKED: "Served data without asking the access policy (a server bug; tests only).",
    RequestErrorCode.INTERNAL: "An unexpected failure; quote the requestId extension when reporting it.",
}


class ExpectedError(Exception):
    """Base of request-level errors whose message and code are safe to show the client."""

    code = RequestErrorCode.BAD_REQUEST

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    @property
    def extensions(self) -> dict[str, str]:
        # graphql-core copies an original error's ``extensions`` into the response.
        return {"code": self.code}


class Unauthenticated(ExpectedError):
    code = RequestErrorCode.UNAUTHENTICATED


class NotFound(ExpectedError):
    code = RequestErrorCode.NOT_FOUND


class BadInput(ExpectedError):
    code = RequestErrorCode.BAD_USER_INPUT


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
    ALLOWANCE_EXCEEDED = "ALLOWANCE_EXCEEDED"
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
    STARS_FULL = "STARS_FULL"


# One meaning per code, shown in the schema (tests/unit/test_error_codes.py holds every code to one).
MEANINGS: dict[UserErrorCode, str] = {
    UserErrorCode.STARS_FULL: "You have starred as many items as one may: unstar some first.",
    UserErrorCode.NOT_FOUND: "What the input names does not exist or is not visible to the caller.",
    UserErrorCode.INVALID: "An input value is malformed or not allowed here (see the message and field).",
    UserErrorCode.NAME_INVALID: "The name is empty, too long, . or .., or has / \\ or control characters.",
    UserErrorCode.NAME_TAKEN: "Another live item in the folder has that name (names compare without case).",
    UserErrorCode.CYCLE: "A folder cannot move into itself or beneath itself.",
    UserErrorCode.TOO_DEEP: "The folder would be nested deeper than the limit.",
    UserErrorCode.ROOT_FOLDER: "An organization's root folder cannot be moved, renamed or deleted.",
    UserErrorCode.NOT_IN_TRASH: "Only an item in the trash can be restored or deleted for good.",
    UserErrorCode.IN_TRASH: "The item is in the trash: restore it first.",
    UserErrorCode.PARENT_IN_TRASH: "The folder it would go back to is in the trash: restore or pick another.",
    UserErrorCode.CROSS_ORGANIZATION: "Items move only within their organization.",
    UserErrorCode.PERMISSION_DENIED: "The caller sees the item but may not do this to it.",
    UserErrorCode.SIZE_INVALID: "The declared size is negative or over the object size limit.",
    UserErrorCode.PART_SIZE_INVALID: "The part size is outside 5 MiB-5 GiB or makes more than 10,000 parts.",
    UserErrorCode.QUOTA_EXCEEDED: "The organization's quota has no room for this many bytes.",
    UserErrorCode.ALLOWANCE_EXCEEDED: "Uploads through a share may hold no more than its upload allowance at once.",
    UserErrorCode.PART_INVALID: "A part number or part list does not fit the upload (see the message).",
    UserErrorCode.PARTS_MISSING: "Completing needs every part; some are not in the store.",
    UserErrorCode.CHECKSUM_INVALID: "A checksum is not a base64 SHA-256 (or composite) value.",
    UserErrorCode.CHECKSUM_MISMATCH: "The bytes stored do not have the checksum declared.",
    UserErrorCode.SIZE_MISMATCH: "The bytes stored are not the size declared.",
    UserErrorCode.UPLOAD_NOT_ACTIVE: "The upload was completed, aborted or swept: start a new one.",
    UserErrorCode.METADATA_INVALID: "Metadata or provenance is over a limit or malformed (see the field).",
    UserErrorCode.SHARE_EXISTS: "A live share to this grantee exists: update it instead.",
    UserErrorCode.NOT_PENDING: "The share is not waiting for an answer (answered, revoked or expired).",
    UserErrorCode.ALREADY_ENDED: "The share or request has ended already.",
    UserErrorCode.TERMS_CHANGED: "The terms changed since they were shown: read them again.",
    UserErrorCode.BUSY: "Another change to the same items is in progress: try again shortly.",
    UserErrorCode.UNKNOWN_SERVICE: "No Copernicus service of that name exists.",
    UserErrorCode.SERVICE_NOT_ENABLED: "The service exists but this installation has no access to it.",
    UserErrorCode.UNKNOWN_DATASET: "The service's catalogue has no dataset of that name.",
}


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
