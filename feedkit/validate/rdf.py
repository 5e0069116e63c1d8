"""RSS 1.0 and RSS 0.90: RDF documents with an <rdf:RDF> root.

RSS 1.0 (purl.org/rss/1.0/): a channel with rdf:about, title, link, description and
items (an rdf:Seq of rdf:li rdf:resource pointing at the items); item, image and
textinput elements beside the channel, each with rdf:about. RSS 0.90
(my.netscape.com/rdf/simple/0.9/) is the same without the RDF references. The
vocabulary is the namespace the channel is in; an rdf:RDF in neither can't be read.
Items are checked when they end, then dropped.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from .messages import Collector
from .rssparts import RssParts
from .xmlsafe import element_children, qname

RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RSS1_NS = "http://purl.org/rss/1.0/"
RSS090_NS = "http://my.netscape.com/rdf/simple/0.9/"
R = f"{{{RDF_NS}}}"
ABOUT, RESOURCE = R + "about", R + "resource"
# What each RSS 1.0 element may hold (RSS 0.90: the same, without items and references).
ALLOWED = {
    "channel": ("title", "link", "description", "image", "items", "textinput"),
    "item": ("title", "link", "description"),
    "image": ("title", "url", "link"),
    "textinput": ("title", "description", "name", "link"),
}
NEEDS = {"channel": ("title", "link", "description"), "item": ("title", "link"),
         "image": ("title", "url", "link"), "textinput": ("title", "description", "name",
                                                            "link")}


def check_rdf(path: Path, out: Collector, *, now: datetime) -> None:
    """Check the RSS 1.0 or 0.90 document at `path`, adding messages to `out`."""
    RdfChecker(out, now).check(path)


class RdfChecker(RssParts):
    """The rdf:RDF root, its channel, items, image and textinput."""

    def __init__(self, out: Collector, now: datetime) -> None:
        super().__init__(out, now)
        self.ns = ""
        self.counts: dict[str, int] = {}
        self.abouts: dict[str, int] = {}

    def local(self, tag: object) -> str | None:
        prefix = f"{{{self.ns}}}"
        if self.ns and isinstance(tag, str) and tag.startswith(prefix):
            return tag[len(prefix):]
        return None

    @property
    def rss1(self) -> bool:
        return self.ns == RSS1_NS

    def start(self, root: Any) -> bool:
        namespaces = set(root.nsmap.values())
        self.ns = RSS1_NS if RSS1_NS in namespaces else (
            RSS090_NS if RSS090_NS in namespaces else "")
        if not self.ns:
            self.add("rdf-vocabulary", root, "<rdf:RDF> declares neither RSS 1.0's namespace "
                     f"({RSS1_NS}) nor RSS 0.90's, so what it holds can't be told; write "
                     f"xmlns=\"{RSS1_NS}\"")
        return True

    def end(self, elem: Any) -> None:
        parent = elem.getparent()
        if elem is self.root:
            self.document(elem)
        elif parent is self.root:
            name = self.local(elem.tag)
            if name in ALLOWED:
                self.counts[name] = self.counts.get(name, 0) + 1
                self.part(elem, name)
                if name == "item":
                    elem.clear()
                    parent.remove(elem)
            elif self.ns and isinstance(elem.tag, str) and not elem.tag.startswith(R):
                self.add("rss-undefined-element", elem, f"<{qname(elem)}> is not an RSS "
                         "element of <rdf:RDF>; put channel, item, image and textinput there")

    def document(self, root: Any) -> None:
        if not self.ns:
            return
        stray = (root.text or "").strip() or next(
            (k.tail.strip() for k in root if (k.tail or "").strip()), "")
        if stray:
            self.add("rss-unexpected-text", root, f"<rdf:RDF> holds the text '{stray[:40]}'; "
                     "it holds elements only")
        for name, rule in (("channel", "rss-missing-channel"), ("item", "rss-missing-element")):
            if not self.counts.get(name):
                self.add(rule, root, f"<rdf:RDF> has no <{name}>; RSS needs "
                         f"{'one' if name == 'channel' else 'at least one'}")
        if self.counts.get("channel", 0) > 1:
            self.add("rss-duplicate-element", root, "<rdf:RDF> holds more than one <channel>")

    def part(self, elem: Any, name: str) -> None:
        kids, foreign = self.split(elem)
        self.undefined_rdf(elem, name, kids)
        self.entities(elem)
        missing = [n for n in NEEDS[name] if n not in kids]
        for needed in missing:
            self.add("rss-missing-element", elem, f"<{name}> has no <{needed}>; RSS "
                     f"{'1.0' if self.rss1 else '0.90'} requires it")
        self.single(kids, ALLOWED[name], "rss-duplicate-element")
        self.each(kids, {"link": self.url, "url": self.url})
        if name == "textinput":
            self.each(kids, {"name": self.form_name})
        for title in kids.get("title", []):
            self.title_html(title)
        self.extensions(elem, foreign)
        if self.rss1:
            self.about(elem, name)
            if name == "channel":
                self.references(elem, kids)

    def undefined_rdf(self, elem: Any, name: str, kids: dict[str, list[Any]]) -> None:
        allowed = ALLOWED[name] if self.rss1 or name != "channel" else NEEDS["channel"]
        for kid_name, elems in kids.items():
            if kid_name not in allowed:
                for kid in elems:
                    self.add("rss-undefined-element", kid, f"<{kid_name}> is not an RSS "
                             f"element of <{name}>; check the spelling or use a module's "
                             "namespace")
            elif kid_name in ("title", "link", "description", "url", "name"):
                for kid in elems:
                    inner = element_children(kid)
                    if inner and kid.get(R + "parseType") != "Literal":
                        self.add("rss-undefined-element", inner[0], f"<{qname(inner[0])}>"
                                 f" inside <{kid_name}>, which holds text only")
        for kid in element_children(elem):
            if isinstance(kid.tag, str) and not kid.tag.startswith("{"):
                self.add("rss-undefined-element", kid, f"<{kid.tag}> has no namespace; "
                         f"RSS 1.0 elements are in {self.ns}")

    def about(self, elem: Any, name: str) -> None:
        about = elem.get(ABOUT)
        if about is None:
            self.add("rdf-missing-about", elem, f"<{name}> has no rdf:about; RSS 1.0 names "
                     "each resource (the channel's and each item's URL)")
            return
        if name == "item":
            if about in self.abouts:
                self.add("rdf-invalid", elem, f"a second item with rdf:about '{about}' "
                         f"(first on line {self.abouts[about]})", token="rdf:about")
            self.abouts[about] = elem.sourceline

    def references(self, channel: Any, kids: dict[str, list[Any]]) -> None:
        """items holds one rdf:Seq of rdf:li; image and textinput point with rdf:resource."""
        if "items" not in kids:
            self.add("rss-missing-element", channel, "<channel> has no <items>; RSS 1.0 "
                     "lists the items in <items><rdf:Seq><rdf:li rdf:resource=\"...\"/>")
        for items in kids.get("items", []):
            seqs = [k for k in element_children(items) if k.tag == R + "Seq"]
            if len(seqs) != 1 or len(element_children(items)) != 1:
                self.add("rdf-invalid", items, "<items> must hold exactly one <rdf:Seq>")
            for seq in seqs:
                for li in element_children(seq):
                    target = li.get(RESOURCE) or li.get("resource")
                    if li.tag != R + "li" or not target:
                        self.add("rdf-invalid", li, f"<{qname(li)}> in <rdf:Seq>: write "
                                 "<rdf:li rdf:resource=\"the item's rdf:about\"/>")
        for name in ("image", "textinput"):
            for ref in kids.get(name, []):
                if ref.get(RESOURCE) is None:
                    self.add("rdf-invalid", ref, f"<channel><{name}> must point at the "
                             f"{name} with rdf:resource=\"...\"")
                elif element_children(ref) or (ref.text or "").strip():
                    self.add("rdf-invalid", ref, f"<channel><{name} rdf:resource> must be "
                             "empty")
