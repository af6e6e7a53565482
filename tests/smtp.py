"""A real SMTP server (aiosmtpd) on 127.0.0.1 in the test process, capturing what it receives.

``hold()`` makes the server keep the reply to DATA until ``release()``: the message content has
arrived but the client has not heard "250 OK" yet (used to kill a worker mid-send, or to freeze
the server for a while). Setting ``refuse`` makes it answer "451 Try again later" and keep
nothing.

Refusals by reply code, per recipient: ``rcpt_replies[address]`` (or ``rcpt_replies["*"]``) is
answered to RCPT TO, ``data_replies[address]`` (or ``"*"``) after DATA, e.g. "550 5.1.1 No such
user". ``greylist = True`` answers "451 4.7.1" to an address's first RCPT TO and accepts it
after that. ``delay`` seconds pass before each reply to DATA (a remote server's latency).
``refuse_connections()`` closes the listening socket (connections are refused) until
``accept_connections()``.

Tests take it through the ``smtp`` fixture (tests/conftest.py), which points Django at it.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import threading
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: email.message.EmailMessage
    peer: tuple | None = None  # the client's (address, port): one per connection

    @property
    def subject(self) -> str:
        return " ".join(str(self.message["Subject"]).split())

    @property
    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        return part.get_content().replace("\r\n", "\n") if part is not None else ""

    @property
    def html(self) -> str:
        part = self.message.get_body(preferencelist=("html",))
        return part.get_content().replace("\r\n", "\n") if part is not None else ""

    def header(self, name: str) -> str | None:
        value = self.message[name]
        return None if value is None else " ".join(str(value).split())


@dataclass
class Mailbox:
    """What the server received, in order. Thread-safe."""

    messages: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    arrived: threading.Event = field(default_factory=threading.Event)
    held: threading.Event | None = None
    refuse: bool = False
    rcpt_replies: dict[str, str] = field(default_factory=dict)
    data_replies: dict[str, str] = field(default_factory=dict)
    greylist: bool = False
    greylisted: set[str] = field(default_factory=set)
    delay: float = 0.0
    hold_at: int | None = None  # hold() once this many messages have arrived
    server: SmtpServer | None = None

    def hold(self) -> None:
        self.held = threading.Event()

    def release(self) -> None:
        if self.held is not None:
            self.held.set()
        self.held = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = self.rcpt_replies.get(address, self.rcpt_replies.get("*"))
        if reply is None and self.greylist:
            with self.lock:
                first = address not in self.greylisted
                self.greylisted.add(address)
            if first:
                reply = "451 4.7.1 Greylisted, please try again later"
        if reply is not None:
            return reply
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            return "451 Try again later"
        for address in envelope.rcpt_tos:
            reply = self.data_replies.get(address, self.data_replies.get("*"))
            if reply is not None:
                return reply
        if self.delay:
            await asyncio.sleep(self.delay)
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), parsed, session.peer)
            )
        self.arrived.set()
        if self.hold_at is not None and len(self) == self.hold_at:
            self.hold()
        held = self.held
        if held is not None:
            await asyncio.get_running_loop().run_in_executor(None, held.wait, 30)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Received]:
        with self.lock:
            return [m for m in self.messages if address in m.rcpt_tos]

    def __len__(self) -> int:
        with self.lock:
            return len(self.messages)

    def refuse_connections(self) -> None:
        assert self.server is not None
        self.server.controller.stop()

    def accept_connections(self) -> None:
        assert self.server is not None
        self.server.controller = self.server.new_controller()
        self.server.controller.start()


class SmtpServer:
    def __init__(self) -> None:
        self.mailbox = Mailbox()
        self.mailbox.server = self
        self.port = free_port()
        self.controller = self.new_controller()

    def new_controller(self) -> Controller:
        return Controller(self.mailbox, hostname="127.0.0.1", port=self.port)

    def start(self) -> SmtpServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.mailbox.release()
        self.controller.stop(no_assert=True)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"
