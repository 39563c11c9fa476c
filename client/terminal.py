"""What the commands draw on a terminal: the transfer library itself draws nothing.

``ProgressBar`` follows one transfer (``begin`` sets its total); ``PartOf`` lets several
transfers (a tree's files) share one bar whose total is known beforehand.
"""

from __future__ import annotations

import sys
import time
from typing import Any

MiB = 1024 * 1024


class ProgressBar:
    """Bytes done out of a total, drawn on one terminal line: amount, share, rate and time left.

    Bytes found already in place (a resumed transfer) count towards the total but not the rate,
    so a resume does not report the speed of light; the line is cleared before each redraw, so a
    shorter line leaves nothing of a longer one behind.
    """

    def __init__(self, total: int, label: str, stream: Any = sys.stderr, enabled: bool = True) -> None:
        self.total = total
        self.label = label
        self.stream = stream
        self.enabled = enabled
        self.done = 0
        self.skipped = 0
        self.started = time.monotonic()
        self._drawn = 0.0

    def begin(self, total: int, name: str) -> None:
        """One transfer of its own: the bar's total and label are the transfer's."""
        self.total, self.label = total, name

    def end(self) -> None:
        self.finish()

    def resuming(self, parts_held: int, parts: int, name: str = "") -> None:
        """Say, on a line of its own, what a resumed transfer finds already in place."""
        if parts_held:
            self.note(f"{name}{': ' if name else ''}resuming: {parts_held} of {parts} parts already stored")

    def note(self, text: str) -> None:
        """A line of its own above the bar, which is drawn again below it."""
        if self.enabled:
            self.stream.write(f"\r\x1b[K{text}\n")
            if self.done:
                self.stream.write(self.line(time.monotonic()))
            self.stream.flush()

    def already(self, count: int) -> None:
        """Bytes that were in place before this run: counted as done, not as moved."""
        self.skipped += count
        self.advance(count)

    def advance(self, count: int) -> None:
        self.done += count
        now = time.monotonic()
        if self.enabled and (now - self._drawn > 0.2 or self.done >= self.total):
            self._drawn = now
            self.stream.write("\r\x1b[K" + self.line(now))
            self.stream.flush()

    def line(self, now: float) -> str:
        moved = self.done - self.skipped
        elapsed = max(now - self.started, 1e-6)
        rate = moved / elapsed
        share = 100 * self.done / self.total if self.total else 100.0
        # A rate over the first second, or before anything moved, says nothing about the rest.
        left = (self.total - self.done) / rate if rate > 0 and elapsed >= 1 else None
        eta = "--:--" if left is None else f"{int(left // 60):02d}:{int(left % 60):02d}"
        return (
            f"{self.label}: {self.done / MiB:.1f} / {self.total / MiB:.1f} MiB {share:5.1f}%"
            f"  {rate / MiB:.1f} MiB/s  {eta} left"
        )

    def finish(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()


class PartOf:
    """One transfer among several on a shared bar: its bytes count there; it neither sets the
    total nor ends the bar, and a resume is told with the file's name."""

    def __init__(self, bar: ProgressBar) -> None:
        self.bar = bar

    def begin(self, total: int, name: str) -> None:
        return None

    def resuming(self, parts_held: int, parts: int, name: str) -> None:
        self.bar.resuming(parts_held, parts, name)

    def already(self, count: int) -> None:
        self.bar.already(count)

    def advance(self, count: int) -> None:
        self.bar.advance(count)

    def end(self) -> None:
        return None
