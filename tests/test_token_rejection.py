"""Tokens the API must refuse: each answers UNAUTHENTICATED and leaves nothing in the database."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey
from motor.motor_asyncio import AsyncIOMotorDatabase

from tests.graphql import GraphQLClient, error_codes
from tests.keycloak import KeycloakClient

ME = "{ me { id organizations { slug } } }"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _segments(token: str) -> tuple[dict[str, Any], dict[str, Any], str]:
    header, payload, signature = token.split(".")
    return (
        json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4))),
        json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))),
        signature,
    )


class TrustedKey:
    """An RSA key the test owns and Keycloak publishes in its JWKS (at a priority it never signs with)."""

    def __init__(self, key: RSAKey, kid: str, issuer: str) -> None:
        self.key = key
        self.kid = kid
        self.issuer = issuer

    def sign(self, claims: dict[str, Any], **header: Any) -> str:
        return jwt.encode({"alg": "RS256", "kid": self.kid, **header}, claims, self.key)

    def claims(self, **overrides: Any) -> dict[str, Any]:
        now = int(time.time())
        marker = uuid.uuid4().hex[:12]
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": "strata-api",
            "sub": f"intruder-{marker}",
            "iat": now,
            "exp": now + 300,
            "name": f"Intruder {marker}",
            "groups": [f"/intruders-{marker}"],
        }
        claims.update(overrides)
        return claims


@pytest.fixture(scope="module")
def trusted_key(keycloak: KeycloakClient) -> Iterator[TrustedKey]:
    key = RSAKey.generate_key(2048, private=True)
    component = keycloak.add_key_provider(
        "strata-tests-crafted",
        "rsa",
        {"privateKey": [key.as_pem(private=True).decode()], "priority": ["1"], "algorithm": ["RS256"]},
    )
    try:
        modulus = key.as_dict(private=False)["n"]
        [kid] = [k["kid"] for k in keycloak.jwks() if k.get("n") == modulus]
        yield TrustedKey(key, kid, keycloak.issuer)
    finally:
        keycloak.delete_component(component)


async def _assert_rejected(
    gql: GraphQLClient, token: str | None, mongo: AsyncIOMotorDatabase[Any], claims: dict[str, Any]
) -> None:
    users_before = await mongo.users.count_documents({})
    # when
    body = await gql.as_(token).execute(ME)
    # then
    assert body["data"] is None
    assert error_codes(body) == ["UNAUTHENTICATED"]
    assert await mongo.users.count_documents({}) == users_before
    if "sub" in claims:
        assert await mongo.users.find_one({"subject": claims["sub"]}) is None
    for group in claims.get("groups", []):
        assert await mongo.organisations.find_one({"slug": group.strip("/").split("/")[0]}) is None


async def test_a_well_formed_token_from_the_trusted_key_is_accepted(
    gql: GraphQLClient, trusted_key: TrustedKey
) -> None:
    # The control for every rejection below: only the one named defect differs.
    claims = trusted_key.claims()
    data = await gql.as_(trusted_key.sign(claims)).data(ME)
    assert [o["slug"] for o in data["me"]["organizations"]] == [claims["groups"][0].strip("/")]


async def test_no_token(gql: GraphQLClient, mongo: AsyncIOMotorDatabase[Any]) -> None:
    await _assert_rejected(gql, None, mongo, {})


async def test_wrong_scheme_is_rejected(gql: GraphQLClient, mongo: AsyncIOMotorDatabase[Any]) -> None:
    response = await gql.http.post("/graphql", json={"query": ME}, headers={"Authorization": "Basic YWxpY2U6cHc="})
    assert error_codes(response.json()) == ["UNAUTHENTICATED"]


@pytest.mark.parametrize("token", ["not-a-jwt", "a.b.c", "eyJhbGciOiJSUzI1NiJ9.e30", "....", "x" * 5000])
async def test_malformed_token(gql: GraphQLClient, mongo: AsyncIOMotorDatabase[Any], token: str) -> None:
    await _assert_rejected(gql, token, mongo, {})


Craft = Callable[[TrustedKey], tuple[str, dict[str, Any]]]


def _expired(k: TrustedKey) -> tuple[str, dict[str, Any]]:
    now = int(time.time())
    claims = k.claims(iat=now - 900, exp=now - 120)
    return k.sign(claims), claims


def _not_yet_valid(k: TrustedKey) -> tuple[str, dict[str, Any]]:
    claims = k.claims(nbf=int(time.time()) + 600)
    return k.sign(claims), claims


def _wrong_issuer(k: TrustedKey) -> tuple[str, dict[str, Any]]:
    claims = k.claims(iss=k.issuer.replace("/realms/strata", "/realms/master"))
    return k.sign(claims), claims


def _wrong_audience(k: TrustedKey) -> tuple[str, dict[str, Any]]:
    claims = k.claims(aud="another-api")
    return k.sign(claims), claims


def _no_subject(k: TrustedKey) -> tuple[str, dict[str, Any]]:
    claims = k.claims()
    claims.pop("sub")
    return k.sign(claims), claims


def _tampered(k: TrustedKey) -> tuple[str, dict[str, Any]]:
    original = k.claims()
    header, _, signature = k.sign(original).split(".")
    forged = {**original, "groups": [original["groups"][0] + "-forged/owners"], "sub": original["sub"] + "-forged"}
    return f"{header}.{_b64(json.dumps(forged).encode())}.{signature}", forged


def _alg_none(k: TrustedKey) -> tuple[str, dict[str, Any]]:
    claims = k.claims()
    header = _b64(json.dumps({"alg": "none", "kid": k.kid}).encode())
    return f"{header}.{_b64(json.dumps(claims).encode())}.", claims


def _hs256_with_public_key(k: TrustedKey) -> tuple[str, dict[str, Any]]:
    claims = k.claims()
    signing_input = f"{_b64(json.dumps({'alg': 'HS256', 'kid': k.kid}).encode())}.{_b64(json.dumps(claims).encode())}"
    secret = k.key.as_pem(private=False)
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}", claims


def _unknown_key(k: TrustedKey) -> tuple[str, dict[str, Any]]:
    stranger = RSAKey.generate_key(2048, private=True)
    claims = k.claims()
    return jwt.encode({"alg": "RS256", "kid": "not-in-the-jwks"}, claims, stranger), claims


def _known_kid_wrong_key(k: TrustedKey) -> tuple[str, dict[str, Any]]:
    stranger = RSAKey.generate_key(2048, private=True)
    claims = k.claims()
    return jwt.encode({"alg": "RS256", "kid": k.kid}, claims, stranger), claims


@pytest.mark.parametrize(
    "craft",
    [
        _expired,
        _not_yet_valid,
        _wrong_issuer,
        _wrong_audience,
        _no_subject,
        _tampered,
        _alg_none,
        _hs256_with_public_key,
        _unknown_key,
        _known_kid_wrong_key,
    ],
)
async def test_crafted_token_is_rejected(
    gql: GraphQLClient, mongo: AsyncIOMotorDatabase[Any], trusted_key: TrustedKey, craft: Craft
) -> None:
    token, claims = craft(trusted_key)
    await _assert_rejected(gql, token, mongo, claims)


async def test_rejections_leave_the_server_answering(gql: GraphQLClient, trusted_key: TrustedKey) -> None:
    for craft in (_alg_none, _unknown_key, _tampered):
        await gql.as_(craft(trusted_key)[0]).execute(ME)
    assert (await gql.http.get("/healthz")).json() == {"status": "ok"}


async def test_tampered_keycloak_token_is_rejected(
    gql: GraphQLClient, mongo: AsyncIOMotorDatabase[Any], tokens: Callable[[str], str]
) -> None:
    await gql.as_(tokens("carol")).data(ME)  # carol exists, in reading-climate only
    header, _, signature = tokens("carol").split(".")
    _, claims, _ = _segments(tokens("carol"))
    forged = {**claims, "groups": ["/athena-energy/owners"]}
    token = f"{header}.{_b64(json.dumps(forged).encode())}.{signature}"
    body = await gql.as_(token).execute(ME)
    assert error_codes(body) == ["UNAUTHENTICATED"]
    carol = await mongo.users.find_one({"subject": claims["sub"]})
    assert carol is not None
    organisations = [await mongo.organisations.find_one({"_id": m["organisation_id"]}) for m in carol["memberships"]]
    slugs = [o["slug"] for o in organisations if o is not None]
    assert slugs == ["reading-climate"]
