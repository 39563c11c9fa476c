"""Counts the MongoDB commands a client sends, through pymongo's command monitoring (tests, benchmarks)."""

from __future__ import annotations

import threading
from collections import Counter

from pymongo.monitoring import CommandFailedEvent, CommandListener, CommandStartedEvent, CommandSucceededEvent


class CommandCounter(CommandListener):
    """Thread-safe: the API runs in its own thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.commands: Counter[str] = Counter()

    def started(self, event: CommandStartedEvent) -> None:
        if event.command_name in ("hello", "isMaster", "ismaster", "endSessions", "ping"):
            return
        with self._lock:
            self.commands[event.command_name] += 1

    def succeeded(self, event: CommandSucceededEvent) -> None:
        pass

    def failed(self, event: CommandFailedEvent) -> None:
        pass

    def reset(self) -> None:
        with self._lock:
            self.commands.clear()

    @property
    def total(self) -> int:
        with self._lock:
            return sum(self.commands.values())
