"""Email over SMTP: one connection per batch, multipart plain text + HTML, failures classified for retry.

`smtp://user:pass@host:587` upgrades with STARTTLS (required unless the server is on loopback, so a
password never crosses a network in the clear); `smtps://user:pass@host:465` is TLS from the first byte.
"""

from __future__ import annotations

import secrets
import smtplib
import ssl
from dataclasses import dataclass, field
from email.charset import QP, Charset
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import formataddr, formatdate, parseaddr
from ipaddress import ip_address
from urllib.parse import unquote, urlsplit

from ..errors import ConfigError, FatalError, RetriableError

TIMEOUT_S = 30
# smtplib sends bytes as given: CRLF line ends, as SMTP has them. Header values are written as built here
# (no refolding: compat32 would fold a long List-Unsubscribe before its first token, which parsers keep as a
# leading space); non-ASCII ones are folded encoded words already (`_text`).
_WIRE = compat32.clone(linesep="\r\n", max_line_length=None)
_QUOTED_UTF8 = Charset("utf-8")
_QUOTED_UTF8.body_encoding = QP


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


def build(email: Email) -> Message:
    """The MIME message: multipart/alternative with the plain text first, as RFC 2046 orders them.

    Built with the email package's compat32 classes, about five times cheaper than EmailMessage's header
    registry, which made MIME the bulk of a send; so a header value with a line break (a planted header)
    is refused here, as EmailMessage would: ValueError.
    """
    named = (("From", email.sender), ("To", email.to), ("Subject", email.subject), ("Message-ID", email.message_id))
    for name, value in (*named, *email.headers, ("method", email.calendar_method)):
        if "\r" in value or "\n" in value:
            raise ValueError(f"the {name} header may not contain a line break")
    # a random boundary of our own: the generator would otherwise compile a regex per message to pick one
    message = MIMEMultipart("alternative", boundary=f"=_{secrets.token_hex(16)}")
    message["From"], message["To"] = _address(email.sender), _address(email.to)
    message["Subject"] = _text(email.subject)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = email.message_id
    for name, value in email.headers:
        message[name] = _text(value, name)
    message.attach(_part(email.text, "plain"))
    message.attach(_part(email.html, "html"))
    if email.calendar:  # iMIP (RFC 6047 2.4): the invitation is the last alternative, with its METHOD
        invitation = _part(email.calendar, "calendar")
        invitation.set_param("method", email.calendar_method)
        message.attach(invitation)
    return message


def _part(body: str, subtype: str) -> MIMEText:
    """A UTF-8 text part whose lines stay under SMTP's limit: quoted-printable for ASCII text, else base64."""
    return MIMEText(body, subtype, _QUOTED_UTF8 if body.isascii() else "utf-8")


def _text(value: str, name: str = "Subject") -> str:
    """A header value; non-ASCII text as RFC 2047 encoded words, folded to 76 characters a line."""
    return value if value.isascii() else Header(value, "utf-8", header_name=name).encode(linesep="\r\n")


def _address(value: str) -> str:
    """`Name <addr>` with a non-ASCII name RFC 2047-encoded; the address as given."""
    name, address = parseaddr(value)
    return formataddr((name, address), charset="utf-8") if address else _text(value)


class Mailbox:
    """One SMTP session reused for every message of a batch: `with Mailbox(server) as box: box.send(build(e))`."""

    def __init__(self, server: SmtpServer, *, context: ssl.SSLContext | None = None):
        self.server, self._context, self.client = server, context, None

    @property
    def context(self) -> ssl.SSLContext:
        """The TLS context, made only when a session uses TLS (loading the CA store costs tens of ms)."""
        if self._context is None:
            self._context = ssl.create_default_context()
        return self._context

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

    def send(self, message: Message) -> None:
        """Hand one built message to the server; RetriableError for 4xx and lost connections, FatalError for 5xx."""
        try:
            sender, recipient = parseaddr(message["From"])[1], parseaddr(message["To"])[1]
            refused = self.client.sendmail(sender, [recipient], message.as_bytes(policy=_WIRE))
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
