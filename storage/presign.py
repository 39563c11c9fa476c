"""AWS Signature Version 4 query-string presigning for S3, fast enough for 10,000 part URLs.

botocore spends about 0.3 ms per URL; a 10,000-part upload would wait seconds. The
signing key is derived once per day and scope, so each URL costs one canonical request,
two SHA-256 hashes and one HMAC. Follows the published SigV4 rules: RFC 3986 encoding,
sorted query, ``UNSIGNED-PAYLOAD`` body hash.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote, urlsplit

_ALGORITHM = "AWS4-HMAC-SHA256"


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode(), hashlib.sha256).digest()


def _encode(value: str, safe: str = "-_.~") -> str:
    return quote(value, safe=safe)


@dataclass(frozen=True)
class Credentials:
    access_key: str
    secret_key: str
    token: str | None = None


class Presigner:
    """Signs path-style S3 URLs for one endpoint and region.

    Example::

        url = Presigner("http://127.0.0.1:9000", "us-east-1").url(
            credentials, "PUT", "bucket", "key", {"partNumber": "1", "uploadId": uid}, expires=900
        )
    """

    def __init__(self, endpoint: str, region: str) -> None:
        parts = urlsplit(endpoint)
        self.scheme = parts.scheme
        self.host = parts.netloc
        self.base_path = parts.path.rstrip("/")
        self.region = region
        self._keys: dict[tuple[str, str], bytes] = {}

    def _signing_key(self, secret: str, day: str) -> bytes:
        cached = self._keys.get((secret, day))
        if cached is None:
            key = _hmac(("AWS4" + secret).encode(), day)
            for part in (self.region, "s3", "aws4_request"):
                key = _hmac(key, part)
            self._keys = {(secret, day): key}
            cached = key
        return cached

    def url(
        self,
        credentials: Credentials,
        method: str,
        bucket: str,
        key: str,
        query: Mapping[str, str],
        *,
        expires: int,
        headers: Mapping[str, str] | None = None,
        now: datetime | None = None,
    ) -> str:
        """A URL valid for ``expires`` seconds; ``headers`` are signed and must be sent as given."""
        moment = (now or datetime.now(UTC)).astimezone(UTC)
        amz_date = moment.strftime("%Y%m%dT%H%M%SZ")
        day = amz_date[:8]
        scope = f"{day}/{self.region}/s3/aws4_request"
        signed = {"host": self.host, **{k.lower(): v.strip() for k, v in (headers or {}).items()}}
        signed_names = ";".join(sorted(signed))
        params = {
            **query,
            "X-Amz-Algorithm": _ALGORITHM,
            "X-Amz-Credential": f"{credentials.access_key}/{scope}",
            "X-Amz-Date": amz_date,
            "X-Amz-Expires": str(expires),
            "X-Amz-SignedHeaders": signed_names,
        }
        if credentials.token:
            params["X-Amz-Security-Token"] = credentials.token
        canonical_query = "&".join(f"{_encode(k)}={_encode(v)}" for k, v in sorted(params.items()))
        path = f"{self.base_path}/{_encode(bucket)}/{_encode(key, safe='-_.~/')}"
        canonical_headers = "".join(f"{name}:{signed[name]}\n" for name in sorted(signed))
        canonical_request = "\n".join(
            [method, path, canonical_query, canonical_headers, signed_names, "UNSIGNED-PAYLOAD"]
        )
        string_to_sign = "\n".join(
            [_ALGORITHM, amz_date, scope, hashlib.sha256(canonical_request.encode()).hexdigest()]
        )
        signature = hmac.new(
            self._signing_key(credentials.secret_key, day), string_to_sign.encode(), hashlib.sha256
        ).hexdigest()
        return f"{self.scheme}://{self.host}{path}?{canonical_query}&X-Amz-Signature={signature}"
