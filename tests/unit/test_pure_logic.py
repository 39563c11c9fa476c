"""The pure logic behind the API, without any service: names, cursors, fingerprints, parts, cost, access."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime, timedelta

import pytest
from bson import ObjectId
from graphql import parse

from graphql_api import cost
from resolvers import access
from resolvers.copernicus.requests import fingerprint
from resolvers.errors import BadInput, UserErrorCode, UserFailure
from resolvers.identity import Grant, Principal
from resolvers.metadata import checked_metadata
from resolvers.names import clean_name
from resolvers.pagination import SortField, decode_cursor, encode_cursor
from resolvers.transfers import MAX_PARTS, MIN_PART, choose_part_size, composite_checksum
from storage.models import Folder, Role, ShareRole
from storage.pages import Window


@pytest.mark.parametrize(
    ("given", "kept"),
    [("  flight.tif ", "flight.tif"), ("Cafe\u0301", "Caf\u00e9"), ("Dach 2026", "Dach 2026")],
)
def test_names_are_trimmed_and_normalised(given: str, kept: str) -> None:
    assert clean_name(given) == kept


@pytest.mark.parametrize("bad", ["", "   ", ".", "..", "a/b", "a\\b", "tab\there", "x" * 256, "zero\u200bwidth"])
def test_bad_names_are_refused(bad: str) -> None:
    with pytest.raises(UserFailure) as refused:
        clean_name(bad)
    assert refused.value.code is UserErrorCode.NAME_INVALID


def test_a_cursor_round_trips_with_its_own_type() -> None:
    oid = ObjectId()
    moment = datetime(2026, 12, 2, 8, 30, tzinfo=UTC)
    assert decode_cursor(encode_cursor(SortField.UPDATED_AT, moment, oid), SortField.UPDATED_AT) == (moment, oid)
    assert decode_cursor(encode_cursor(SortField.SIZE, 42, oid), SortField.SIZE) == (42, oid)


@pytest.mark.parametrize(
    "raw",
    [
        ["NAME", {"$gt": ""}, "0" * 24],
        ["SIZE", "12", "0" * 24],
        ["NAME", "a", {"$where": "1"}],
        ["UPDATED_AT", {"$date": "2026-01-01T00:00:00"}, "0" * 24],
        ["SIZE", 2**63, "0" * 24],
    ],
)
def test_a_cursor_holding_anything_but_its_sort_value_is_refused(raw: list[object]) -> None:
    sort = SortField(str(raw[0]))
    forged = base64.urlsafe_b64encode(json.dumps(raw).encode()).decode()
    with pytest.raises(BadInput):
        decode_cursor(forged, sort)


def test_fingerprints_ignore_key_order_and_see_values() -> None:
    assert fingerprint("CDS", "era5", {"a": 1, "b": [1, 2]}) == fingerprint("CDS", "era5", {"b": [1, 2], "a": 1})
    assert fingerprint("CDS", "era5", {"a": 1}) != fingerprint("ADS", "era5", {"a": 1})
    assert fingerprint("CDS", "era5", {"a": 1}) != fingerprint("CDS", "era5", {"a": 2})


def test_part_sizes_follow_s3s_limits() -> None:
    assert choose_part_size(10, None) == 16 * 1024 * 1024
    huge = 5 * 1024**4
    assert huge / choose_part_size(huge, None) <= MAX_PARTS
    with pytest.raises(UserFailure):
        choose_part_size(10, MIN_PART - 1)


def test_the_composite_checksum_is_s3s() -> None:
    # given: two parts of known bytes, and the value MinIO answered completing them (written out,
    # not computed here: the formula is held to the store, not to a copy of itself)
    parts = [b"a" * (5 * 1024 * 1024), b"b" * 1000]
    stores_answer = "gzKREhG1RwKmrTCIEhem1Qh4SLYssbnaSjmwJsKJ6aA=-2"
    digests = [base64.b64encode(hashlib.sha256(part).digest()).decode() for part in parts]
    # then
    assert composite_checksum(digests) == stores_answer


def test_metadata_numbers_must_fit_in_64_bits() -> None:
    assert checked_metadata({"n": 2**63 - 1}) == {"n": 2**63 - 1}
    with pytest.raises(UserFailure):
        checked_metadata({"deep": [{"n": -(2**63) - 1}]})


def test_cost_multiplies_page_sizes() -> None:
    one = parse("{ folder(id: 1) { files(first: 10) { edges { node { id download { url } } } } } }")
    # folder 1, files 1, edges 10, node 10, id 10, download 10 x 10, url 10
    assert cost.check(one, None, {}, 500, 10_000) == 1 + 1 + 10 + 10 + 10 + 100 + 10
    nested = parse("{ searchFiles { edges { node { folder { files { edges { node { id } } } } } } } }")
    with pytest.raises(cost.TooExpensive):
        cost.check(nested, None, {}, 500, 1_000)
    flood = parse("{" + " ".join(["me { name }"] * 300) + "}")
    with pytest.raises(cost.TooExpensive):
        cost.check(flood, None, {}, 500, 10_000)


def _principal(*grants: Grant) -> Principal:
    return Principal(user_id=ObjectId(), subject="s", name="n", email=None, is_service=False, roles={}, grants=grants)


def test_the_grant_that_allows_resharing_counts_even_beside_a_stronger_one() -> None:
    now = datetime.now(UTC)
    folder = Folder(
        id=ObjectId(),
        name="f",
        name_key="f",
        organisation_id=ObjectId(),
        ancestors=[ObjectId()],
        created_at=now,
        updated_at=now,
    )
    editor = Grant(ObjectId(), folder.ancestors[0], ShareRole.EDITOR, None, allow_reshare=False)
    viewer = Grant(ObjectId(), folder.id, ShareRole.VIEWER, now + timedelta(days=1), allow_reshare=True)
    principal = _principal(editor, viewer)
    assert access.level(principal, folder) is access.Level.EDIT
    assert access.reshare_grant_for(principal, folder) == viewer
    assert access.reshare_grant_for(_principal(editor), folder) is None


def test_members_and_admins_get_their_organisations_role() -> None:
    organisation = ObjectId()
    member = Principal(
        user_id=ObjectId(), subject="s", name="n", email=None, is_service=False, roles={organisation: Role.MEMBER}
    )
    admin = Principal(
        user_id=ObjectId(), subject="s", name="n", email=None, is_service=False, roles={organisation: Role.ADMIN}
    )
    assert access.organisation_level(member, organisation) is access.Level.EDIT
    assert access.organisation_level(admin, organisation) is access.Level.MANAGE
    assert access.organisation_level(member, ObjectId()) is access.Level.NONE


def test_a_window_pages_strictly_after_its_cursor() -> None:
    oid = ObjectId()
    first = Window("name_key", True, None, 11)
    assert first.apply({"folder_id": 1}) == ({"folder_id": 1}, [("name_key", 1), ("_id", 1)])
    later = Window("size", False, (42, oid), 11)
    query, sort = later.apply({"folder_id": 1})
    assert sort == [("size", -1), ("_id", -1)]
    # the criteria's equality stays a top-level key, where FerretDB hands it to its store's index
    assert query == {"folder_id": 1, "$or": [{"size": {"$lt": 42}}, {"size": 42, "_id": {"$lt": oid}}]}
    scoped = later.apply({"folder_id": 1, "$or": [{"a": 1}, {"b": 2}]})[0]
    assert scoped == {
        "folder_id": 1,
        "$and": [{"$or": [{"a": 1}, {"b": 2}]}, {"$or": [{"size": {"$lt": 42}}, {"size": 42, "_id": {"$lt": oid}}]}],
    }
