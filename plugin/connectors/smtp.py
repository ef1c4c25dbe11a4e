"""Email over SMTP: one connection per batch, multipart plain text + HTML, failures classified for retry.

`smtp://user:pass@host:587` upgrades with STARTTLS (required unless the server is on loopback, so a
password never crosses a network in the clear); `smtps://user:pass@host:465` is TLS from the first byte.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate
from ipaddress import ip_address
from urllib.parse import unquote, urlsplit

from ..errors import ConfigError, FatalError, RetriableError

TIMEOUT_S = 30


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    tls: str  # "starttls" or "implicit"
    username: str = ""
    password: str = field(default="", repr=False)

    @property
    def loopback(self) -> bool:
        if self.host == "localhost":
            return True
        try:
            return ip_address(self.host).is_loopback
        except ValueError:
            return False


@dataclass(frozen=True)
class Email:
    """One email as Flipside sends it; `headers` are extra ones such as List-Unsubscribe."""

    sender: str
    to: str
    subject: str
    text: str
    html: str
    message_id: str
    headers: tuple[tuple[str, str], ...] = ()
    calendar: str = ""  # an iCalendar object, sent as RFC 6047 iMIP: text/calendar; method=...
    calendar_method: str = ""


def parse_url(url: str) -> SmtpServer:
    """The server named by FLIPSIDE_SMTP_URL; ConfigError for anything else."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ConfigError("FLIPSIDE_SMTP_URL must look like smtp://user:pass@host:587 or smtps://user:pass@host:465")
    try:
        port = parts.port or (465 if parts.scheme == "smtps" else 587)
    except ValueError as err:
        raise ConfigError(f"FLIPSIDE_SMTP_URL has a bad port: {err}") from None
    return SmtpServer(
        parts.hostname,
        port,
        "implicit" if parts.scheme == "smtps" else "starttls",
        unquote(parts.username or ""),
        unquote(parts.password or ""),
    )


def build(email: Email) -> EmailMessage:
    """The MIME message: multipart/alternative with the plain text first, as RFC 2046 orders them."""
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = email.sender, email.to, email.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = email.message_id
    message.set_content(email.text)
    message.add_alternative(email.html, subtype="html")
    if email.calendar:  # iMIP (RFC 6047 2.4): the invitation is the last alternative, with its METHOD
        message.add_alternative(email.calendar, subtype="calendar", params={"method": email.calendar_method})
    for name, value in email.headers:  # after the content: set_content drops Content-* headers set before it
        message[name] = value
    return message


class Mailbox:
    """One SMTP session reused for every message of a batch: `with Mailbox(server) as box: box.send(e)`."""

    def __init__(self, server: SmtpServer, *, context: ssl.SSLContext | None = None):
        self.server, self.context, self.client = server, context or ssl.create_default_context(), None

    def __enter__(self) -> Mailbox:
        try:
            self.client = self._connect()
        except smtplib.SMTPException as err:
            raise classify(err) from err
        except OSError as err:
            raise RetriableError(f"SMTP server {self.server.host}:{self.server.port} unreachable: {err}") from err
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.client.quit()
        except (smtplib.SMTPException, OSError):
            self.client.close()  # the messages are already accepted; a failed goodbye changes nothing

    def _connect(self) -> smtplib.SMTP:
        s = self.server
        if s.tls == "implicit":
            client = smtplib.SMTP_SSL(s.host, s.port, timeout=TIMEOUT_S, context=self.context)
        else:
            client = smtplib.SMTP(s.host, s.port, timeout=TIMEOUT_S)
            client.ehlo()
            if client.has_extn("starttls"):
                client.starttls(context=self.context)
                client.ehlo()
            elif not s.loopback:
                client.close()
                raise FatalError(f"SMTP server {s.host} does not offer STARTTLS; refusing to send in the clear")
        if s.username:
            client.login(s.username, s.password)
        return client

    def send(self, email: Email) -> None:
        """Hand one message to the server; RetriableError for 4xx and lost connections, FatalError for 5xx."""
        try:
            refused = self.client.send_message(build(email))
        except smtplib.SMTPException as err:
            raise classify(err) from err
        except OSError as err:
            raise RetriableError(f"SMTP connection lost: {err}") from err
        if refused:  # only possible with several recipients; we always send one
            raise classify(smtplib.SMTPRecipientsRefused(refused))


def classify(err: smtplib.SMTPException) -> RetriableError | FatalError:
    """RFC 5321: 4yz replies are transient (try again later), 5yz permanent; a dropped link is transient."""
    if isinstance(err, smtplib.SMTPRecipientsRefused):
        code, reply = next(iter(err.recipients.values()))
    elif isinstance(err, smtplib.SMTPResponseException):
        code, reply = err.smtp_code, err.smtp_error
    else:
        return RetriableError(f"SMTP: {err}", code="smtp_transient")
    text = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
    if 400 <= code < 500:
        return RetriableError(f"SMTP {code} {text}", code="smtp_transient")
    return FatalError(f"SMTP {code} {text}", code="smtp_permanent")
