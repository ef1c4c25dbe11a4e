"""Chat channels for HR and coordinator digests: which webhook URLs are accepted, and the message bodies.

Only vendors' own incoming-webhook hosts over https are accepted (a URL is where Flipside will POST, so
anything else would let a stranger point it at an internal address):
- Slack: https://hooks.slack.com/services/...  (or /workflows/...)
- Microsoft Teams: https://<tenant>.webhook.office.com/webhookb2/... (connectors) and Power Automate
  workflows on https://<region>.logic.azure.com/workflows/...
Bodies are built from a `Digest` of counts and links only: no person's name, nothing written privately.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from ..errors import ValidationError

SLACK, TEAMS = "slack", "teams"
VENDORS = (SLACK, TEAMS)
MAX_URL = 2000


@dataclass(frozen=True)
class DigestLine:
    """One line of a digest: its words (already translated), the count and where to look."""

    label: str
    count: int
    link: str = ""


@dataclass(frozen=True)
class Digest:
    """What a digest says: a title, an introduction and its lines."""

    title: str
    intro: str
    lines: tuple[DigestLine, ...]


def vendor_of(url: str, *, loopback: bool = False) -> str:
    """The vendor whose incoming webhook `url` is ("slack" or "teams"), or ValidationError saying why not.

    `loopback` also accepts a webhook emulator's http://127.0.0.1:<port>/services/... or /webhookb2/...
    (the demo's and the tests'); no form passes it."""
    url = (url or "").strip()
    if not url or len(url) > MAX_URL or any(c.isspace() or ord(c) < 32 for c in url):
        raise ValidationError("Paste the webhook URL the chat app gave you", errors={"url": "not a URL"})
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if loopback and parts.scheme == "http" and host == "127.0.0.1":
        if parts.path.startswith(("/services/", "/webhookb2/")):
            return SLACK if parts.path.startswith("/services/") else TEAMS
    if parts.scheme != "https":
        raise ValidationError("A chat webhook URL starts with https://", errors={"url": "not https"})
    if parts.username or parts.password or parts.port not in (None, 443):
        raise ValidationError("A chat webhook URL has no user, password or port", errors={"url": "unexpected part"})
    path = parts.path
    if host == "hooks.slack.com" and path.startswith(("/services/", "/workflows/", "/triggers/")):
        return SLACK
    if host.endswith(".webhook.office.com") and _label(host, ".webhook.office.com") and path.startswith("/webhook"):
        return TEAMS
    if host.endswith(".logic.azure.com") and _label(host, ".logic.azure.com") and path.startswith("/workflows/"):
        return TEAMS
    raise ValidationError(
        "Only Slack (hooks.slack.com) and Microsoft Teams (webhook.office.com, logic.azure.com workflows) "
        "incoming webhooks are accepted",
        errors={"url": "not a Slack or Teams webhook"},
    )


def _label(host: str, suffix: str) -> bool:
    """One plain DNS label before the vendor's domain (no empty or odd labels)."""
    prefix = host[: -len(suffix)]
    return bool(prefix) and all(part and part.replace("-", "").isalnum() for part in prefix.split("."))


def host_of(url: str) -> str:
    return (urlsplit(url.strip()).hostname or "").lower()


def slack_blocks(digest: Digest) -> dict:
    """A Slack incoming-webhook body: Block Kit blocks, with `text` as the notification fallback."""
    lines = [
        f"*{line.count}* {_slack(line.label)}" + (f" <{line.link}|→>" if line.link else "") for line in digest.lines
    ]
    return {
        "text": digest.title,
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": digest.title[:150]}},
            {"type": "section", "text": {"type": "mrkdwn", "text": _slack(digest.intro)}},
            {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines) or "-"}},
        ],
    }


def teams_card(digest: Digest) -> dict:
    """A Teams incoming-webhook body: an Office 365 connector MessageCard with one fact per line."""
    actions = [
        {"@type": "OpenUri", "name": line.label, "targets": [{"os": "default", "uri": line.link}]}
        for line in digest.lines
        if line.link
    ]
    return {
        "@type": "MessageCard",
        "@context": "https://schema.org/extensions",
        "summary": digest.title,
        "title": digest.title,
        "text": digest.intro,
        "sections": [{"facts": [{"name": line.label, "value": str(line.count)} for line in digest.lines]}],
        "potentialAction": actions[:4],  # Teams shows at most four actions on a card
    }


def payload(vendor: str, digest: Digest) -> dict:
    return slack_blocks(digest) if vendor == SLACK else teams_card(digest)


def _slack(text: str) -> str:
    """Slack mrkdwn treats &, < and > as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
