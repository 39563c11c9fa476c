"""The policy guard: an operation whose resolvers never asked ``resolvers.access`` fails."""

from __future__ import annotations

from datetime import UTC, datetime

import strawberry
from bson import ObjectId

from graphql_api.policy_check import RequirePolicyCheck
from resolvers import access
from resolvers.identity import Principal
from storage.models import Folder

NOW = datetime.now(UTC)
FOLDER = Folder(id=ObjectId(), name="f", name_key="f", organisation_id=ObjectId(), created_at=NOW, updated_at=NOW)
CALLER = Principal(user_id=ObjectId(), subject="s", name="n", email=None, is_service=False)


@strawberry.type
class Query:
    @strawberry.field
    def forgetful(self) -> str:
        return FOLDER.name  # answers without asking anyone

    @strawberry.field
    async def careful(self) -> str | None:
        return FOLDER.name if access.can_read(CALLER, FOLDER) else None

    @strawberry.field
    def me(self) -> str:
        return CALLER.name


SCHEMA = strawberry.Schema(query=Query, extensions=[RequirePolicyCheck])


async def test_an_operation_that_never_asked_the_policy_fails() -> None:
    result = await SCHEMA.execute("{ forgetful }")
    assert result.errors is not None
    assert result.errors[0].extensions == {"code": "POLICY_NOT_ASKED"}


async def test_an_operation_that_asked_passes_and_own_only_fields_need_not() -> None:
    asked = await SCHEMA.execute("{ careful }")
    assert asked.errors is None
    assert asked.data == {"careful": None}
    own = await SCHEMA.execute("{ me }")
    assert own.errors is None


def test_an_empty_page_serves_nothing_and_a_page_with_items_does() -> None:
    from graphql_api.policy_check import _served

    assert not _served({"list": {"nodes": [], "pageInfo": {"hasNextPage": False}}})
    assert not _served({"list": {"edges": [], "pageInfo": {}}})
    assert _served({"list": {"nodes": [{"id": "x"}], "pageInfo": {}}})
