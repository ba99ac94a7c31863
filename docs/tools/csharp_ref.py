#!/usr/bin/env python3
"""Writes the C# reference page (Markdown) from the XML documentation file
that mono's mcs writes with -doc: one section per type, one entry per
documented member, with its summary, parameters, return value and
exceptions. No registry generator runs here (DocFX needs .NET from NuGet),
so this small converter reads the compiler's own output. The XML has
internal and private members too: only names that the sources declare
`public` are kept (by name, a close enough rule for this binding).

    csharp_ref.py GameyeSdk.xml OUT.md SOURCE.cs...
"""

import re
import sys
import xml.etree.ElementTree as ET

# The member kinds of an XML doc id ("T:Ns.Type", "M:Ns.Type.Method(...)").
KINDS = {"T": "type", "M": "method", "P": "property", "F": "field", "E": "event"}


def public_names(sources):
    """Names of the types and members that the sources declare `public`."""
    names = set()
    decl = re.compile(r"\bpublic\s+(?:[\w<>\[\],.?]+\s+)*?(\w+)\s*(?:[({;=:]|$|<\w)")
    for path in sources:
        with open(path, encoding="utf-8") as f:
            for line in f:
                m = decl.search(line)
                if m:
                    names.add(m.group(1))
    return names


def is_public(member_id, names):
    """Whether a doc id names a public type or member (by its last name)."""
    name = member_id.split(":", 1)[1].split("(", 1)[0]
    type_name, _, last = name.rpartition(".")
    if last == "#ctor":
        last = type_name.rsplit(".", 1)[-1]
    return last in names


def anchor(type_id):
    """The page anchor of a type, from its full name."""
    return "t-" + re.sub(r"[^a-z0-9]+", "-", type_id.lower()).strip("-")


def escape(text):
    """Text of a doc comment made inert for Markdown (no tags, no emphasis)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"([*_`\[\]\\])", r"\\\1", text)


def short_cref(cref):
    """`T:GameyeSdk.GameyeClient` -> `GameyeClient`; members keep their type."""
    name = cref.split(":", 1)[-1].split("(", 1)[0]
    parts = name.split(".")
    return ".".join(parts[-2:]) if cref[:2] in ("M:", "P:", "F:", "E:") else parts[-1]


def cref_type(cref):
    """The type id a cref points into (the type itself for a T: cref)."""
    name = cref.split(":", 1)[-1].split("(", 1)[0]
    return name if cref.startswith("T:") else name.rsplit(".", 1)[0]


def inline(elem, types):
    """The Markdown of an element's mixed content (text and inline tags)."""
    out = [escape(elem.text or "")]
    for child in elem:
        out.append(inline_child(child, types))
        out.append(escape(child.tail or ""))
    return re.sub(r"[ \t]*\n[ \t]*", "\n", "".join(out))


def inline_child(child, types):
    """One inline tag: see, paramref, c, para, code, list."""
    if child.tag == "see":
        cref = child.get("cref") or ""
        if not cref:
            return "`" + (child.get("langword") or child.get("href") or "") + "`"
        label = "`" + short_cref(cref) + "`"
        target = cref_type(cref)
        return "[" + label + "](#" + anchor(target) + ")" if target in types else label
    if child.tag in ("paramref", "typeparamref"):
        return "`" + (child.get("name") or "") + "`"
    if child.tag == "c":
        return "`" + "".join(child.itertext()) + "`"
    if child.tag == "para":
        return "\n\n" + inline(child, types) + "\n\n"
    if child.tag == "code":
        return "\n\n```csharp\n" + "".join(child.itertext()).strip("\n") + "\n```\n\n"
    return inline(child, types)


def paragraphs(text):
    """Collapses the comment's line breaks, keeping blank lines and code blocks."""
    blocks = re.split(r"(```csharp\n.*?\n```)", text, flags=re.S)
    out = []
    for block in blocks:
        if block.startswith("```"):
            out.append("\n\n" + block + "\n\n")
            continue
        paras = re.split(r"\n\s*\n", block)
        out.append("\n\n".join(" ".join(p.split()) for p in paras))
    return re.sub(r"\n{3,}", "\n\n", "".join(out)).strip()


def signature(member_id):
    """A readable signature from the doc id: `CreateSession(String, String)`."""
    name = member_id.split(":", 1)[1]
    params = ""
    if "(" in name:
        name, params = name.split("(", 1)
        params = params.rstrip(")")
        params = re.sub(r"\{", "<", params).replace("}", ">")
        params = ", ".join(p.split(".")[-1] for p in split_params(params))
    short = name.rsplit(".", 1)[-1].replace("#ctor", "(constructor)")
    if member_id.startswith("M:"):
        short += "(" + params + ")"
    return short


def split_params(params):
    """Splits a doc id's parameter list at top-level commas."""
    depth, cur, out = 0, "", []
    for ch in params:
        depth += ch == "<"
        depth -= ch == ">"
        if ch == "," and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    return out + [cur] if cur else out


def member_entry(member, types):
    """The Markdown of one member: signature, summary, params, returns, throws."""
    mid = member.get("name")
    lines = ["#### `" + signature(mid) + "`", ""]
    kind = KINDS.get(mid[0], "member")
    summary = member.find("summary")
    lines.append("*" + kind + "*. " + (paragraphs(inline(summary, types)) if summary is not None else ""))
    lines.append("")
    for tag, title in (("param", "Parameters"), ("returns", "Returns"), ("exception", "Throws")):
        items = member.findall(tag)
        if not items:
            continue
        lines.append("**" + title + "**")
        lines.append("")
        for item in items:
            key = item.get("name") or (item.get("cref") and short_cref(item.get("cref")))
            text = paragraphs(inline(item, types))
            lines.append("- " + ("`" + key + "`: " if key else "") + text)
        lines.append("")
    return lines


def render(xml_path, sources):
    """The whole page."""
    members = ET.parse(xml_path).getroot().find("members")
    names = public_names(sources)
    by_type, type_docs = {}, {}
    for member in members:
        mid = member.get("name")
        if not is_public(mid, names) or (mid[0] != "T" and not is_public("T:" + cref_type(mid), names)):
            continue
        if mid.startswith("T:"):
            type_docs[mid[2:]] = member
            by_type.setdefault(mid[2:], [])
        else:
            by_type.setdefault(cref_type(mid), []).append(member)
    types = set(type_docs)
    lines = [
        "# C# API",
        "",
        "Generated from the XML documentation comments of `bindings/csharp/Runtime`",
        "(mono's `mcs -doc`), one section per documented type. Start with",
        "[`GameyeClient`](#" + anchor("GameyeSdk.GameyeClient") + ").",
        "",
    ]
    for type_id in sorted(by_type, key=lambda t: (t.startswith("GameyeSdk.Native"), t)):
        lines += type_section(type_id, type_docs.get(type_id), by_type[type_id], types)
    return "\n".join(lines) + "\n"


def type_section(type_id, doc, members, types):
    """One type's heading, summary and members."""
    lines = ["## " + type_id.rsplit(".", 1)[-1] + " {#" + anchor(type_id) + "}", ""]
    lines.append("`" + type_id + "`")
    lines.append("")
    summary = doc.find("summary") if doc is not None else None
    if summary is not None:
        lines += [paragraphs(inline(summary, types)), ""]
    for member in members:
        lines += member_entry(member, types)
    return lines


def main(argv):
    if len(argv) < 4:
        sys.exit(__doc__)
    with open(argv[2], "w", encoding="utf-8") as out:
        out.write(render(argv[1], argv[3:]))


if __name__ == "__main__":
    main(sys.argv)
