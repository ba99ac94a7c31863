#!/usr/bin/env python3
"""Checks every internal link of the built site: each href and src of every
HTML page, the generated sub-trees (Doxygen, rustdoc) included, must name a
file that exists in the site, and a #fragment must name an id (or <a name>)
on that page. External links (any scheme) are not followed: the test has no
network.

    check_links.py SITE_DIR

Exit status 1 lists each broken link with the page it is on.
"""

import os
import re
import sys
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

# Attributes that load or link another file.
LINK_ATTRS = {"href", "src"}
# rustdoc's source pages answer "#12-40" (a line range) from JavaScript.
LINE_FRAGMENT = re.compile(r"^\d+(-\d+)?$")


class Page(HTMLParser):
    """The links and the anchor names of one HTML page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links = []
        self.ids = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value is None:
                continue
            if name == "id" or (tag == "a" and name == "name"):
                self.ids.add(value)
            elif name in LINK_ATTRS and tag != "base":
                self.links.append(value)


def parse(path):
    """The parsed page at path."""
    page = Page()
    with open(path, encoding="utf-8", errors="replace") as f:
        page.feed(f.read())
    return page


def internal_target(site, page_path, link):
    """(file, fragment) a relative link points to, or None when external."""
    parts = urlsplit(link)
    if parts.scheme or parts.netloc or link.startswith("//"):
        return None
    if not parts.path:
        return page_path, parts.fragment
    # A root-absolute link (mkdocs' 404 page has them) is read against the
    # site's root, where the site is served.
    base = site if parts.path.startswith("/") else os.path.dirname(page_path)
    target = os.path.normpath(os.path.join(base, unquote(parts.path).lstrip("/")))
    if os.path.isdir(target):
        target = os.path.join(target, "index.html")
    return target, parts.fragment


def check(site):
    """Every broken link of the site, as (page, link, reason) triples."""
    site = os.path.abspath(site)
    pages = {}
    for dirpath, _, files in os.walk(site):
        for name in files:
            if name.endswith(".html"):
                path = os.path.join(dirpath, name)
                pages[path] = parse(path)
    broken, checked = [], 0
    for path, page in sorted(pages.items()):
        for link in page.links:
            target = internal_target(site, path, link)
            if target is None:
                continue
            checked += 1
            broken += problems(site, path, link, target, pages)
    return pages, checked, broken


def problems(site, path, link, target, pages):
    """What is wrong with one internal link (empty when nothing)."""
    file, fragment = target
    rel = os.path.relpath(path, site)
    if not (file == site or file.startswith(site + os.sep)):
        return [(rel, link, "points outside the site")]
    if not os.path.isfile(file):
        return [(rel, link, "no such file")]
    if fragment and file in pages and not LINE_FRAGMENT.match(fragment):
        # As a browser does: the fragment as written, else percent-decoded.
        if fragment not in pages[file].ids and unquote(fragment) not in pages[file].ids:
            return [(rel, link, "no such anchor")]
    return []


def main(argv):
    if len(argv) != 2:
        sys.exit(__doc__)
    pages, checked, broken = check(argv[1])
    for rel, link, reason in broken:
        print(f"{rel}: {link}: {reason}")
    print(f"{len(pages)} pages, {checked} internal links, {len(broken)} broken")
    if not pages or checked == 0:
        sys.exit("no pages or no links: is this the built site?")
    sys.exit(1 if broken else 0)


if __name__ == "__main__":
    main(sys.argv)
