"""Every error code has one meaning, written where the schema shows it."""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import TypeVar

from resolvers.errors import MEANINGS, REQUEST_MEANINGS, RequestErrorCode, UserErrorCode

E = TypeVar("E", bound=Enum)


def _one_meaning_each(codes: list[E], meanings: Mapping[E, str]) -> None:
    assert set(meanings) == set(codes)
    written = [meanings[code] for code in codes]
    assert all(text.strip() for text in written)
    assert len(set(written)) == len(written)


def test_every_code_has_one_meaning_and_no_two_share_one() -> None:
    _one_meaning_each(list(UserErrorCode), MEANINGS)
    _one_meaning_each(list(RequestErrorCode), REQUEST_MEANINGS)
