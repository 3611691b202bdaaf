"""Transports: SMTP (``smtp://``, ``smtps://``, ``smtp://…?starttls``) or ``.eml`` files.

``EXHIBIT_MAIL_URL`` chooses; unset, messages are written as files in the instance folder.
A transport raises :class:`TemporaryFailure` (try again later: the server is down, busy,
says 4xx) or :class:`PermanentFailure` (5xx: the server refuses this message for good).
"""

from __future__ import annotations

import os
import smtplib
import ssl
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path

from exhibit.mail.url import MailUrl, parse_mail_url


class TemporaryFailure(Exception):
    """The message was not accepted this time; sending it again later may work."""


class PermanentFailure(Exception):
    """The server refused the message for good (a 5xx reply)."""


def _refusal(code: int, reply: bytes | str, step: str) -> Exception:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    reason = f"{code} {' '.join(text.split())} ({step})"
    if 500 <= code < 600:
        return PermanentFailure(reason)
    return TemporaryFailure(reason)


class SmtpTransport:
    """One connection, opened on first use and kept for the next messages."""

    def __init__(self, url: MailUrl, *, timeout: float = 30.0, local_hostname: str | None = None):
        self.url = url
        self.timeout = timeout
        self.local_hostname = local_hostname
        self._smtp: smtplib.SMTP | None = None

    def describe(self) -> str:
        return self.url.describe()

    def _connect(self) -> smtplib.SMTP:
        if self._smtp is not None:
            return self._smtp
        context = ssl.create_default_context()
        url = self.url
        try:
            if url.scheme == "smtps":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    url.host, url.port, timeout=self.timeout, context=context,
                    local_hostname=self.local_hostname,
                )  # fmt: skip
            else:
                smtp = smtplib.SMTP(
                    url.host, url.port, timeout=self.timeout, local_hostname=self.local_hostname
                )
            smtp.ehlo()
            if url.starttls:
                smtp.starttls(context=context)
                smtp.ehlo()
            if url.username:
                smtp.login(url.username, url.password or "")
        except smtplib.SMTPAuthenticationError as exc:
            raise TemporaryFailure(
                f"the mail server refused the user name or password ({exc.smtp_code})"
            ) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise TemporaryFailure(f"cannot reach {url.describe()}: {exc}") from None
        self._smtp = smtp
        return smtp

    def send(
        self,
        message: EmailMessage,
        sender: str,
        recipient: str,
        handing: Callable[[], None],
        *,
        name: str = "",
    ) -> None:
        """Hand the message over. ``handing`` is called right before its data goes out: from
        then until this returns, the server may have taken it."""
        smtp = self._connect()
        try:
            code, reply = smtp.mail(sender)
            if code != 250:
                smtp.rset()
                raise _refusal(code, reply, "MAIL FROM")
            code, reply = smtp.rcpt(recipient)
            if code not in (250, 251):
                smtp.rset()
                raise _refusal(code, reply, "RCPT TO")
            handing()
            # smtplib sends bytes as they are: the lines must already end in CRLF.
            code, reply = smtp.data(message.as_bytes(policy=message.policy.clone(linesep="\r\n")))
            if code != 250:
                raise _refusal(code, reply, "DATA")
        except (OSError, smtplib.SMTPException) as exc:
            # Before the server's 250 to the data it has not taken the message (RFC 5321
            # §4.1.1.4): sending again is right.
            self.close()
            raise TemporaryFailure(f"{self.url.describe()}: {exc}") from None

    def delivered(self, name: str) -> bool | None:
        """Whether a message was delivered, if the transport can tell (SMTP can't)."""
        return None

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (OSError, smtplib.SMTPException):
                self._smtp.close()
            self._smtp = None


class FileTransport:
    """Each message an ``.eml`` file in a folder, written whole or not at all."""

    def __init__(self, folder: Path):
        self.folder = folder

    def describe(self) -> str:
        return f"files in {self.folder}"

    def path(self, name: str) -> Path:
        return self.folder / f"{name}.eml"

    def send(
        self,
        message: EmailMessage,
        sender: str,
        recipient: str,
        handing: Callable[[], None],
        *,
        name: str,
    ) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handing()
            temporary = self.folder / f".{name}.{os.getpid()}.tmp"
            temporary.write_bytes(message.as_bytes())
            os.replace(temporary, self.path(name))
        except OSError as exc:
            raise TemporaryFailure(f"cannot write {self.path(name)}: {exc}") from None

    def delivered(self, name: str) -> bool | None:
        return self.path(name).exists()

    def close(self) -> None:
        pass


Transport = SmtpTransport | FileTransport


def transport_for(url: str | None, folder: Path, *, timeout: float = 30.0) -> Transport:
    if url:
        return SmtpTransport(parse_mail_url(url), timeout=timeout)
    return FileTransport(folder)
