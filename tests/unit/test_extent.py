"""Where and when a Copernicus request is about, from the request alone."""

from __future__ import annotations

from datetime import UTC, datetime

from background.copernicus.extent import Extent, of_request


def test_area_is_north_west_south_east_as_a_list_or_a_string() -> None:
    assert of_request({"area": [60, -10, 35, 30]}) == Extent(west=-10, south=35, east=30, north=60)
    assert of_request({"area": "60/-10/35/30"}) == Extent(west=-10, south=35, east=30, north=60)
    # 0..360 longitudes are the same place
    assert of_request({"area": [10, 350, -10, 20]}).west == -10


def test_malformed_areas_give_no_box() -> None:
    for bad in ([1, 2, 3], "a/b/c/d", [10, 0, 20, 5], [95, 0, -10, 5], [10, 500, 0, 5], None):
        assert of_request({"area": bad}) == Extent()


def test_dates_as_a_range_a_list_or_year_month_day() -> None:
    start = datetime(2020, 1, 1, tzinfo=UTC)
    assert of_request({"date": "2020-01-01/2020-01-31"}).start == start
    assert of_request({"date": "2020-01-01/to/2020-01-31"}).end == datetime(2020, 1, 31, 23, 59, 59, 999999, tzinfo=UTC)
    assert of_request({"date": ["2020-03-05", "2020-01-01"]}).start == start
    ymd = of_request({"year": ["2021", "2020"], "month": ["02", "01"], "day": ["01", "31"]})
    assert ymd.start == start
    assert ymd.end == datetime(2021, 2, 28, 23, 59, 59, 999999, tzinfo=UTC)  # February has no 31st
    whole = of_request({"year": "2025"})
    assert (whole.start, whole.end) == (
        datetime(2025, 1, 1, tzinfo=UTC),
        datetime(2025, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    )


def test_malformed_times_give_no_range() -> None:
    for bad in ({"date": "yesterday"}, {"date": [1]}, {"year": "20x5"}, {"year": "2025", "month": "13"}, {}):
        extent = of_request(bad)
        assert (extent.start, extent.end) == (None, None), bad
