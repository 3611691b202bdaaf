"""Building the MIME message of an outbox row (standard library only).

Plain text and HTML as ``multipart/alternative``, attachments beside them; headers set
through :mod:`email`'s default policy, which encodes non-ASCII text as RFC 2047 words and
refuses a CR or LF in a header value (no header injection, even if a caller let one by).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    maintype: str = "application"
    subtype: str = "pdf"


def sender_address(name: str, address: str) -> Address:
    """``From``: a display name (any language) and the address."""
    username, _, domain = address.partition("@")
    return Address(display_name=name, username=username, domain=domain)


def domain_of(address: str) -> str:
    return parseaddr(address)[1].rpartition("@")[2] or "localhost"


def build(
    *,
    sender: Address,
    recipient: str,
    subject: str,
    text: str,
    html: str,
    message_id: str,
    date: datetime,
    language: str,
    attachments: list[Attachment] = (),  # type: ignore[assignment]
) -> EmailMessage:
    """The message as it goes out; the same row always gives the same headers."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = subject
    message["Date"] = format_datetime(date.replace(tzinfo=UTC))
    message["Message-ID"] = message_id
    message["Content-Language"] = language
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    for attachment in attachments:
        message.add_attachment(
            attachment.content,
            maintype=attachment.maintype,
            subtype=attachment.subtype,
            filename=attachment.filename,
        )
    return message
