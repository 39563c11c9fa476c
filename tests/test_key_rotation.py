"""A new signing key in Keycloak is picked up without restarting the API."""

from __future__ import annotations

from tests.graphql import GraphQLClient
from tests.keycloak import KeycloakClient
from tests.test_token_rejection import _segments

ME = "{ me { name organizations { slug } } }"


async def test_token_signed_by_a_newly_added_key_is_accepted(gql: GraphQLClient, keycloak: KeycloakClient) -> None:
    # given: the API has seen a token signed by the current key
    before = keycloak.password_token("alice")
    await gql.as_(before).data(ME)
    component = keycloak.add_key_provider(
        "strata-tests-rotated", "rsa-generated", {"priority": ["1000"], "keySize": ["2048"], "algorithm": ["RS256"]}
    )
    try:
        # when: Keycloak signs with the new key
        after = keycloak.password_token("alice")
        assert _segments(after)[0]["kid"] != _segments(before)[0]["kid"]
        data = await gql.as_(after).data(ME)
        # then
        assert [o["slug"] for o in data["me"]["organizations"]] == ["athena-energy"]
        # and tokens from the older key, still published, keep working
        await gql.as_(before).data(ME)
    finally:
        keycloak.delete_component(component)
