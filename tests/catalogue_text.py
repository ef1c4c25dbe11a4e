"""What a page left in English: catalogue sentences found untranslated in a page's text (shared by the page tests)."""

from __future__ import annotations

import html
import re
from pathlib import Path

from babel.messages.pofile import read_po

CATALOGUES = Path(__file__).resolve().parent.parent / "plugin" / "translations"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]")


def english_left(text: str, locale: str) -> list[str]:
    """Catalogue sentences (their fixed parts of 12+ characters) that appear in English on a page in `locale`."""
    with open(CATALOGUES / locale.replace("-", "_") / "LC_MESSAGES" / "messages.po", "rb") as po:
        catalogue = read_po(po)
    found = []
    for message in catalogue:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        translated = " ".join(message.string if isinstance(message.string, tuple) else (message.string,))
        for msgid in ids:
            for part in PLACEHOLDER.split(msgid.replace("%%", "%")):
                part = part.strip(" .,:;")
                if len(part) >= 12 and part not in translated and part in text:
                    found.append(part)
    return found


def page_text(markup: str) -> str:
    """The words of an HTML page as a reader meets them: no styles or scripts, tags as spaces, entities decoded,
    attribute values a screen reader announces (aria-label, placeholder, title) kept."""
    markup = re.sub(r"<style.*?</style>|<script.*?</script>", " ", markup, flags=re.S)
    spoken = " ".join(re.findall(r'(?:aria-label|placeholder|title)="([^"]*)"', markup))
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]*>", " ", markup)) + " " + spoken)
