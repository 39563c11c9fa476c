"""The transfer progress line: a resume does not inflate the rate, and a redraw leaves no debris."""

from __future__ import annotations

import io

from client.terminal import MiB, ProgressBar


def test_bytes_already_in_place_count_as_done_but_not_as_moved() -> None:
    out = io.StringIO()
    progress = ProgressBar(100 * MiB, "upload survey.bin", stream=out)
    progress.resuming(9, 10)
    progress.already(90 * MiB)
    progress.started -= 10  # ten seconds of this run
    progress.advance(10 * MiB)
    line = progress.line(progress.started + 10)
    assert out.getvalue().startswith("\r\x1b[Kresuming: 9 of 10 parts already stored\n")
    assert "100.0 / 100.0 MiB 100.0%" in line
    assert "  1.0 MiB/s  00:00 left" in line  # 10 MiB moved in 10 s, not 100 MiB


def test_each_redraw_clears_the_line_first_and_a_fresh_start_says_nothing_of_resuming() -> None:
    out = io.StringIO()
    progress = ProgressBar(10 * MiB, "download a.tif", stream=out)
    progress.resuming(0, 3)
    progress.advance(10 * MiB)
    progress.finish()
    assert "resuming" not in out.getvalue()
    assert out.getvalue().startswith("\r\x1b[K")
    assert out.getvalue().endswith("\n")


def test_time_left_is_unknown_until_something_moved() -> None:
    progress = ProgressBar(10 * MiB, "upload x", enabled=False)
    progress.already(5 * MiB)
    assert progress.line(progress.started + 1).endswith("--:-- left")


def test_a_note_goes_above_the_bar_which_is_drawn_again_below_it() -> None:
    out = io.StringIO()
    progress = ProgressBar(10 * MiB, "upload survey/", stream=out)
    progress.advance(5 * MiB)
    drawn = out.getvalue()
    progress.note("f1.bin: resuming: 2 of 4 parts already stored")
    after = out.getvalue()[len(drawn) :]
    assert after.startswith("\r\x1b[Kf1.bin: resuming: 2 of 4 parts already stored\n")
    below = after.split("\n", 1)[1]
    assert below.startswith("upload survey/: 5.0 / 10.0 MiB  50.0%")
