"""Who may see what. Every object-level decision is made here, nowhere else.

Anything the caller may not see is reported as not found, never as forbidden.
"""

from __future__ import annotations

from resolvers.errors import NotFound
from resolvers.identity import Principal
from storage.models import Folder, Organisation


def can_see_organisation(principal: Principal, organisation: Organisation) -> bool:
    return principal.is_member(organisation.id)


def can_read_folder(principal: Principal, folder: Folder) -> bool:
    return folder.deleted_at is None and principal.is_member(folder.organisation_id)


def visible_folder(principal: Principal, folder: Folder | None) -> Folder:
    if folder is None or not can_read_folder(principal, folder):
        raise NotFound("folder not found")
    return folder
