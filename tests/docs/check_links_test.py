#!/usr/bin/env python3
"""Tests of check_links.py on a small site made here: it must pass a sound
site and report each kind of broken link (a missing file, a missing anchor,
a link out of the site), so the check over the real site can fail."""

import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_links  # noqa: E402


def write(root, rel, text):
    """Writes one file of the test site."""
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def site(links):
    """A three-page site whose index links to each of links."""
    root = tempfile.mkdtemp(prefix="check-links-")
    anchors = "".join(f'<a href="{link}">l</a>' for link in links)
    write(root, "index.html", '<h1 id="top">x</h1>' + anchors)
    write(root, "sub/page.html",
          '<h2 id="a%3Cb%3E">y</h2><a name="old"></a><a href="../index.html#top">up</a>')
    write(root, "sub/index.html", "<p>dir</p>")
    return root


def broken(links):
    """(link, reason) of each broken link the checker finds."""
    return [(link, why) for _, link, why in check_links.check(site(links))[2]]


def test_sound():
    ok = ["sub/page.html", "sub/page.html#a%3Cb%3E", "sub/page.html#old", "#top", "sub/",
          "/sub/page.html", "https://example.com/x", "mailto:a@b", "javascript:void(0)"]
    assert broken(ok) == [], broken(ok)


def test_each_kind_of_break():
    got = broken(["nope.html", "sub/page.html#missing", "#gone", "../../etc/passwd"])
    assert got == [("nope.html", "no such file"), ("sub/page.html#missing", "no such anchor"),
                   ("#gone", "no such anchor"), ("../../etc/passwd", "points outside the site")], got


if __name__ == "__main__":
    test_sound()
    test_each_kind_of_break()
    print("2 passed, 0 failed")
