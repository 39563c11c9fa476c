"""Who is calling: verified token claims turned into a user with organisations and roles."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bson import ObjectId

from storage import directory, lookups, shares
from storage.models import Membership, Role, ShareRole, User
from storage.mongo import Database

# Keycloak group paths: "/athena-energy" is a member, "/athena-energy/admins" an admin.
_SUBGROUP_ROLES = {"admins": Role.ADMIN, "admin": Role.ADMIN, "owners": Role.OWNER, "owner": Role.OWNER}
_ROLE_RANK = {Role.MEMBER: 0, Role.ADMIN: 1, Role.OWNER: 2}
_MAX_ORGANISATIONS = 100
_MAX_SLUG = 64


@dataclass(frozen=True)
class Grant:
    """What an ACTIVE share gives the caller: a role on a resource and everything beneath it."""

    share_id: ObjectId
    resource_id: ObjectId
    role: ShareRole
    expires_at: datetime | None
    allow_reshare: bool
    upload_allowance_bytes: int = 0

    def live(self, now: datetime) -> bool:
        return self.expires_at is None or now < self.expires_at


@dataclass(frozen=True)
class Principal:
    """The authenticated caller. ``roles`` maps organisation id to the caller's role there."""

    user_id: ObjectId
    subject: str
    name: str
    email: str | None
    is_service: bool
    roles: Mapping[ObjectId, Role] = field(default_factory=dict)
    expires_at: float = float("inf")
    grants: tuple[Grant, ...] = ()
    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    def role_in(self, organisation_id: ObjectId) -> Role | None:
        return self.roles.get(organisation_id)

    def is_member(self, organisation_id: ObjectId) -> bool:
        return organisation_id in self.roles

    def is_admin(self, organisation_id: ObjectId) -> bool:
        role = self.roles.get(organisation_id)
        return role is not None and _ROLE_RANK[role] >= _ROLE_RANK[Role.ADMIN]

    def expired(self) -> bool:
        return time.time() >= self.expires_at

    def grantee_ids(self) -> list[ObjectId]:
        """The ids a share may name to reach this caller: theirs and their organisations'."""
        return [self.user_id, *self.roles]

    def live_grants(self) -> list[Grant]:
        return [g for g in self.grants if g.live(self.now)]


def _stronger(a: Role | None, b: Role) -> Role:
    return b if a is None or _ROLE_RANK[b] > _ROLE_RANK[a] else a


def organisation_roles(claim: Any) -> dict[str, Role]:
    """Organisation slugs and roles from the configured claim.

    Accepts Keycloak group paths (``["/athena-energy/admins"]``), plain names
    (``["athena-energy"]``) and Keycloak's organisation claim (``{"athena-energy": {...}}``,
    with an optional ``role`` entry).
    """
    entries: Iterable[tuple[str, Any]]
    if isinstance(claim, Mapping):
        entries = ((str(k), v) for k, v in claim.items())
    elif isinstance(claim, list):
        entries = ((str(item), None) for item in claim)
    elif isinstance(claim, str):
        entries = [(claim, None)]
    else:
        return {}
    roles: dict[str, Role] = {}
    for raw, detail in entries:
        parts = [p for p in raw.strip().split("/") if p]
        if not parts:
            continue
        slug = parts[0].lower()
        if len(slug) > _MAX_SLUG:
            continue
        role = Role.MEMBER
        if len(parts) > 1:
            role = _SUBGROUP_ROLES.get(parts[1].lower(), Role.MEMBER)
        if isinstance(detail, Mapping) and str(detail.get("role", "")).upper() in Role.__members__:
            role = Role(str(detail["role"]).upper())
        roles[slug] = _stronger(roles.get(slug), role)
        if len(roles) >= _MAX_ORGANISATIONS:
            break
    return roles


def _is_service(claims: Mapping[str, Any]) -> bool:
    # Keycloak names client-credentials accounts "service-account-<client>" and adds client_id.
    username = str(claims.get("preferred_username", ""))
    return username.startswith("service-account-") or ("client_id" in claims and "email" not in claims)


def _display_name(claims: Mapping[str, Any]) -> str:
    for key in ("name", "preferred_username", "email", "azp"):
        value = claims.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()[:200]
    return str(claims["sub"])[:200]


