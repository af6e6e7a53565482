"""The built-in receiver: an SMTP (or LMTP) server for support mail, run by
``aftersale mail-in`` behind Postfix (docs/operators/support-mail.md).

Replies, as RFC 5321 asks:

- ``550 5.1.1`` to RCPT TO for an address that is no shop's support address (``routing``);
- ``451 4.3.0`` when the database is away, ``451 4.7.1`` for a sender over the rate limit:
  the sending server keeps the mail and tries again later;
- ``552`` for mail larger than ``MAIL_IN_MAX_BYTES`` (aiosmtpd answers it), ``554 5.6.0`` for
  mail that can never become a ticket (the sender hears of it from their own server);
- ``250`` otherwise, also for automatic mail that is dropped (refusing it would send yet
  another bounce).

With LMTP (RFC 2033) the reply to DATA is one line per accepted recipient. The database work
runs in a few threads beside the event loop; each message's work is one transaction per shop,
and a second delivery of the same message changes nothing.

``Receiver.run()`` serves until SIGTERM or Ctrl-C and then stops within 5 seconds: it stops
listening, gives sessions in flight up to ``GRACE_SECONDS``, then closes them (their mail,
not yet answered 250, is sent again by the other side).
"""

from __future__ import annotations

import asyncio
import logging
import signal
import socket
import threading
from concurrent.futures import ThreadPoolExecutor

from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connections

from aftersale.service.inbound.message import parse_message
from aftersale.service.inbound.receive import Outcome, deliver, routes_for
from aftersale.service.inbound.routing import route

logger = logging.getLogger("aftersale.service.mail")

GRACE_SECONDS = 3.0
TEMPORARY = "451 4.3.0 Temporary trouble here; please try again later"
RATE_LIMITED = "451 4.7.1 Too many messages from this sender; please try again later"
UNKNOWN = "550 5.1.1 No support mailbox by that address here"
REFUSED = "554 5.6.0 This message cannot be taken as a support request"
ACCEPTED = "250 2.0.0 Message accepted"


def _in_thread(func, *args):
    """Database work, in an executor thread, on a connection of its own that is closed after
    (mail comes now and then; no connection is left open in a thread that may be gone)."""
    try:
        return func(*args)
    finally:
        connections.close_all()


def _accepts(address: str) -> bool:
    return route(address) is not None


def _reply_for(mail, found) -> str:
    """Deliver ``mail`` to one shop; the reply its recipients get."""
    try:
        delivery = deliver(mail, found)
    except DatabaseError:
        logger.exception("%s: could not store mail from %s", found.shop.slug, mail.sender)
        return TEMPORARY
    except ValidationError as error:
        # It will never fit: the sender's server returns it to the sender, who learns of it.
        logger.warning("%s: mail from %s refused: %s", found.shop.slug, mail.sender, error)
        return REFUSED
    except Exception:
        # Mail we could not turn into a ticket: it stays queued at the sender's side.
        logger.exception("%s: mail from %s failed", found.shop.slug, mail.sender)
        return TEMPORARY
    return RATE_LIMITED if delivery.outcome == Outcome.RATE_LIMITED else ACCEPTED


def _deliver_all(raw: bytes, mail_from: str, rcpt_tos: list[str]) -> dict[str, str]:
    """Each accepted recipient's reply to the message (one delivery per shop)."""
    mail = parse_message(raw, envelope_sender=mail_from, envelope_recipients=rcpt_tos)
    by_shop = {found.shop.pk: _reply_for(mail, found) for found in routes_for(rcpt_tos)}
    replies = {}
    for address in rcpt_tos:
        found = route(address)
        replies[address] = by_shop.get(found.shop.pk, TEMPORARY) if found else TEMPORARY
    return replies


def _closed(session: SMTP) -> bool:
    return session.transport is not None and session.transport.is_closing()


class Handler:
    def __init__(self, receiver: Receiver) -> None:
        self.receiver = receiver

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        try:
            known = await self.receiver.in_thread(_accepts, address)
        except DatabaseError:
            logger.exception("could not look up recipient %s", address)
            return TEMPORARY
        if not known:
            return UNKNOWN
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        self.receiver.in_flight += 1
        try:
            replies = await self.receiver.in_thread(
                _deliver_all, raw, envelope.mail_from or "", list(envelope.rcpt_tos)
            )
        except DatabaseError:
            logger.exception("could not store mail from %s", envelope.mail_from)
            replies = dict.fromkeys(envelope.rcpt_tos, TEMPORARY)
        finally:
            self.receiver.in_flight -= 1
        if self.receiver.lmtp:
            return "\r\n".join(replies[address] for address in envelope.rcpt_tos)
        worst = [reply for reply in replies.values() if not reply.startswith("250")]
        return worst[0] if worst else ACCEPTED


class Receiver:
    """The SMTP/LMTP server. ``run()`` for the command; ``start()``/``stop()`` run it in a
    background thread (tests)."""

    def __init__(
        self,
        host: str | None = None,
        port: int | None = None,
        *,
        lmtp: bool | None = None,
        workers: int = 4,
    ) -> None:
        self.host = host or settings.MAIL_IN_HOST
        self.port = settings.MAIL_IN_PORT if port is None else port
        self.lmtp = settings.MAIL_IN_LMTP if lmtp is None else lmtp
        self.executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="mail-in")
        self.sessions: set[SMTP] = set()
        self.in_flight = 0  # messages being stored now
        self.ready = threading.Event()
        self.ready_callback = None  # called once listening (the command prints the address)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread: threading.Thread | None = None

    @property
    def protocol(self) -> str:
        return "LMTP" if self.lmtp else "SMTP"

    async def in_thread(self, func, *args):
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, _in_thread, func, *args)

    def _session(self) -> SMTP:
        kind = LMTP if self.lmtp else SMTP
        session = kind(
            Handler(self),
            data_size_limit=settings.MAIL_IN_MAX_BYTES,
            enable_SMTPUTF8=True,
            hostname=socket.gethostname() or "localhost",
            loop=self._loop,
        )
        self.sessions = {known for known in self.sessions if not _closed(known)}
        self.sessions.add(session)
        return session

    async def serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        server = await self._loop.create_server(self._session, self.host, self.port)
        self.port = server.sockets[0].getsockname()[1]
        logger.info("mail-in: %s on %s:%s", self.protocol, self.host, self.port)
        self.ready.set()
        if self.ready_callback is not None:
            self.ready_callback()
        await self._stop.wait()
        server.close()
        deadline = self._loop.time() + GRACE_SECONDS
        while self.in_flight and self._loop.time() < deadline:
            await asyncio.sleep(0.05)
        for session in list(self.sessions):
            if session.transport is not None:
                session.transport.close()
        await asyncio.sleep(0)
        self.executor.shutdown(wait=False, cancel_futures=True)

    def request_stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)

    def run(self) -> None:
        """Serve until SIGTERM or SIGINT."""

        async def main():
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(signum, self.request_stop)
            await self.serve()

        asyncio.run(main())

    def start(self) -> Receiver:
        self._thread = threading.Thread(target=asyncio.run, args=(self.serve(),), daemon=True)
        self._thread.start()
        if not self.ready.wait(30):
            raise RuntimeError("the mail receiver did not start")
        return self

    def stop(self) -> None:
        self.request_stop()
        if self._thread is not None:
            self._thread.join(10)
