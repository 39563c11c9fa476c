"""Every error code has one meaning, written where the schema shows it."""

from __future__ import annotations

from resolvers.errors import MEANINGS, REQUEST_MEANINGS, RequestErrorCode, UserErrorCode


def test_every_code_has_one_meaning_and_no_two_share_one() -> None:
    for codes, meanings in ((list(UserErrorCode), MEANINGS), (list(RequestErrorCode), REQUEST_MEANINGS)):
        assert set(meanings) == set(codes)
        written = [meanings[code] for code in codes]
        assert all(text.strip() for text in written)
        assert len(set(written)) == len(written)
