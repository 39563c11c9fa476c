"""MongoDB documents, declared with odmantic. Field names are the stored names."""

from __future__ import annotations

import enum
import unicodedata
from datetime import datetime

from bson import ObjectId
from odmantic import EmbeddedModel, Field, Index, Model
from odmantic.query import asc


class Role(enum.StrEnum):
    """A person's standing in an organisation, weakest first."""

    MEMBER = "MEMBER"
    ADMIN = "ADMIN"
    OWNER = "OWNER"


def name_key(name: str) -> str:
    """The form in which sibling names must be unique: NFC, then case-folded."""
    return unicodedata.normalize("NFC", name).casefold()


class Organisation(Model):
    slug: str
    name: str
    root_folder_id: ObjectId | None = None
    created_at: datetime

    model_config = {
        "collection": "organisations",
        "indexes": lambda: [Index(asc(Organisation.slug), unique=True, name="slug_unique")],
    }


class Membership(EmbeddedModel):
    organisation_id: ObjectId
    role: Role


class User(Model):
    subject: str
    name: str
    email: str | None = None
    is_service: bool = False
    memberships: list[Membership] = Field(default_factory=list)
    created_at: datetime
    last_seen_at: datetime

    model_config = {
        "collection": "users",
        "indexes": lambda: [
            Index(asc(User.subject), unique=True, name="subject_unique"),
            Index(asc(User.email), name="email"),
        ],
    }


class Folder(Model):
    name: str
    name_key: str
    organisation_id: ObjectId
    owner_id: ObjectId | None = None
    parent_id: ObjectId | None = None
    ancestors: list[ObjectId] = Field(default_factory=list)
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = None

    model_config = {
        "collection": "folders",
        "indexes": lambda: [
            Index(
                asc(Folder.organisation_id),
                asc(Folder.parent_id),
                asc(Folder.name_key),
                unique=True,
                name="sibling_name",
            ),
            Index(asc(Folder.ancestors), name="ancestors"),
        ],
    }


ALL_MODELS: tuple[type[Model], ...] = (Organisation, User, Folder)
