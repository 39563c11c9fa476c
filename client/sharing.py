"""What the ``strata`` sharing commands do: share, shares, accept (terms shown first), decline, revoke."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any, TextIO

from client.api import StrataClient, StrataError
from client.paths import resolve

SHARE_FIELDS = """
id role status termsHash message createdAt resourceName
terms { text licence expiresAt allowReshare }
granteeUser { name email } granteeEmail granteeOrganization { slug } createdBy { name }
"""
CREATE = f"""
mutation($input: CreateShareInput!) {{ createShare(input: $input) {{
  share {{ {SHARE_FIELDS} }} userErrors {{ code message field }} }} }}
"""
SHARED_WITH_ME = f"""
query($after: String) {{ sharedWithMe(first: 100, after: $after) {{
  nodes {{ {SHARE_FIELDS} }} pageInfo {{ hasNextPage endCursor }} }} }}
"""
SHARES_OF = f"""
query($id: ID!) {{ node(id: $id) {{
  ... on Folder {{ shares {{ {SHARE_FIELDS} }} }}
  ... on File {{ shares {{ {SHARE_FIELDS} }} }}
}} }}
"""
ONE = f"query($id: ID!) {{ node(id: $id) {{ ... on Share {{ {SHARE_FIELDS} }} }} }}"
ACCEPT = """
mutation($id: ID!, $hash: String) { acceptShare(input: {shareId: $id, termsHash: $hash}) {
  share { id status } userErrors { code message } } }
"""
DECLINE = (
    "mutation($id: ID!) { declineShare(input: {shareId: $id}) { share { id status } userErrors { code message } } }"
)
REVOKE = "mutation($id: ID!) { revokeShare(input: {shareId: $id}) { share { id status } userErrors { code message } } }"


def _grantee(to: str) -> dict[str, str]:
    """An e-mail address, an organisation's global id, or a user's global id."""
    if "@" in to:
        return {"email": to}
    try:
        kind = base64.b64decode(to, validate=True).decode().split(":", 1)[0]
    except ValueError:
        kind = ""
    if kind == "Organization":
        return {"organizationId": to}
    if kind == "User":
        return {"userId": to}
    raise StrataError(
        f"share with an e-mail address or an organisation id (`strata orgs` lists them), not {to!r}", ["INVALID"]
    )


def _line(share: dict[str, Any]) -> str:
    grantee = share["granteeUser"] or share["granteeOrganization"] or {}
    who = grantee.get("email") or grantee.get("name") or grantee.get("slug") or share.get("granteeEmail") or "?"
    return (
        f"{share['id']}  {share['status'].lower():<8}  {share['role'].lower():<6}  {who}  {share['resourceName'] or ''}"
    )


async def share(
    client: StrataClient,
    out: TextIO,
    reference: str,
    to: str,
    role: str,
    terms: dict[str, Any] | None,
    message: str | None,
) -> None:
    item = await resolve(client, reference)
    payload: dict[str, Any] = {"resourceId": item.id, "grantee": _grantee(to), "role": role.upper()}
    if terms:
        payload["terms"] = terms
    if message:
        payload["message"] = message
    made = await client.mutate(CREATE, "createShare", {"input": payload})
    out.write(_line(made["share"]) + "\n")


async def shares(client: StrataClient, out: TextIO, reference: str | None, as_json: bool) -> None:
    """Shares made to you (no reference), or the live shares on an item you manage."""
    found: list[dict[str, Any]] = []
    if reference:
        item = await resolve(client, reference)
        node = (await client.query(SHARES_OF, {"id": item.id}))["node"]
        found = list(node["shares"]) if node else []
    else:
        after = None
        while True:
            page = (await client.query(SHARED_WITH_ME, {"after": after}))["sharedWithMe"]
            found.extend(page["nodes"])
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
    for item_share in found:
        out.write((json.dumps(item_share) if as_json else _line(item_share)) + "\n")


async def accept(client: StrataClient, out: TextIO, share_id: str, agreed: bool, ask: Callable[[str], bool]) -> None:
    """Show the terms in full, then accept with the hash of the very terms shown."""
    found = (await client.query(ONE, {"id": share_id}))["node"]
    if not found:
        raise StrataError("share not found", ["NOT_FOUND"])
    terms = found["terms"]
    shown = [
        f"{found['createdBy']['name'] if found['createdBy'] else 'Someone'} shares "
        f"{found['resourceName'] or 'an item'} with you as {found['role'].lower()}.",
        f"Terms: {terms['text'] or '(none)'}",
        f"Licence: {terms['licence'] or '(none)'}",
        f"Expires: {terms['expiresAt'] or 'never'}",
        f"Resharing: {'allowed' if terms['allowReshare'] else 'not allowed'}",
    ]
    out.write("\n".join(shown) + "\n")
    if not agreed and not ask("Accept these terms? [y/N] "):
        raise StrataError("not accepted; nothing changed", ["DECLINED_HERE"])
    await client.mutate(ACCEPT, "acceptShare", {"id": share_id, "hash": found["termsHash"]})
    out.write(f"accepted: {share_id}\n")


async def decline(client: StrataClient, out: TextIO, share_id: str) -> None:
    await client.mutate(DECLINE, "declineShare", {"id": share_id})
    out.write(f"declined: {share_id}\n")


async def revoke(client: StrataClient, out: TextIO, share_id: str) -> None:
    await client.mutate(REVOKE, "revokeShare", {"id": share_id})
    out.write(f"revoked: {share_id}\n")


DIRECTORY = """
query($search: String, $after: String) { organizations(search: $search, first: 100, after: $after) {
  nodes { id slug name role } pageInfo { hasNextPage endCursor } } }
"""


async def organisations(client: StrataClient, out: TextIO, search: str | None, as_json: bool) -> None:
    """The directory to share with: every organisation whose name or slug contains ``search``."""
    after = None
    while True:
        page = (await client.query(DIRECTORY, {"search": search, "after": after}))["organizations"]
        for org in page["nodes"]:
            mine = f"  ({org['role'].lower()})" if org["role"] else ""
            out.write((json.dumps(org) if as_json else f"{org['id']}  {org['slug']}  {org['name']}{mine}") + "\n")
        if not page["pageInfo"]["hasNextPage"]:
            return
        after = page["pageInfo"]["endCursor"]
