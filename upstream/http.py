"""HTTP answers from upstreams turned into UpstreamErrors, and result downloads as byte streams."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx

from upstream.provider import ErrorCode, ResultLocation, UpstreamError


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:300]
    if isinstance(body, dict):
        return "; ".join(str(body[k]) for k in ("title", "detail") if body.get(k))[:500]
    return str(body)[:300]


def check(response: httpx.Response) -> None:
    """Turn an error answer into the UpstreamError it means."""
    status = response.status_code
    if status < 400:
        return
    detail = _detail(response)
    if status == 429:
        retry = response.headers.get("Retry-After")
        raise UpstreamError(
            ErrorCode.RATE_LIMITED, detail or "rate limited", transient=True, retry_after=float(retry or 30)
        )
    if status in (401,):
        raise UpstreamError(ErrorCode.UPSTREAM_AUTH, detail or "upstream refused our credentials")
    if status == 403:
        if "licen" in detail.lower():
            raise UpstreamError(ErrorCode.LICENCE_NOT_ACCEPTED, detail)
        raise UpstreamError(ErrorCode.UPSTREAM_AUTH, detail)
    if status >= 500:
        raise UpstreamError(ErrorCode.UPSTREAM_FAILED, detail or f"upstream answered {status}", transient=True)
    raise UpstreamError(ErrorCode.INVALID_REQUEST, detail or f"upstream answered {status}")


async def stream_result(http: httpx.AsyncClient, location: ResultLocation, who: str) -> AsyncIterator[bytes]:
    """The result's bytes in chunks of about 1 MiB; an expired result or a broken transfer says so."""
    try:
        async with http.stream("GET", location.href) as response:
            if response.status_code == 404:
                raise UpstreamError(ErrorCode.RESULTS_EXPIRED, f"{who} no longer holds the result")
            check(response)
            async for chunk in response.aiter_bytes(1024 * 1024):
                yield chunk
    except httpx.TransportError as error:
        raise UpstreamError(ErrorCode.UPSTREAM_FAILED, f"download interrupted: {error}", transient=True) from None
