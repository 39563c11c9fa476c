"""Mail to the people a share is made to, through a real SMTP server on loopback: who is told,
what they read (the terms in full, how to answer), and that a refused delivery is tried again."""

from __future__ import annotations

import uuid
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

from motor.motor_asyncio import AsyncIOMotorDatabase

from tests.conftest import MovableClock
from tests.helpers import create_folder, eventually, object_id, root_folder
from tests.mailbox import Mailbox

SHARE = """
mutation($input: CreateShareInput!) {
  createShare(input: $input) { share { id status } userErrors { code message } }
}
"""
ME = "{ me { name organizations { id slug } } }"


async def _folder(client: Any, slug: str = "athena-energy") -> tuple[str, str]:
    name = f"survey-{uuid.uuid4().hex[:8]}"
    return await create_folder(client, await root_folder(client, slug), name), name


async def _share(client: Any, resource: str, grantee: dict[str, Any], **extra: Any) -> dict[str, Any]:
    made = await client.data(SHARE, {"input": {"resourceId": resource, "grantee": grantee, "role": "VIEWER", **extra}})
    assert made["createShare"]["userErrors"] == [], made
    return dict(made["createShare"]["share"])


async def _mail(mailbox: Mailbox, address: str, about: str, count: int = 1) -> list[EmailMessage]:
    async def found() -> list[EmailMessage]:
        return [m for m in mailbox.to(address) if about in str(m["Subject"])]

    return await eventually(found, lambda got: len(got) >= count, within=20)


async def test_a_share_under_terms_is_mailed_to_its_grantee_with_how_to_answer(as_user: Any, mailbox: Mailbox) -> None:
    bob = as_user("bob")
    top, name = await _folder(bob)
    terms = {"text": "Cite the Athena survey.\nNo resale.", "licence": "CC-BY-4.0"}
    share = await _share(bob, top, {"email": "carol@reading-climate.example"}, terms=terms, message="For the heat map")
    assert share["status"] == "PENDING"
    [message] = await _mail(mailbox, "carol@reading-climate.example", name)
    assert message["Subject"] == f"Bob Example shared the folder “{name}” with you"
    assert message["From"] == "Strata <strata@test.invalid>"
    body = message.get_content().replace("\r\n", "\n")
    assert "Licence: CC-BY-4.0" in body
    assert "  Cite the Athena survey.\n  No resale." in body
    assert "For the heat map" in body
    assert f"strata accept {share['id']}" in body
    assert "http://127.0.0.1:18700/shared" in body


async def test_an_invitation_is_mailed_to_the_address_nobody_signed_in_with(as_user: Any, mailbox: Mailbox) -> None:
    bob = as_user("bob")
    top, name = await _folder(bob)
    address = f"newcomer-{uuid.uuid4().hex[:8]}@example.org"
    await _share(bob, top, {"email": address})
    [message] = await _mail(mailbox, address, name)
    assert f"Sign in to Strata with this address ({address}) to reach it." in message.get_content()
    assert "Open it at http://127.0.0.1:18700/shared" in message.get_content()


async def test_a_share_with_an_organisation_is_mailed_to_those_who_answer_for_it(
    as_user: Any, mailbox: Mailbox
) -> None:
    # rhea, an admin, answers for reading-climate; carol is a member there
    for who in ("carol", "rhea"):
        await as_user(who).data(ME)
    organizations = (await as_user("rhea").data(ME))["me"]["organizations"]
    reading = next(o["id"] for o in organizations if o["slug"] == "reading-climate")
    bob = as_user("bob")
    top, name = await _folder(bob)
    await _share(bob, top, {"organizationId": reading})
    [message] = await _mail(mailbox, "rhea@reading-climate.example", name)
    assert message["Subject"] == f"Bob Example shared the folder “{name}” with reading-climate"
    assert [m for m in mailbox.to("carol@reading-climate.example") if name in str(m["Subject"])] == []


async def test_mail_the_server_refuses_waits_and_goes_once_it_accepts(
    as_user: Any, mailbox: Mailbox, mongo: AsyncIOMotorDatabase[Any], clock: MovableClock
) -> None:
    bob = as_user("bob")
    top, name = await _folder(bob)
    mailbox.refusing = True
    refused_before = mailbox.refused
    try:
        # when: the share is made while the mail server refuses
        share = await _share(bob, top, {"email": "dave@example.org"})

        async def notice() -> dict[str, Any] | None:
            found: dict[str, Any] | None = await mongo.notices.find_one({"share_id": object_id(share["id"])})
            return found

        # then: the share stands, the notice waits with the reason, nothing was delivered
        waiting = await eventually(notice, lambda n: n is not None and n["attempts"] >= 1)
        assert waiting is not None
        assert mailbox.refused > refused_before
        assert "451" in waiting["last_error"]
        assert waiting["sent_at"] is None
    finally:
        mailbox.refusing = False
    # when: the server accepts again and the retry comes due
    clock.advance(timedelta(minutes=2))
    [message] = await _mail(mailbox, "dave@example.org", name)
    assert message["Subject"].endswith(f"“{name}” with you")
    sent = await eventually(notice, lambda n: n is not None and n["sent_at"] is not None)
    assert sent is not None
    assert sent["attempts"] == 2
