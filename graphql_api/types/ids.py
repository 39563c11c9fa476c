"""Global ids: ``base64("<Type>:<ObjectId>")``, decoded and checked in one place."""

from __future__ import annotations

from bson import ObjectId
from bson.errors import InvalidId
from strawberry import relay

from resolvers.errors import BadInput, UserErrorCode, UserFailure


def decode(global_id: relay.GlobalID | str, *expected_types: str) -> tuple[str, ObjectId]:
    """The type name and ObjectId inside ``global_id``; BadInput when malformed or of another type."""
    try:
        parsed = global_id if isinstance(global_id, relay.GlobalID) else relay.GlobalID.from_id(global_id)
        object_id = ObjectId(parsed.node_id)
    except (ValueError, TypeError, InvalidId):
        raise BadInput(f"not a valid id: {global_id!s:.80}") from None
    if expected_types and parsed.type_name not in expected_types:
        raise BadInput(f"id of a {parsed.type_name}, expected {' or '.join(expected_types)}")
    return parsed.type_name, object_id


def encode(type_name: str, object_id: ObjectId) -> relay.GlobalID:
    return relay.GlobalID(type_name, str(object_id))


def input_id(global_id: relay.GlobalID | str, type_name: str, field: str) -> ObjectId:
    """An id from mutation input; a malformed or foreign id is a user error on ``field``."""
    try:
        return decode(global_id, type_name)[1]
    except BadInput as error:
        raise UserFailure(UserErrorCode.INVALID, error.message, [field]) from None
