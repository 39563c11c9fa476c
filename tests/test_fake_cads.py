"""The fake CADS speaks the real protocol: the unmodified official clients complete retrievals against it."""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fake_cads import KEY, FakeCads, Plan, payload_bytes, running_fake_cads


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeCads]:
    with running_fake_cads() as server:
        yield server


def _expected(job_id: str, size: int) -> bytes:
    return b"".join(payload_bytes(job_id, size))


async def test_ecmwf_datastores_client_retrieves(fake: FakeCads, tmp_path: Path) -> None:
    from ecmwf.datastores import Client

    fake.plans["reanalysis-era5-single-levels"] = Plan(size=70_000)
    client = Client(url=fake.base, key=KEY, progress=False, sleep_max=0.2)
    target = tmp_path / "era5.grib"
    results = await asyncio.to_thread(
        client.submit_and_wait_on_results, "reanalysis-era5-single-levels", {"variable": "2t", "year": "2024"}
    )
    await asyncio.to_thread(results.download, str(target))
    [job] = fake.jobs.values()
    assert target.read_bytes() == _expected(job.id, 70_000)
    assert job.request == {"variable": "2t", "year": "2024"}


async def test_cdsapi_retrieves(fake: FakeCads, tmp_path: Path) -> None:
    import cdsapi

    fake.jobs.clear()
    fake.plans["cams-global-reanalysis-eac4"] = Plan(size=12_345)
    target = tmp_path / "cams.grib"
    with warnings.catch_warnings():
        # cdsapi announces its own deprecations of legacy keywords; not ours to fix.
        warnings.simplefilter("ignore", DeprecationWarning)
        client = cdsapi.Client(url=fake.base, key=KEY, quiet=True, progress=False, sleep_max=0.2)
        await asyncio.to_thread(client.retrieve, "cams-global-reanalysis-eac4", {"variable": "o3"}, str(target))
    [job] = fake.jobs.values()
    assert target.read_bytes() == _expected(job.id, 12_345)


async def test_licence_refusal_and_failures_surface_as_the_real_service_does(fake: FakeCads) -> None:
    from ecmwf.datastores import Client

    client = Client(url=fake.base, key=KEY, progress=False, sleep_max=0.2, maximum_tries=1)
    fake.plans["licensed"] = Plan(licence_required=True)
    fake.accepted_licences = False
    try:
        with pytest.raises(Exception, match="licences"):
            await asyncio.to_thread(client.submit, "licensed", {"a": 1})
    finally:
        fake.accepted_licences = True
    fake.plans["broken"] = Plan(outcome="failed")
    with pytest.raises(Exception, match="fake failure"):
        await asyncio.to_thread(client.submit_and_wait_on_results, "broken", {"a": 1})
