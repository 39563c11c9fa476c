"""The mailer: takes notices from the outbox and hands them to the SMTP server, in every replica.

A refused or failed attempt is tried again later, backing off from 30 s to an hour; after
``MAX_ATTEMPTS`` the notice is given up and logged. The mutation that writes a notice wakes the
mailer, so mail leaves at once rather than at the next interval.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid

from storage import notices
from storage.models import Notice
from storage.mongo import Database

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 10
LEASE = timedelta(minutes=2)  # longer than one SMTP exchange may take
BATCH = 50


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = None
    starttls: bool = True
    timeout: float = 30.0

    def send(self, notice: Notice) -> None:
        """One message, one connection: notices are few and a broken connection stays local."""
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = notice.to
        message["Subject"] = notice.subject
        message["Message-ID"] = make_msgid(idstring=str(notice.id), domain="strata")
        message.set_content(notice.body)
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(message)


def retry_delay(attempts: int) -> timedelta:
    return min(timedelta(seconds=30 * 2 ** max(attempts - 1, 0)), timedelta(hours=1))


class Mailer:
    def __init__(self, db: Database, server: SmtpServer, clock: Callable[[], datetime], interval: float) -> None:
        self.db = db
        self.server = server
        self.clock = clock
        self.interval = interval
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def deliver_due(self) -> int:
        """Send what is due now; returns how many went."""
        went = 0
        for notice in await notices.due(self.db.engine, self.clock(), BATCH):
            now = self.clock()
            if not await notices.claim(self.db.engine, notice, now + LEASE):
                continue  # another replica has it
            try:
                await asyncio.to_thread(self.server.send, notice)
            except (smtplib.SMTPException, OSError) as error:
                attempts = notice.attempts + 1
                retry = now + retry_delay(attempts) if attempts < MAX_ATTEMPTS else None
                await notices.failed(self.db.engine, notice.id, f"{type(error).__name__}: {error}", retry, now)
                if retry is None:
                    log.error("gave up mailing %s after %d attempts: %s", notice.to, attempts, error)
                else:
                    log.warning("mail to %s refused (%s); trying again at %s", notice.to, error, retry)
                continue
            await notices.sent(self.db.engine, notice.id, self.clock())
            went += 1
        return went

    async def run(self) -> None:
        while True:
            try:
                await self.deliver_due()
            except Exception:
                log.exception("the mailer failed; trying again later")
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.interval)
