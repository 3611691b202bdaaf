"""``EXHIBIT_MAIL_URL``: read and checked when the app starts (without importing smtplib)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

from exhibit.errors import ConfigurationError


@dataclass(frozen=True)
class MailUrl:
    scheme: str  # smtp | smtps
    host: str
    port: int
    username: str | None
    password: str | None
    starttls: bool

    def describe(self) -> str:
        """The URL without its password, for logs."""
        user = f"{self.username}@" if self.username else ""
        tls = "?starttls" if self.starttls else ""
        return f"{self.scheme}://{user}{self.host}:{self.port}{tls}"


def parse_mail_url(url: str) -> MailUrl:
    """``smtp://[user[:password]@]host[:port][?starttls]`` or ``smtps://…``."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("smtp", "smtps"):
        raise ConfigurationError(
            f"EXHIBIT_MAIL_URL={url!r}: expected smtp://host[:port][?starttls] or "
            "smtps://host[:port] (user and password as smtp://user:password@host), "
            "or nothing to write messages as files"
        )
    if not parts.hostname:
        raise ConfigurationError(f"EXHIBIT_MAIL_URL: no host in {parts.scheme}://…")
    options = parse_qs(parts.query, keep_blank_values=True)
    unknown = set(options) - {"starttls"}
    if unknown:
        raise ConfigurationError(
            f"EXHIBIT_MAIL_URL: unknown option {', '.join(sorted(unknown))} (only ?starttls)"
        )
    starttls = "starttls" in options
    if starttls and parts.scheme == "smtps":
        raise ConfigurationError("EXHIBIT_MAIL_URL: smtps:// is TLS already; drop ?starttls")
    try:
        port = parts.port or (465 if parts.scheme == "smtps" else 587 if starttls else 25)
    except ValueError:
        raise ConfigurationError("EXHIBIT_MAIL_URL: the port is not a number") from None
    return MailUrl(
        scheme=parts.scheme,
        host=parts.hostname,
        port=port,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        starttls=starttls,
    )
