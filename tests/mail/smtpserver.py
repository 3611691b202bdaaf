"""A real SMTP server on a loopback port for the tests (aiosmtpd), recording what it gets.

``refuse`` makes it answer RCPT TO with a 550 for the listed addresses; ``on_data`` runs
before it answers the data with 250 (a test takes a database lock there, to stop a worker
between sending and marking).
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Received:
    sender: str
    recipients: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.raw, policy=policy.default)  # type: ignore[return-value]


@dataclass
class Handler:
    refuse: set[str] = field(default_factory=set)
    on_data: Callable[[Received], None] | None = None
    received: list[Received] = field(default_factory=list)
    arrived: threading.Event = field(default_factory=threading.Event)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        got = Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)
        if self.on_data is not None:
            self.on_data(got)
        self.received.append(got)
        self.arrived.set()
        return "250 2.0.0 Ok: queued"


class SmtpServer:
    """``with SmtpServer(port) as server:`` — listening on 127.0.0.1:port until the end."""

    def __init__(self, port: int | None = None, handler: Handler | None = None) -> None:
        self.port = port or free_port()
        self.handler = handler or Handler()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()
