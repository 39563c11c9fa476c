"""Folders found by name, within what the caller may read."""

from __future__ import annotations

import uuid
from typing import Any

from tests.graphql import error_codes
from tests.helpers import create_folder, sandbox

SEARCH = """
query($name: String!, $first: Int! = 50) {
  searchFolders(name: $name, first: $first) { nodes { id name } pageInfo { hasNextPage } }
}
"""
RENAME = "mutation($id: ID!, $n: String!) { renameFolder(input: {id: $id, name: $n}) { userErrors { code } } }"
DELETE = "mutation($id: ID!) { deleteFolder(input: {id: $id}) { userErrors { code } } }"


async def _names(client: Any, name: str) -> list[str]:
    return [f["name"] for f in (await client.data(SEARCH, {"name": name}))["searchFolders"]["nodes"]]


async def test_folders_are_found_by_a_word_or_its_start_and_follow_renames(as_user: Any) -> None:
    alice = as_user("alice")
    tag = uuid.uuid4().hex[:8]
    top = await sandbox(alice)
    survey = await create_folder(alice, top, f"Roof survey {tag}")
    await create_folder(alice, top, f"thermal flights {tag}")
    # a word, the start of the last word, any case; a word's middle finds nothing
    assert await _names(alice, f"survey {tag}") == [f"Roof survey {tag}"]
    assert await _names(alice, f"ROOF SURVEY {tag[:5]}") == [f"Roof survey {tag}"]
    assert await _names(alice, f"flights {tag}") == [f"thermal flights {tag}"]
    assert await _names(alice, f"urvey {tag}") == []
    # a rename is found by its new name only; a folder in the trash is not found
    assert (await alice.data(RENAME, {"id": survey, "n": f"Facade scans {tag}"}))["renameFolder"]["userErrors"] == []
    assert await _names(alice, f"survey {tag}") == []
    assert await _names(alice, f"facade scans {tag}") == [f"Facade scans {tag}"]
    assert (await alice.data(DELETE, {"id": survey}))["deleteFolder"]["userErrors"] == []
    assert await _names(alice, f"facade scans {tag}") == []


async def test_only_readable_folders_are_found_and_input_is_bounded(as_user: Any) -> None:
    alice, carol = as_user("alice"), as_user("carol")
    tag = uuid.uuid4().hex[:8]
    await create_folder(alice, await sandbox(alice), f"private plans {tag}")
    assert await _names(alice, f"plans {tag}") == [f"private plans {tag}"]
    assert await _names(carol, f"plans {tag}") == []
    assert await _names(alice, "-- !!") == []
    assert error_codes(await alice.execute(SEARCH, {"name": "x" * 201})) == ["BAD_USER_INPUT"]
    assert error_codes(await alice.execute(SEARCH, {"name": "plans", "first": 101})) == ["BAD_USER_INPUT"]
