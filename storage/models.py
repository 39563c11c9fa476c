"""MongoDB documents, declared with odmantic. Field names are the stored names.

Defaults are plain values (``= {}``, not ``default_factory``): odmantic fills plain defaults
for keys missing from older documents, so a new field needs no migration. Pydantic copies
mutable defaults per instance.
"""

from __future__ import annotations

import enum
import unicodedata
from datetime import datetime
from typing import Any

from bson import ObjectId
from odmantic import EmbeddedModel, Index, Model
from odmantic.query import asc, desc
from pymongo import IndexModel


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
    usage_bytes: int = 0
    quota_bytes: int | None = None
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
    # Whether the issuer vouched for ``email`` in the latest token: only then does an address find them.
    email_verified: bool = False
    is_service: bool = False
    memberships: list[Membership] = []
    # The organisations this person answers for (ADMIN or OWNER), beside the memberships: an
    # equality on a top-level field is an index read on every store, a dotted path is not.
    answers_for: list[ObjectId] = []
    # Likewise the organisations this person is a member of, and the starts of the words of their
    # name and address (storage/directory.py colleagues): whom a member finds while typing.
    member_of: list[ObjectId] = []
    people_keys: list[str] = []
    upstream_keys: dict[str, str] = {}  # service -> sealed key
    # A stand-in for someone invited by e-mail who has not signed in yet: shares made to them wait
    # here and pass to the person at their first sign-in with that (verified) address.
    invited: bool = False
    created_at: datetime
    last_seen_at: datetime

    model_config = {
        "collection": "users",
        "indexes": lambda: [
            Index(asc(User.subject), unique=True, name="subject_unique"),
            Index(asc(User.email), name="email"),
            Index(asc(User.answers_for), name="answers_for"),
            # Two arrays: MongoDB indexes them apart (no compound index holds parallel arrays).
            Index(asc(User.member_of), name="member_of"),
            Index(asc(User.people_keys), name="people_keys"),
        ],
    }


class Folder(Model):
    """A folder. ``ancestors`` lists every folder above it, root first: a subtree is one index scan.

    ``trash_root_id`` is None while the folder is live; when it or a folder above it is
    deleted, it holds the id of the item whose deletion put it in the trash; ``trash_top`` is
    True on that item alone (the trash lists these: FerretDB cannot compare two fields).
    """

    name: str
    name_key: str
    organisation_id: ObjectId
    owner_id: ObjectId | None = None
    parent_id: ObjectId | None = None
    ancestors: list[ObjectId] = []
    created_at: datetime
    updated_at: datetime
    trashed_at: datetime | None = None
    trashed_by: ObjectId | None = None  # on the item deleted by itself (trash_top), while it is in the trash
    trash_root_id: ObjectId | None = None
    trash_top: bool = False
    pending_move: dict[str, Any] | None = None
    # What finds it by name (storage/search.py name_fields), kept with its name.
    name_words: list[str] = []
    name_prefixes: list[str] = []
    moving: bool = False  # True while pending_move is set: what start-up finds unfinished moves by

    model_config = {
        "collection": "folders",
        "indexes": lambda: [
            Index(
                asc(Folder.organisation_id),
                asc(Folder.parent_id),
                asc(Folder.name_key),
                asc(Folder.trash_root_id),
                unique=True,
                name="sibling_name",
            ),
            Index(asc(Folder.parent_id), asc(Folder.trash_root_id), asc(Folder.updated_at), name="children_by_updated"),
            Index(asc(Folder.ancestors), name="ancestors"),
            Index(asc(Folder.trash_root_id), name="trash_root"),
            Index(asc(Folder.organisation_id), asc(Folder.trash_top), asc(Folder.trashed_at), name="trash_list"),
            Index(asc(Folder.moving), name="moving"),
            # Folder search by name: each key alone (multikey on MongoDB).
            Index(asc(Folder.name_words), name="search_name_words"),
            Index(asc(Folder.name_prefixes), name="search_name_prefixes"),
        ],
    }


class FileStatus(enum.StrEnum):
    UPLOADING = "UPLOADING"
    AVAILABLE = "AVAILABLE"
    DELETED = "DELETED"


class SourceKind(enum.StrEnum):
    """Where the data comes from."""

    DRONE = "DRONE"
    IOT = "IOT"
    BIM = "BIM"
    SATELLITE = "SATELLITE"
    COPERNICUS = "COPERNICUS"
    OTHER = "OTHER"


class Provenance(EmbeddedModel):
    """Typed provenance; the bbox is stored as four numbers so that intersection is four range tests."""

    source_kind: SourceKind | None = None
    sensor_id: str | None = None
    platform: str | None = None
    longitude: float | None = None
    latitude: float | None = None
    west: float | None = None
    south: float | None = None
    east: float | None = None
    north: float | None = None
    time_start: datetime | None = None
    time_end: datetime | None = None


class Upload(EmbeddedModel):
    """An upload in progress: an S3 multipart upload, or none (``upload_id`` None) for an empty file."""

    upload_id: str | None
    part_size: int
    part_count: int
    started_at: datetime
    last_activity: datetime