async def claim_invitations(db: Database, user_id: ObjectId, email: str) -> int:
    """Shares made to ``email`` before its owner first signed in become theirs, in the state they
    were made (pending when they have terms). Only for a verified address, so that no one takes
    an invitation by claiming it."""
    moved = 0
    for stand_in in await directory.invitations(db.engine, email):
        if stand_in.id != user_id:
            moved += await shares.reassign_grantee(db.engine, stand_in.id, user_id)
            await directory.remove_user(db.engine, stand_in.id)
    return moved


async def sign_in(db: Database, claims: Mapping[str, Any], organisation_claim: str) -> Principal:
    """Upsert the caller and their organisations (each with a root folder) from verified claims."""
    memberships: list[Membership] = []
    for slug, role in sorted(organisation_roles(claims.get(organisation_claim)).items()):
        organisation = await directory.upsert_organisation(db.engine, slug, slug)
        memberships.append(Membership(organisation_id=organisation.id, role=role))
    email = claims.get("email")
    user = await directory.upsert_user(
        db.engine,
        subject=str(claims["sub"]),
        name=_display_name(claims),
        email=email if isinstance(email, str) else None,
        email_verified=claims.get("email_verified") is True,
        is_service=_is_service(claims),
        memberships=memberships,
    )
    if user.email and user.email_verified:
        await claim_invitations(db, user.id, user.email)
    expires = claims.get("exp")
    return Principal(
        user_id=user.id,
        subject=user.subject,
        name=user.name,
        email=user.email,
        is_service=user.is_service,
        roles={m.organisation_id: m.role for m in memberships},
        expires_at=float(expires) if isinstance(expires, int | float) else float("inf"),
    )


class SignInCache:
    """Skips the sign-in upserts for a caller seen moments ago with the same claims.

    The database stays the source of truth; this only bounds writes to one per caller per
    ``ttl_seconds`` (and per change of name, email or organisations).
    """

    def __init__(self, ttl_seconds: float = 60.0, max_entries: int = 10_000) -> None:
        self.ttl_seconds = ttl_seconds
        self.max_entries = max_entries
        self._entries: dict[tuple[str, str], tuple[float, Principal]] = {}

    async def sign_in(self, db: Database, claims: Mapping[str, Any], organisation_claim: str) -> Principal:
        key = (
            str(claims.get("sub")),
            repr(
                (
                    claims.get("name"),
                    claims.get("email"),
                    claims.get("email_verified"),
                    claims.get("preferred_username"),
                    claims.get(organisation_claim),
                )
            ),
        )
        now = time.monotonic()
        cached = self._entries.get(key)
        expires = claims.get("exp")
        expires_at = float(expires) if isinstance(expires, int | float) else float("inf")
        if cached is not None and now - cached[0] < self.ttl_seconds:
            return dataclasses.replace(cached[1], expires_at=expires_at)
        principal = await sign_in(db, claims, organisation_claim)
        if len(self._entries) >= self.max_entries:
            self._entries.clear()
        self._entries[key] = (now, principal)
        return principal


async def with_grants(db: Database, principal: Principal, now: datetime) -> Principal:
    """The caller with the ACTIVE shares they hold (directly or through an organisation) and the time."""
    held = await shares.with_live_chains(db.engine, await shares.active_for(db.engine, principal.grantee_ids()), now)
    grants = tuple(
        Grant(s.id, s.resource_id, s.role, s.expires_at, s.terms.allow_reshare, s.upload_allowance_bytes) for s in held
    )
    return dataclasses.replace(principal, grants=grants, now=now)


async def acting_for(db: Database, user_id: ObjectId, now: datetime) -> Principal | None:
    """The stored user as a caller, with their memberships and live grants: for work done on their
    behalf later (a Copernicus result placed hours after the request), checked as they stand now."""
    user = await lookups.by_id(db.engine, User, user_id)
    if user is None:
        return None
    principal = Principal(
        user_id=user.id,
        subject=user.subject,
        name=user.name,
        email=user.email,
        is_service=user.is_service,
        roles={m.organisation_id: m.role for m in user.memberships},
    )
    return await with_grants(db, principal, now)
