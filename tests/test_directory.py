"""The organization directory one shares through: found by name or slug, nothing private shown."""

from __future__ import annotations

from typing import Any

from tests.graphql import error_codes

DIRECTORY = """
query($search: String, $first: Int = 50, $after: String) {
  organizations(search: $search, first: $first, after: $after) {
    nodes { slug name role usageBytes quotaBytes rootFolder { id } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


async def test_anyone_signed_in_finds_organizations_by_name_or_slug(as_user: Any) -> None:
    dave = as_user("dave")  # in no organization at all
    await as_user("carol").data("{ me { id } }")  # an organization appears at its first member's sign-in
    found = (await dave.data(DIRECTORY, {"search": "READING"}))["organizations"]["nodes"]
    assert [o["slug"] for o in found] == ["reading-climate"]
    # and nothing private about one he is not in
    assert found[0] == {**found[0], "role": None, "usageBytes": None, "quotaBytes": None, "rootFolder": None}


async def test_members_see_their_own_standing_and_the_search_is_literal(as_user: Any) -> None:
    alice = as_user("alice")
    [own] = (await alice.data(DIRECTORY, {"search": "athena"}))["organizations"]["nodes"]
    assert own["role"] == "MEMBER"
    assert own["usageBytes"] is not None
    # A pattern character is a character, not a wildcard.
    assert (await alice.data(DIRECTORY, {"search": "a.hena"}))["organizations"]["nodes"] == []


async def test_the_directory_pages_and_refuses_an_overlong_search(as_user: Any) -> None:
    carol = as_user("carol")
    first = (await carol.data(DIRECTORY, {"first": 1}))["organizations"]
    assert len(first["nodes"]) == 1
    assert first["pageInfo"]["hasNextPage"]
    second = (await carol.data(DIRECTORY, {"first": 1, "after": first["pageInfo"]["endCursor"]}))["organizations"]
    assert second["nodes"][0]["slug"] > first["nodes"][0]["slug"]
    body = await carol.execute(DIRECTORY, {"search": "x" * 101})
    assert error_codes(body) == ["BAD_USER_INPUT"]


async def test_members_are_told_whom_to_ask(as_user: Any) -> None:
    for who in ("bob", "olga"):
        await as_user(who).data("{ me { id } }")  # signed in once: the directory knows their role
    query = "{ me { organizations { slug admins { name } } } }"
    mine = (await as_user("alice").data(query))["me"]["organizations"]
    athena = next(o for o in mine if o["slug"] == "athena-energy")
    assert [a["name"] for a in athena["admins"]] == ["Bob Example", "Olga Example"]
    # another organization's member reaching it by the directory learns no names
    theirs = await as_user("carol").data('{ organizations(search: "athena") { nodes { slug admins { name } } } }')
    assert [o["admins"] for o in theirs["organizations"]["nodes"] if o["slug"] == "athena-energy"] == [[]]


PEOPLE = "query($s: String!, $n: Int! = 10) { people(search: $s, first: $n) { name email } }"


async def _people(client: Any, search: str) -> list[str]:
    return [p["name"] for p in (await client.data(PEOPLE, {"s": search}))["people"]]


async def test_members_find_their_colleagues_while_typing_and_nobody_else(as_user: Any) -> None:
    for who in ("bob", "olga", "carol", "dave"):
        await as_user(who).data("{ me { id } }")  # signed in once: known with their organizations
    alice = as_user("alice")
    # from the second letter of any word of the name or the address; never herself
    assert await _people(alice, "bo") == ["Bob Example"]
    assert await _people(alice, "EX") == ["Bob Example", "Olga Example"]
    assert await _people(alice, "olga ex") == ["Olga Example"]  # every word narrows
    assert await _people(alice, "b") == []
    [bob] = (await alice.data(PEOPLE, {"s": "bob"}))["people"]
    assert bob["email"]  # a colleague's address is what a share names
    # carol is in another organization, dave in none: neither finds alice's colleagues, nor she them
    assert await _people(as_user("carol"), "bo") == []
    assert await _people(as_user("dave"), "ex") == []
    assert "Carol Example" not in await _people(alice, "carol")


async def test_people_refuses_an_overlong_search_or_page(as_user: Any) -> None:
    alice = as_user("alice")
    assert error_codes(await alice.execute(PEOPLE, {"s": "x" * 101})) == ["BAD_USER_INPUT"]
    assert error_codes(await alice.execute(PEOPLE, {"s": "bob", "n": 0})) == ["BAD_USER_INPUT"]
    assert error_codes(await alice.execute(PEOPLE, {"s": "bob", "n": 21})) == ["BAD_USER_INPUT"]