SEARCH_KEYS = (
    "name_words",
    "name_prefixes",
    "type_keys",
    "source_key",
    "sensor_key",
    "months",
    "days",
    "cells",
    "cells_own",
)


class File(Model):
    name: str
    name_key: str
    organisation_id: ObjectId
    folder_id: ObjectId
    ancestors: list[ObjectId] = []
    owner_id: ObjectId
    size: int
    content_type: str
    checksum: str | None = None
    blob_key: str
    status: FileStatus
    upload: Upload  # kept after completion, with upload_id None, as a record of the transfer
    metadata: dict[str, Any] = {}
    provenance: Provenance = Provenance()
    created_at: datetime
    updated_at: datetime
    trashed_at: datetime | None = None
    trashed_by: ObjectId | None = None  # see Folder
    trash_root_id: ObjectId | None = None
    trash_top: bool = False  # see Folder
    # The shelf this file stands on in each sort order of its folder (storage/shelves.py).
    shelf_name_key: str | None = None
    shelf_size: str | None = None
    shelf_updated_at: str | None = None
    shelf_created_at: str | None = None
    shelf_content_type: str | None = None
    # Search keys, derived from name, type and provenance (storage/search.py keys_of).
    name_words: list[str] = []
    name_prefixes: list[str] = []
    type_keys: list[str] = []
    source_key: str | None = None
    sensor_key: str | None = None
    months: list[str] = []
    days: list[str] = []
    cells: list[str] = []
    cells_own: list[str] = []

    model_config = {
        "collection": "files",
        "indexes": lambda: [
            Index(asc(File.folder_id), asc(File.name_key), asc(File.trash_root_id), unique=True, name="sibling_name"),
            # A page of a folder: one shelf of one sort order, in that order.
            Index(asc(File.shelf_name_key), asc(File.name_key), name="shelf_by_name"),
            Index(asc(File.shelf_size), asc(File.size), name="shelf_by_size"),
            Index(asc(File.shelf_updated_at), asc(File.updated_at), name="shelf_by_updated"),
            Index(asc(File.shelf_created_at), asc(File.created_at), name="shelf_by_created"),
            Index(asc(File.shelf_content_type), asc(File.content_type), name="shelf_by_type"),
            # Search: each key alone (multikey on MongoDB); the store intersects what they find.
            *(IndexModel([(key, 1)], name=f"search_{key}") for key in SEARCH_KEYS),
            Index(asc(File.ancestors), name="ancestors"),
            Index(asc(File.trash_root_id), name="trash_root"),
            Index(asc(File.organisation_id), asc(File.trash_top), asc(File.trashed_at), name="trash_list"),
            IndexModel([("status", 1), ("upload.last_activity", 1)], name="uploads_by_activity"),
            Index(asc(File.organisation_id), asc(File.provenance.source_kind), name="source_kind"),
            Index(asc(File.blob_key), unique=True, name="blob_key"),
            # What one person is uploading now (a grantee's open reservations against a share's allowance).
            Index(asc(File.owner_id), asc(File.status), name="by_owner_status"),
        ],
    }


class Star(Model):
    """A person's star on a file or folder (storage/keep.py)."""

    user_id: ObjectId
    item_id: ObjectId
    kind: str  # "file" or "folder"
    starred_at: datetime

    model_config = {
        "collection": "stars",
        "indexes": lambda: [
            Index(asc(Star.user_id), asc(Star.item_id), unique=True, name="person_item"),
            Index(asc(Star.user_id), desc(Star.starred_at), name="person_newest"),
        ],
    }


# A grantee's uploads reserve the sharer's quota before any byte arrives: modest unless the sharer says more.
DEFAULT_UPLOAD_ALLOWANCE = 10 * 1024**3


class ShareRole(enum.StrEnum):
    VIEWER = "VIEWER"
    EDITOR = "EDITOR"


class ShareStatus(enum.StrEnum):
    PENDING = "PENDING"
    ACTIVE = "ACTIVE"
    DECLINED = "DECLINED"
    REVOKED = "REVOKED"
    EXPIRED = "EXPIRED"


class GranteeKind(enum.StrEnum):
    USER = "USER"
    ORGANISATION = "ORGANISATION"


class ResourceKind(enum.StrEnum):
    FILE = "FILE"
    FOLDER = "FOLDER"


class Terms(EmbeddedModel):
    text: str | None = None
    licence: str | None = None
    expires_at: datetime | None = None
    allow_reshare: bool = False


class Share(Model):
    """A grant of a role on a file or folder (and everything beneath it) to a user or organisation."""

    resource_kind: ResourceKind
    resource_id: ObjectId
    organisation_id: ObjectId
    grantee_kind: GranteeKind
    grantee_id: ObjectId
    role: ShareRole
    terms: Terms = Terms()
    terms_hash: str
    message: str | None = None
    status: ShareStatus
    created_by: ObjectId
    parent_share_id: ObjectId | None = None
    expires_at: datetime | None = None
    created_at: datetime
    updated_at: datetime
    accepted_at: datetime | None = None
    accepted_terms_hash: str | None = None
    # The address a share was made to: shown in place of the person until they accept, so that
    # sharing by e-mail never tells whether an address belongs to someone registered.
    grantee_email: str | None = None
    # What uploads in progress through this share may hold reserved in the sharer's quota at once.
    upload_allowance_bytes: int = DEFAULT_UPLOAD_ALLOWANCE

    model_config = {
        "collection": "shares",
        "indexes": lambda: [
            Index(asc(Share.grantee_id), asc(Share.status), name="by_grantee"),
            Index(asc(Share.resource_id), asc(Share.status), name="by_resource"),
            Index(asc(Share.status), asc(Share.expires_at), name="by_expiry"),
            Index(asc(Share.created_by), name="by_maker"),
        ],
    }


