"""What a folder or file name may be, in one place."""

from __future__ import annotations

import unicodedata

from resolvers.errors import UserErrorCode, UserFailure

MAX_NAME_CHARS = 255


def clean_name(name: str, field: str = "name") -> str:
    """The name in NFC with outer whitespace removed, or a NAME_INVALID failure saying why.

    Names are compared case-insensitively among siblings (NFC, then case-folded): ``Report.pdf``
    and ``report.PDF`` cannot live side by side, as on the file systems people know.
    """
    cleaned = unicodedata.normalize("NFC", name).strip()
    problem = None
    if not cleaned:
        problem = "must not be empty"
    elif len(cleaned) > MAX_NAME_CHARS:
        problem = f"must be at most {MAX_NAME_CHARS} characters"
    elif "/" in cleaned or "\\" in cleaned:
        problem = "must not contain / or \\"
    elif cleaned in (".", ".."):
        problem = "must not be . or .."
    elif any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp") for ch in cleaned):
        problem = "must not contain control or invisible formatting characters"
    if problem:
        raise UserFailure(UserErrorCode.NAME_INVALID, f"Name {problem}.", [field])
    return cleaned
