"""Links people or a vendor hand us: a pre-read must be plain https; an LMS page may be http or https; script,
data and malformed addresses never reach a page's href."""

import pytest

from plugin.domain.link import safe_link, web_link

HOSTILE = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "\tjavascript:alert(1)",
    "java\nscript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD4=",
    "vbscript:msgbox(1)",
    "//evil.example/x",
    "https://",
    "https://[::1",
    "https://ex ample.org",
    "",
]


@pytest.mark.parametrize("link", HOSTILE)
def test_hostile_links_are_dropped(link):
    assert safe_link(link) is None and web_link(link) == ""


def test_plain_links_are_kept_trimmed():
    assert safe_link(" https://example.org/a?b=1#c ") == "https://example.org/a?b=1#c"
    assert safe_link("http://example.org") is None  # a pre-read is https only
    assert web_link("http://moodle.intranet/mod/page/view.php?id=2") == "http://moodle.intranet/mod/page/view.php?id=2"
    assert web_link("https://x.example/" + "a" * 2000) == ""