class ShareEventKind(enum.StrEnum):
    CREATED = "CREATED"
    UPDATED = "UPDATED"
    ACCEPTED = "ACCEPTED"
    DECLINED = "DECLINED"
    REVOKED = "REVOKED"
    EXPIRED = "EXPIRED"
    ACCESSED = "ACCESSED"


class ShareEvent(Model):
    """The audit trail of a share, readable by the resource's managers."""

    share_id: ObjectId
    resource_id: ObjectId
    organisation_id: ObjectId
    kind: ShareEventKind
    actor_id: ObjectId | None = None
    detail: str | None = None
    mark: str | None = None  # ACCESSED: the access mark whose count this event stands for
    at: datetime

    model_config = {
        "collection": "share_events",
        "indexes": lambda: [Index(asc(ShareEvent.resource_id), asc(ShareEvent.at), name="by_resource_time")],
    }


class RequestStatus(enum.StrEnum):
    PENDING = "PENDING"
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    DOWNLOADING = "DOWNLOADING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"


ACTIVE_REQUEST_STATUSES = (
    RequestStatus.PENDING,
    RequestStatus.QUEUED,
    RequestStatus.RUNNING,
    RequestStatus.DOWNLOADING,
)


class UpstreamState(EmbeddedModel):
    """The upstream job: its id there and its latest raw status."""

    id: str | None = None
    status: str | None = None
    updated: datetime | None = None


class Progress(EmbeddedModel):
    """Bytes stored so far; ``bytes`` None until a download starts."""

    bytes: int | None = None
    total: int | None = None


class RequestResult(EmbeddedModel):
    """Where the result landed; ``file_id`` None until COMPLETED."""

    file_id: ObjectId | None = None
    folder_id: ObjectId | None = None
    size: int | None = None


class RequestError(EmbeddedModel):
    """Why the request FAILED; ``code`` None otherwise."""

    code: str | None = None
    message: str | None = None


class Transfer(EmbeddedModel):
    """A download in hand: the multipart upload it streams into, and the File id chosen for it."""

    blob_key: str | None = None
    upload_id: str | None = None
    file_id: ObjectId | None = None


class CopernicusRequest(Model):
    """A request for Copernicus data, tracked from submission to the File it lands in.

    ``history`` is append-only, so an entry's place in it (from 1) is its ``seq``: subscribers
    receive every entry in order. ``version`` grows with every change, so watchers notice what moved.
    """

    owner_id: ObjectId
    organisation_id: ObjectId
    service: str
    dataset: str
    request: dict[str, Any]
    fingerprint: str
    status: RequestStatus
    upstream: UpstreamState = UpstreamState()
    # Embedded documents whose fields all default, so the {} of older documents still reads.
    progress: Progress = Progress()
    result: RequestResult = RequestResult()
    error: RequestError = RequestError()
    transfer: Transfer = Transfer()
    folder_id: ObjectId | None = None
    file_name: str | None = None
    key_owner_id: ObjectId | None = None  # runs on this user's own upstream key, not the platform's
    attempts: int = 0
    cancel_requested: bool = False
    next_poll_at: datetime
    history: list[dict[str, Any]] = []
    version: int = 0
    created_at: datetime
    updated_at: datetime

    model_config = {
        "collection": "copernicus_requests",
        "indexes": lambda: [
            Index(asc(CopernicusRequest.status), asc(CopernicusRequest.next_poll_at), name="due"),
            Index(asc(CopernicusRequest.owner_id), asc(CopernicusRequest.created_at), name="by_owner"),
            Index(asc(CopernicusRequest.updated_at), name="by_update"),
        ],
    }


class Notice(Model):
    """A message to a person, kept until the mail server takes it (an outbox): a share made while
    the mail server is down still reaches its grantee when it is back."""

    to: str
    subject: str
    body: str
    share_id: ObjectId | None = None
    created_at: datetime
    next_attempt_at: datetime
    attempts: int = 0
    sent_at: datetime | None = None
    given_up_at: datetime | None = None
    last_error: str | None = None

    model_config = {
        "collection": "notices",
        "indexes": lambda: [
            Index(asc(Notice.sent_at), asc(Notice.given_up_at), asc(Notice.next_attempt_at), name="notices_due"),
        ],
    }


ALL_MODELS: tuple[type[Model], ...] = (
    Organisation,
    User,
    Folder,
    File,
    Share,
    ShareEvent,
    CopernicusRequest,
    Notice,
    Star,
)
