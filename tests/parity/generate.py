"""Writes the W3C parity corpus: small Atom and RSS documents, each labelled with the
verdict the W3C Feed Validation Service's documentation and the specifications imply.

    .venv/bin/python tests/parity/generate.py

Each document starts with a comment `parity: VERDICT | W3C MESSAGE (severity) | why`,
where VERDICT is what W3C says (valid: no errors, warnings allowed). A case where
feedkit differs on purpose adds `| feedkit: VERDICT (reason)`. The labels come from
W3C's message documentation (validator.w3.org/feed/docs/error|warning/*.html), the
RSS 2.0 specification and RSS Advisory Board profile, RFC 4287, RFC 3339/822 and
RFC 3987, not from what feedkit reports.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent

RSS = """<?xml version="1.0" encoding="utf-8"?>
<!-- parity: {label} -->
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"{ns}>
  <channel>
    <title>Example</title>
    <link>https://example.org/</link>
    <description>An example feed.</description>
    <atom:link rel="self" type="application/rss+xml" href="https://example.org/rss.xml"/>
    <lastBuildDate>Thu, 06 Feb 2020 09:30:00 +0100</lastBuildDate>
{channel}    <item>
      <title>One</title>
      <link>https://example.org/one/</link>
      <description>Text.</description>
      <author>lena@example.org (Lena)</author>
      <guid isPermaLink="false">tag:example.org,2020-02-06:one</guid>
      <pubDate>Thu, 06 Feb 2020 09:30:00 +0100</pubDate>
{item}    </item>
  </channel>
</rss>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<!-- parity: {label} -->
<feed xmlns="http://www.w3.org/2005/Atom"{ns}>
  <id>tag:example.org,2020:feed</id>
  <title>Example</title>
  <updated>2020-02-06T09:30:00+01:00</updated>
  <author><name>Lena</name></author>
  <link rel="self" href="https://example.org/atom.xml"/>
  <link rel="alternate" type="text/html" href="https://example.org/"/>
{feed}  <entry>
    <id>tag:example.org,2020-02-06:one</id>
    <title>One</title>
    <updated>2020-02-06T09:30:00+01:00</updated>
    <link rel="alternate" type="text/html" href="https://example.org/one/"/>
    <summary>Text.</summary>
{entry}  </entry>
</feed>
"""

NAMESPACES = (' xmlns:dc="http://purl.org/dc/elements/1.1/"'
              ' xmlns:content="http://purl.org/rss/1.0/modules/content/"'
              ' xmlns:geo="http://www.w3.org/2003/01/geo/wgs84_pos#"'
              ' xmlns:georss="http://www.georss.org/georss"')
IMAGE = ("    <image>\n      <url>https://example.org/logo.png</url>\n      <title>Example"
         "</title>\n      <link>https://example.org/</link>\n{extra}    </image>\n")
TEXT_INPUT = ("    <textInput>\n      <title>Search</title>\n      <description>Search"
              "</description>\n      <name>q</name>\n      <link>https://example.org/s</link>"
              "\n    </textInput>\n")
CLOUD = ('    <cloud domain="rpc.example.org" port="80" path="/RPC2" '
         'registerProcedure="notify" protocol="xml-rpc"/>\n')
ENCLOSURE = '      <enclosure url="https://example.org/a.mp3" length="1200" type="audio/mpeg"/>\n'
SPEC = "RSS 2.0 specification"


def hours(*values: str) -> str:
    return ("    <skipHours>\n" + "".join(f"      <hour>{v}</hour>\n" for v in values)
            + "    </skipHours>\n")


def days(*values: str) -> str:
    return ("    <skipDays>\n" + "".join(f"      <day>{v}</day>\n" for v in values)
            + "    </skipDays>\n")


# (name, verdict, W3C message and severity, reason, changes). Changes: "channel" and
# "item" (or "feed" and "entry") add lines; "replace" is a list of (old, new) pairs.
RSS_CASES: list[tuple[str, str, str, str, dict[str, object]]] = [
    ("valid-minimal", "valid", "-", "every required element, nothing else", {}),
    ("dup-channel-title", "invalid", "DuplicateElement (error)", f"{SPEC}: one title",
     {"channel": "    <title>Again</title>\n"}),
    ("dup-channel-link", "invalid", "DuplicateElement (error)", f"{SPEC}: one link",
     {"channel": "    <link>https://example.org/2</link>\n"}),
    ("dup-channel-description", "invalid", "DuplicateElement (error)", "one description",
     {"channel": "    <description>Again.</description>\n"}),
    ("dup-channel-language", "invalid", "DuplicateElement (error)", "one language",
     {"channel": "    <language>en</language>\n    <language>sv</language>\n"}),
    ("dup-channel-ttl", "invalid", "DuplicateElement (error)", "one ttl",
     {"channel": "    <ttl>60</ttl>\n    <ttl>30</ttl>\n"}),
    ("dup-channel-lastbuilddate", "invalid", "DuplicateElement (error)", "one lastBuildDate",
     {"channel": "    <lastBuildDate>Fri, 07 Feb 2020 09:30:00 +0100</lastBuildDate>\n"}),
    ("dup-channel-image", "invalid", "DuplicateElement (error)", "one image",
     {"channel": IMAGE.format(extra="") * 2}),
    ("dup-channel-generator", "invalid", "DuplicateElement (error)", "one generator",
     {"channel": "    <generator>a</generator>\n    <generator>b</generator>\n"}),
    ("dup-item-title", "invalid", "DuplicateElement (error)", "an item has one title",
     {"item": "      <title>Again</title>\n"}),
    ("dup-item-link", "invalid", "DuplicateElement (error)", "an item has one link",
     {"item": "      <link>https://example.org/two/</link>\n"}),
    ("dup-item-guid", "invalid", "DuplicateElement (error)", "an item has one guid",
     {"item": '      <guid isPermaLink="false">tag:example.org,2020:x</guid>\n'}),
    ("dup-item-pubdate", "invalid", "DuplicateElement (error)", "an item has one pubDate",
     {"item": "      <pubDate>Fri, 07 Feb 2020 09:30:00 +0100</pubDate>\n"}),
    ("dup-item-description", "invalid", "DuplicateElement (error)", "one description",
     {"item": "      <description>Again.</description>\n"}),
    ("dup-item-author", "invalid", "DuplicateElement (error)", "an item has one author",
     {"item": "      <author>bo@example.org (Bo)</author>\n"}),
    ("dup-item-comments", "invalid", "DuplicateElement (error)", "one comments",
     {"item": "      <comments>https://example.org/c1</comments>\n"
              "      <comments>https://example.org/c2</comments>\n"}),
    ("undefined-channel-element", "invalid", "UndefinedElement (error)",
     "not an RSS 2.0 element and in no namespace", {"channel": "    <foo>bar</foo>\n"}),
    ("undefined-item-element", "invalid", "UndefinedElement (error)",
     "not an RSS 2.0 element and in no namespace", {"item": "      <summary>x</summary>\n"}),
    ("undefined-textinput-case", "invalid", "UndefinedElement (error)",
     "RSS 2.0 spells it textInput", {"channel": TEXT_INPUT.replace("textInput", "textinput")}),
    ("undefined-pubdate-case", "invalid", "UndefinedElement (error)",
     "element names are case-sensitive",
     {"item": "      <pubdate>Thu, 06 Feb 2020 09:30:00 +0100</pubdate>\n"}),
    ("undefined-image-child", "invalid", "UndefinedElement (error)", "image has no caption",
     {"channel": IMAGE.format(extra="      <caption>x</caption>\n")}),
    ("undefined-rss-child", "invalid", "UndefinedElement (error)", "rss holds only channel",
     {"replace": [("  </channel>\n</rss>", "  </channel>\n  <extra/>\n</rss>")]}),
    ("enclosure-no-url", "invalid", "MissingAttribute (error)", f"{SPEC}: url required",
     {"item": '      <enclosure length="1200" type="audio/mpeg"/>\n'}),
    ("enclosure-no-length", "invalid", "MissingAttribute (error)", "length required",
     {"item": '      <enclosure url="https://example.org/a.mp3" type="audio/mpeg"/>\n'}),
    ("enclosure-no-type", "invalid", "MissingAttribute (error)", "type required",
     {"item": '      <enclosure url="https://example.org/a.mp3" length="1200"/>\n'}),
    ("enclosure-bad-length", "invalid", "InvalidIntegerAttribute (error)",
     "length is bytes", {"item": ENCLOSURE.replace('"1200"', '"big"')}),
    ("cloud-no-protocol", "invalid", "MissingAttribute (error)", "cloud has five attributes",
     {"channel": CLOUD.replace(' protocol="xml-rpc"', "")}),
    ("cloud-no-domain", "invalid", "MissingAttribute (error)", "cloud has five attributes",
     {"channel": CLOUD.replace(' domain="rpc.example.org"', "")}),
    ("cloud-no-register", "invalid", "MissingAttribute (error)", "registerProcedure",
     {"channel": CLOUD.replace(' registerProcedure="notify"', "")}),
    ("source-no-url", "invalid", "MissingAttribute (error)", f"{SPEC}: source has url",
     {"item": "      <source>Elsewhere</source>\n"}),
    ("guid-permalink-yes", "invalid", "InvalidBooleanAttribute (error)",
     "isPermaLink is true or false",
     {"replace": [('isPermaLink="false"', 'isPermaLink="yes"')]}),
    ("guid-permalink-not-url", "invalid", "InvalidHttpGUID (error)",
     "a permalink guid is a URL", {"replace": [('<guid isPermaLink="false">', "<guid>")]}),
    ("skiphours-duplicate", "invalid", "DuplicateValue (error)", "each hour once",
     {"channel": hours("3", "4", "3")}),
    ("skipdays-duplicate", "invalid", "DuplicateValue (error)", "each day once",
     {"channel": days("Sunday", "Sunday")}),
    ("skiphours-24", "valid", "UseZeroForMidnight (warning)", "24 is midnight, written 0",
     {"channel": hours("24")}),
    ("skiphours-negative", "invalid", "InvalidHour (error)", "hours are 0-23",
     {"channel": hours("-1")}),
    ("skiphours-word", "invalid", "InvalidHour (error)", "hours are integers",
     {"channel": hours("noon")}),
    ("skipdays-lowercase", "invalid", "InvalidDay (error)", "Monday ... Sunday",
     {"channel": days("sunday")}),
    ("skipdays-abbreviated", "invalid", "InvalidDay (error)", "Monday ... Sunday",
     {"channel": days("Sun")}),
    ("image-width-145", "invalid", "InvalidWidth (error)", f"{SPEC}: width at most 144",
     {"channel": IMAGE.format(extra="      <width>145</width>\n")}),
    ("image-height-401", "invalid", "InvalidHeight (error)", f"{SPEC}: height at most 400",
     {"channel": IMAGE.format(extra="      <height>401</height>\n")}),
    ("image-width-px", "invalid", "InvalidInteger (error)", "width is an integer",
     {"channel": IMAGE.format(extra="      <width>88px</width>\n")}),
    ("image-no-link", "invalid", "MissingElement (error)", "image needs url, title, link",
     {"channel": IMAGE.format(extra="").replace(
         "      <link>https://example.org/</link>\n", "")}),
    ("image-no-url", "invalid", "MissingElement (error)", "image needs url, title, link",
     {"channel": IMAGE.format(extra="").replace(
         "      <url>https://example.org/logo.png</url>\n", "")}),
    ("ttl-word", "invalid", "InvalidInteger (error)", "ttl is minutes",
     {"channel": "    <ttl>sixty</ttl>\n"}),
    ("ttl-decimal", "invalid", "InvalidInteger (error)", "ttl is a whole number",
     {"channel": "    <ttl>1.5</ttl>\n"}),
    ("language-name", "invalid", "InvalidLanguage (error)", "a code, not a name",
     {"channel": "    <language>english</language>\n"}),
    ("language-underscore", "invalid", "InvalidLanguage (error)", "RFC 1766 uses -",
     {"channel": "    <language>en_US</language>\n"}),
    ("language-unknown", "invalid", "InvalidLanguage (error)", "no ISO 639 code zz",
     {"channel": "    <language>zz</language>\n"}),
    ("geo-lat-91", "invalid", "InvalidLatitude (error)", "latitude is -90..90",
     {"item": "      <geo:lat>91</geo:lat>\n      <geo:long>18</geo:long>\n"}),
    ("geo-long-200", "invalid", "InvalidLongitude (error)", "longitude is -180..180",
     {"item": "      <geo:lat>59</geo:lat>\n      <geo:long>200</geo:long>\n"}),
    ("geo-lat-word", "invalid", "InvalidLatitude (error)", "latitude is a number",
     {"item": "      <geo:lat>north</geo:lat>\n      <geo:long>18</geo:long>\n"}),
    ("textinput-no-name", "invalid", "MissingElement (error)", "textInput has four parts",
     {"channel": TEXT_INPUT.replace("      <name>q</name>\n", "")}),
    ("textinput-no-link", "invalid", "MissingElement (error)", "textInput has four parts",
     {"channel": TEXT_INPUT.replace("      <link>https://example.org/s</link>\n", "")}),
    ("channel-no-title", "invalid", "MissingElement (error)", f"{SPEC}: title required",
     {"replace": [("    <title>Example</title>\n", "")]}),
    ("channel-no-link", "invalid", "MissingElement (error)", f"{SPEC}: link required",
     {"replace": [("    <link>https://example.org/</link>\n", "")]}),
    ("channel-no-description", "invalid", "MissingElement (error)", "description required",
     {"replace": [("    <description>An example feed.</description>\n", "")]}),
    ("pubdate-iso8601", "invalid", "InvalidRFC2822Date (error)", "RFC 822, not ISO 8601",
     {"replace": [("<pubDate>Thu, 06 Feb 2020 09:30:00 +0100",
                   "<pubDate>2020-02-06T09:30:00+01:00")]}),
    ("pubdate-wrong-weekday", "invalid", "IncorrectDOW (error)", "6 Feb 2020 was a Thursday",
     {"replace": [("<pubDate>Thu,", "<pubDate>Mon,")]}),
    ("pubdate-words", "invalid", "InvalidRFC2822Date (error)", "not a date",
     {"replace": [("<pubDate>Thu, 06 Feb 2020 09:30:00 +0100", "<pubDate>yesterday")]}),
    ("lastbuilddate-no-time", "invalid", "InvalidRFC2822Date (error)", "time is required",
     {"replace": [("<lastBuildDate>Thu, 06 Feb 2020 09:30:00 +0100",
                   "<lastBuildDate>Thu, 06 Feb 2020")]}),
    ("editor-name-only", "invalid", "InvalidContact (error)", "must be an email address",
     {"channel": "    <managingEditor>Lena Liljendahl</managingEditor>\n"}),
    ("author-at-word", "invalid", "InvalidContact (error)", "must be an email address",
     {"replace": [("<author>lena@example.org (Lena)", "<author>lena at example.org")]}),
    ("link-relative", "invalid", "InvalidURLAttribute/InvalidFullLink (error)",
     "link must be a full URL",
     {"replace": [("<link>https://example.org/one/", "<link>/one/")]}),
    ("item-empty", "invalid", "ItemMustContainTitleOrDescription (error)",
     "an item has a title or a description",
     {"replace": [("      <title>One</title>\n", ""),
                  ("      <description>Text.</description>\n", "")]}),
    ("no-channel", "invalid", "MissingElement (error)", "rss contains a channel",
     {"replace": [("  <channel>\n", ""), ("  </channel>\n", "")]}),
    ("undefined-entity", "invalid", "UndefinedNamedEntity (error)", "XML defines five",
     {"replace": [("<description>Text.</description>",
                   "<description>caf&eacute;</description>")]}),
    ("unclosed-tag", "invalid", "SAXError (error)", "not well-formed",
     {"replace": [("<title>One</title>", "<title>One</tilte>")]}),
    # Valid: what W3C accepts, or only warns about.
    ("valid-html-escaped", "valid", "-", "escaped HTML is what a description holds",
     {"replace": [("<description>Text.</description>",
                   "<description>&lt;p&gt;Text &lt;b&gt;bold&lt;/b&gt;.&lt;/p&gt;"
                   "</description>")]}),
    ("valid-html-cdata", "valid", "-", "CDATA HTML in a description",
     {"replace": [("<description>Text.</description>",
                   '<description><![CDATA[<p>An <a href="https://example.org/">link'
                   '</a><img src="https://example.org/a.png" alt=""/></p>]]></description>')]}),
    ("valid-html-relative-ref", "valid", "ContainsRelRef (warning)",
     "relative links in description HTML are a warning",
     {"replace": [("<description>Text.</description>",
                   '<description>&lt;a href="/two/"&gt;two&lt;/a&gt;</description>')]}),
    ("valid-html-iframe", "valid", "SecurityRisk (warning)", "embedded content: a warning",
     {"replace": [("<description>Text.</description>",
                   '<description>&lt;iframe src="https://example.org/v"&gt;&lt;/iframe&gt;'
                   "</description>")]}),
    ("valid-html-script", "valid", "SecurityRisk (warning)", "W3C only warns about script",
     {"replace": [("<description>Text.</description>",
                   "<description>&lt;script&gt;alert(1)&lt;/script&gt;</description>")]}),
    ("valid-html-onerror", "valid", "SecurityRiskAttr (warning)", "W3C only warns",
     {"replace": [("<description>Text.</description>",
                   '<description>&lt;img src="x" onerror="alert(1)"&gt;</description>')]}),
    ("valid-title-html", "valid", "ContainsHTML (warning)", "HTML in a title is a warning",
     {"replace": [("<title>One</title>", "<title>One &lt;b&gt;bold&lt;/b&gt;</title>")]}),
    ("valid-date-double-space", "valid", "ProblematicalRFC822Date (warning)",
     "readable, not conforming", {"replace": [("<pubDate>Thu, 06 Feb", "<pubDate>Thu,  06 Feb")]}),
    ("valid-date-lowercase", "valid", "ProblematicalRFC822Date (warning)",
     "readable, not conforming",
     {"replace": [("<pubDate>Thu, 06 Feb", "<pubDate>thu, 06 feb")]}),
    ("valid-date-full-day", "valid", "ProblematicalRFC822Date (warning)",
     "readable, not conforming", {"replace": [("<pubDate>Thu,", "<pubDate>Thursday,")]}),
    ("valid-date-utc", "valid", "ProblematicalRFC822Date (warning)", "UTC for UT",
     {"replace": [("<pubDate>Thu, 06 Feb 2020 09:30:00 +0100",
                   "<pubDate>Thu, 06 Feb 2020 08:30:00 UTC")]}),
    ("valid-date-one-digit-day", "valid", "-", "RFC 822 allows a one-digit day",
     {"replace": [("<pubDate>Thu, 06 Feb", "<pubDate>Thu, 6 Feb")]}),
    ("valid-date-no-seconds", "valid", "-", "RFC 822 seconds are optional",
     {"replace": [("<pubDate>Thu, 06 Feb 2020 09:30:00", "<pubDate>Thu, 06 Feb 2020 09:30")]}),
    ("valid-date-gmt", "valid", "-", "GMT is an RFC 822 zone",
     {"replace": [("<pubDate>Thu, 06 Feb 2020 09:30:00 +0100",
                   "<pubDate>Thu, 06 Feb 2020 08:30:00 GMT")]}),
    ("valid-date-no-weekday", "valid", "-", "the day name is optional",
     {"replace": [("<pubDate>Thu, 06 Feb", "<pubDate>06 Feb")]}),
    ("valid-contact-name-after", "valid", "-", "addr (Name)",
     {"channel": "    <managingEditor>lena@example.org (Lena L)</managingEditor>\n"}),
    ("valid-contact-angle", "valid", "-", "Name <addr> is RFC 2822",
     {"channel": "    <webMaster>Web Team &lt;web@example.org&gt;</webMaster>\n"}),
    ("valid-contact-no-space", "valid", "-", "addr(Name)",
     {"replace": [("<author>lena@example.org (Lena)", "<author>lena@example.org(Lena)")]}),
    ("valid-contact-bare", "valid", "MissingRealName (warning)", "an address alone warns",
     {"replace": [("<author>lena@example.org (Lena)", "<author>lena@example.org")]}),
    ("valid-contact-plus", "valid", "-", "+ is allowed in an address",
     {"replace": [("<author>lena@example.org (Lena)", "<author>lena+rss@example.org (Lena)")]}),
    ("valid-categories", "valid", "-", "category may repeat",
     {"item": "      <category>a</category>\n      <category domain=\"x\">b</category>\n"}),
    ("valid-skiphours", "valid", "-", "distinct hours 0-23",
     {"channel": hours("0", "12", "23")}),
    ("valid-skipdays", "valid", "-", "every day once",
     {"channel": days("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
                      "Sunday")}),
    ("valid-image-limits", "valid", "-", "width 144, height 400",
     {"channel": IMAGE.format(extra="      <width>144</width>\n      <height>400</height>\n"
                                    "      <description>Logo</description>\n")}),
    ("valid-ttl-zero", "valid", "-", "ttl 0", {"channel": "    <ttl>0</ttl>\n"}),
    ("valid-language-region", "valid", "-", "en-us",
     {"channel": "    <language>en-us</language>\n"}),
    ("valid-language-sv", "valid", "-", "sv", {"channel": "    <language>sv</language>\n"}),
    ("valid-language-pt-br", "valid", "-", "pt-BR",
     {"channel": "    <language>pt-BR</language>\n"}),
    ("valid-geo", "valid", "-", "in range",
     {"item": "      <geo:lat>-90</geo:lat>\n      <geo:long>180</geo:long>\n"
              "      <georss:point>59.33 18.06</georss:point>\n"}),
    ("valid-extensions", "valid", "-", "namespaced extensions are allowed",
     {"item": "      <dc:creator>Lena</dc:creator>\n"
              "      <content:encoded><![CDATA[<p>Full</p>]]></content:encoded>\n"}),
    ("valid-guid-permalink", "valid", "-", "a URL guid as permalink",
     {"replace": [('<guid isPermaLink="false">tag:example.org,2020-02-06:one',
                   "<guid>https://example.org/one/")]}),
    ("valid-enclosure-zero", "valid", "-", "length 0 when unknown",
     {"item": ENCLOSURE.replace('"1200"', '"0"')}),
    ("valid-two-enclosures", "valid", "DuplicateEnclosure (warning)", "a warning only",
     {"item": ENCLOSURE + ENCLOSURE.replace("a.mp3", "b.mp3")}),
    ("valid-no-guid", "valid", "MissingGuid (warning)", "recommended, not required",
     {"replace": [('      <guid isPermaLink="false">tag:example.org,2020-02-06:one</guid>\n',
                   "")]}),
    ("valid-no-self", "valid", "MissingAtomSelfLink (warning)", "recommended",
     {"replace": [('    <atom:link rel="self" type="application/rss+xml" '
                   'href="https://example.org/rss.xml"/>\n', "")]}),
    ("valid-cloud", "valid", "-", "all five attributes", {"channel": CLOUD}),
    ("valid-textinput", "valid", "-", "all four parts", {"channel": TEXT_INPUT}),
    ("valid-source", "valid", "-", "source with url",
     {"item": '      <source url="https://example.net/rss.xml">Elsewhere</source>\n'}),
    ("valid-comments", "valid", "-", "comments URL",
     {"item": "      <comments>https://example.org/one/#comments</comments>\n"}),
    ("valid-item-description-only", "valid", "-", "title or description",
     {"replace": [("      <title>One</title>\n", "")]}),
    ("valid-item-title-only", "valid", "-", "title or description",
     {"replace": [("      <description>Text.</description>\n", "")]}),
    ("valid-channel-optional", "valid", "-", "optional channel elements",
     {"channel": "    <copyright>2020 Example</copyright>\n"
                 "    <docs>https://www.rssboard.org/rss-specification</docs>\n"
                 "    <generator>feedkit</generator>\n"
                 "    <pubDate>Thu, 06 Feb 2020 09:30:00 +0100</pubDate>\n"
                 "    <category>news</category>\n    <category>misc</category>\n"}),
    ("valid-empty-channel", "valid", "-", "items are optional",
     {"replace": [("    <item>\n", "    <!--\n"), ("    </item>\n", "    -->\n")]}),
    ("valid-two-items", "valid", "-", "distinct guids",
     {"replace": [("    </item>\n", "    </item>\n    <item>\n      <title>Two</title>\n"
                   "      <guid isPermaLink=\"false\">tag:example.org,2020:two</guid>\n"
                   "    </item>\n")]}),
]


ATOM_CASES: list[tuple[str, str, str, str, dict[str, object]]] = [
    ("valid-minimal", "valid", "-", "RFC 4287 required elements", {}),
    ("feed-no-id", "invalid", "MissingElement (error)", "RFC 4287 4.1.1",
     {"replace": [("  <id>tag:example.org,2020:feed</id>\n", "")]}),
    ("feed-no-title", "invalid", "MissingElement (error)", "RFC 4287 4.1.1",
     {"replace": [("  <title>Example</title>\n", "")]}),
    ("feed-no-updated", "invalid", "MissingElement (error)", "RFC 4287 4.1.1",
     {"replace": [("  <updated>2020-02-06T09:30:00+01:00</updated>\n  <author>",
                   "  <author>")]}),
    ("entry-no-id", "invalid", "MissingElement (error)", "RFC 4287 4.1.2",
     {"replace": [("    <id>tag:example.org,2020-02-06:one</id>\n", "")]}),
    ("entry-no-title", "invalid", "MissingElement (error)", "RFC 4287 4.1.2",
     {"replace": [("    <title>One</title>\n", "")]}),
    ("entry-no-updated", "invalid", "MissingElement (error)", "RFC 4287 4.1.2",
     {"replace": [("    <updated>2020-02-06T09:30:00+01:00</updated>\n    <link", "    <link")]}),
    ("no-author-anywhere", "invalid", "MissingElement (error)", "RFC 4287 4.1.1: author",
     {"replace": [("  <author><name>Lena</name></author>\n", "")]}),
    ("dup-feed-title", "invalid", "DuplicateElement (error)", "one title",
     {"feed": "  <title>Again</title>\n"}),
    ("dup-feed-updated", "invalid", "DuplicateElement (error)", "one updated",
     {"feed": "  <updated>2020-02-07T09:30:00+01:00</updated>\n"}),
    ("dup-entry-id", "invalid", "DuplicateElement (error)", "one id",
     {"entry": "    <id>tag:example.org,2020:again</id>\n"}),
    ("dup-entry-summary", "invalid", "DuplicateElement (error)", "one summary",
     {"entry": "    <summary>Again.</summary>\n"}),
    ("date-no-time", "invalid", "InvalidRFC3339Date (error)", "RFC 3339 date-time",
     {"replace": [("  <updated>2020-02-06T09:30:00+01:00</updated>\n  <author>",
                   "  <updated>2020-02-06</updated>\n  <author>")]}),
    ("date-no-offset", "invalid", "InvalidRFC3339Date (error)", "RFC 3339 needs an offset",
     {"replace": [("    <updated>2020-02-06T09:30:00+01:00</updated>\n    <link",
                   "    <updated>2020-02-06T09:30:00</updated>\n    <link")]}),
    ("date-rfc822", "invalid", "InvalidRFC3339Date (error)", "not RFC 822 in Atom",
     {"replace": [("    <updated>2020-02-06T09:30:00+01:00</updated>\n    <link",
                   "    <updated>Thu, 06 Feb 2020 09:30:00 +0100</updated>\n    <link")]}),
    ("date-whitespace", "invalid", "UnexpectedWhitespace (error)", "dates on one line",
     {"replace": [("    <updated>2020-02-06T09:30:00+01:00</updated>\n    <link",
                   "    <updated>\n      2020-02-06T09:30:00+01:00\n    </updated>\n    <link")]}),
    ("id-whitespace-around", "invalid", "UnexpectedWhitespace (error)", "no whitespace in ids",
     {"replace": [("  <id>tag:example.org,2020:feed</id>",
                   "  <id>\n    tag:example.org,2020:feed\n  </id>")]}),
    ("id-space-inside", "invalid", "UnexpectedWhitespace (error)", "no whitespace in IRIs",
     {"replace": [("<id>tag:example.org,2020-02-06:one</id>",
                   "<id>tag:example.org,2020-02-06:one two</id>")]}),
    ("href-space", "invalid", "UnexpectedWhitespace (error)", "no whitespace in IRIs",
     {"replace": [('href="https://example.org/one/"', 'href="https://example.org/one two/"')]}),
    ("href-brace", "invalid", "InvalidIRI (error)", "RFC 3987: { is not allowed",
     {"replace": [('href="https://example.org/one/"', 'href="https://example.org/{one}/"')]}),
    ("href-backslash", "invalid", "InvalidIRI (error)", "RFC 3987: \\ is not allowed",
     {"replace": [('href="https://example.org/one/"', 'href="https://example.org\\one/"')]}),
    ("id-pipe", "invalid", "InvalidIRI (error)", "RFC 3987: | is not allowed",
     {"replace": [("<id>tag:example.org,2020-02-06:one</id>",
                   "<id>tag:example.org,2020-02-06:a|b</id>")]}),
    ("href-bad-percent", "invalid", "InvalidIRI (error)", "% starts two hex digits",
     {"replace": [('href="https://example.org/one/"', 'href="https://example.org/100%/"')]}),
    ("id-not-absolute", "invalid", "InvalidFullLink/InvalidIRI (error)", "ids are absolute",
     {"replace": [("<id>tag:example.org,2020-02-06:one</id>", "<id>one</id>")]}),
    ("link-no-href", "invalid", "MissingAttribute (error)", "RFC 4287 4.2.7.1",
     {"entry": '    <link rel="related"/>\n'}),
    ("link-rel-with-space", "invalid", "InvalidLinkRelation (error)", "one rel per link",
     {"entry": '    <link rel="related self" href="https://example.org/x"/>\n'}),
    ("link-rel-path", "valid", "UnregisteredAtomLinkRel (warning)",
     "a rel that is not registered is only warned about",
     {"entry": '    <link rel="rel/ated" href="https://example.org/x"/>\n'}),
    ("dup-alternate", "invalid", "DuplicateAtomLink (error)",
     "RFC 4287 4.1.1: one alternate per type and hreflang",
     {"entry": '    <link rel="alternate" type="text/html" href="https://example.org/1b/"/>\n'}),
    ("dup-alternate-default-rel", "invalid", "DuplicateAtomLink (error)",
     "rel defaults to alternate",
     {"entry": '    <link type="text/html" href="https://example.org/1b/"/>\n'}),
    ("dup-alternate-case", "invalid", "DuplicateAtomLink (error)",
     "media types compare case-insensitively",
     {"entry": '    <link rel="alternate" type="TEXT/HTML" href="https://example.org/1b/"/>\n'}),
    ("dup-alternate-feed", "invalid", "DuplicateAtomLink (error)", "also at feed level",
     {"feed": '  <link rel="alternate" type="text/html" href="https://example.org/b/"/>\n'}),
    ("link-type-bad", "invalid", "InvalidMIMEType (error)", "type is a media type",
     {"entry": '    <link rel="related" type="html" href="https://example.org/x"/>\n'}),
    ("link-hreflang-bad", "invalid", "InvalidLanguage (error)", "hreflang is a tag",
     {"entry": '    <link rel="related" hreflang="en_US" href="https://example.org/x"/>\n'}),
    ("link-length-bad", "invalid", "InvalidNonNegativeInteger (error)", "length in bytes",
     {"entry": '    <link rel="enclosure" length="big" type="audio/mpeg" '
               'href="https://example.org/a.mp3"/>\n'}),
    ("text-type-bad", "invalid", "InvalidTextType (error)", "text, html or xhtml",
     {"replace": [("<summary>Text.</summary>", '<summary type="plain">Text.</summary>')]}),
    ("content-src-not-empty", "invalid", "NotBlank (error)", "RFC 4287 4.1.3.2",
     {"entry": '    <content type="text/html" src="https://example.org/one/">x</content>\n'}),
    ("content-multipart", "invalid", "InvalidMIMEType (error)", "not a composite type",
     {"entry": '    <content type="multipart/mixed">eA==</content>\n'}),
    ("no-content-no-alternate", "invalid", "MissingAlternateLink (error)", "RFC 4287 4.1.1",
     {"replace": [('    <link rel="alternate" type="text/html" '
                   'href="https://example.org/one/"/>\n', "")]}),
    ("content-src-no-summary", "invalid", "MissingSummary (error)", "RFC 4287 4.1.1.1",
     {"replace": [("    <summary>Text.</summary>\n",
                   '    <content type="video/mp4" src="https://example.org/v.mp4"/>\n')]}),
    ("email-bad", "invalid", "InvalidAddrSpec (error)", "addr-spec only",
     {"feed": "  <contributor><name>Bo</name><email>Bo (bo@example.org)</email>"
              "</contributor>\n"}),
    ("person-no-name", "invalid", "MissingElement (error)", "a person has a name",
     {"entry": "    <contributor><email>bo@example.org</email></contributor>\n"}),
    ("category-no-term", "invalid", "MissingAttribute (error)", "category term",
     {"entry": '    <category scheme="https://example.org/tags"/>\n'}),
    ("lang-underscore", "invalid", "InvalidLanguage (error)", "xml:lang is RFC 3066",
     {"replace": [('<feed xmlns="http://www.w3.org/2005/Atom"',
                   '<feed xml:lang="en_US" xmlns="http://www.w3.org/2005/Atom"')]}),
    ("atom03-namespace", "invalid", "obsolete namespace (error)", "Atom 0.3 is not Atom 1.0",
     {"replace": [("http://www.w3.org/2005/Atom", "http://purl.org/atom/ns#")]}),
    ("xhtml-no-div", "invalid", "MissingXhtmlDiv (error)", "RFC 4287 3.1.1.3",
     {"replace": [("<summary>Text.</summary>", '<summary type="xhtml">Text.</summary>')]}),
    ("text-with-elements", "invalid", "element in text construct (error)",
     "type text holds no elements",
     {"replace": [("<summary>Text.</summary>",
                   '<summary>Text <b xmlns="">bold</b>.</summary>')]}),
    ("uri-space", "invalid", "UnexpectedWhitespace (error)", "no whitespace in IRIs",
     {"feed": "  <contributor><name>Bo</name><uri>https://example.org/b o/</uri>"
              "</contributor>\n"}),
    ("icon-brace", "invalid", "InvalidIRI (error)", "RFC 3987",
     {"feed": "  <icon>https://example.org/{icon}.png</icon>\n"}),
    ("unknown-atom-element", "invalid", "UndefinedElement (error)", "not in RFC 4287",
     {"entry": "    <modified>2020-02-06T09:30:00+01:00</modified>\n"}),
    ("malformed", "invalid", "SAXError (error)", "not well-formed",
     {"replace": [("<title>One</title>", "<title>One</titel>")]}),
    # Valid
    ("valid-entry-authors", "valid", "-", "authors on every entry instead of the feed",
     {"replace": [("  <author><name>Lena</name></author>\n", "")],
      "entry": "    <author><name>Bo</name></author>\n"}),
    ("valid-xhtml", "valid", "-", "one xhtml div",
     {"entry": '    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Hi'
               "</p></div></content>\n"}),
    ("valid-content-src", "valid", "-", "src, type and summary",
     {"entry": '    <content type="video/mp4" src="https://example.org/v.mp4"/>\n'}),
    ("valid-alternate-languages", "valid", "-", "alternates differ by hreflang",
     {"entry": '    <link rel="alternate" type="text/html" hreflang="sv" '
               'href="https://example.org/sv/one/"/>\n'}),
    ("valid-alternate-types", "valid", "-", "alternates differ by type",
     {"entry": '    <link rel="alternate" type="application/pdf" '
               'href="https://example.org/one.pdf"/>\n'}),
    ("valid-rel-iri", "valid", "-", "an absolute IRI rel",
     {"entry": '    <link rel="https://example.org/rels/review" '
               'href="https://example.org/r"/>\n'}),
    ("valid-rel-registered", "valid", "-", "related, enclosure, via",
     {"entry": '    <link rel="related" href="https://example.org/r"/>\n'
               '    <link rel="enclosure" type="audio/mpeg" length="100" '
               'href="https://example.org/a.mp3"/>\n'
               '    <link rel="via" href="https://example.net/"/>\n'}),
    ("valid-iri-unicode", "valid", "-", "RFC 3987 allows non-ASCII",
     {"entry": '    <link rel="related" href="https://example.org/smörgås/"/>\n'}),
    ("valid-iri-percent", "valid", "-", "percent-encoding",
     {"entry": '    <link rel="related" href="https://example.org/a%20b/?q=%C3%A4"/>\n'}),
    ("valid-urn-uuid", "valid", "-", "urn:uuid ids",
     {"replace": [("<id>tag:example.org,2020-02-06:one</id>",
                   "<id>urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6</id>")]}),
    ("valid-html-summary", "valid", "-", "escaped HTML with type html",
     {"replace": [("<summary>Text.</summary>",
                   '<summary type="html">&lt;p&gt;Text.&lt;/p&gt;</summary>')]}),
    ("valid-fraction-seconds", "valid", "-", "RFC 3339 fractions",
     {"replace": [("    <updated>2020-02-06T09:30:00+01:00</updated>\n    <link",
                   "    <updated>2020-02-06T09:30:00.25Z</updated>\n    <link")]}),
    ("valid-lang", "valid", "-", "xml:lang sv-SE",
     {"replace": [('<feed xmlns="http://www.w3.org/2005/Atom"',
                   '<feed xml:lang="sv-SE" xmlns="http://www.w3.org/2005/Atom"')]}),
    ("valid-extension", "valid", "-", "foreign markup",
     {"entry": '    <ex:rating xmlns:ex="https://example.org/ns">5</ex:rating>\n'}),
    ("valid-source", "valid", "-", "source with author",
     {"entry": "    <source><id>tag:example.net,2020:f</id><title>Elsewhere</title>"
               "<updated>2020-02-01T00:00:00Z</updated></source>\n"}),
    ("valid-category-scheme", "valid", "-", "term with scheme and label",
     {"entry": '    <category term="x" scheme="https://example.org/tags" label="X"/>\n'}),
    ("valid-no-self", "valid", "MissingSelf (warning)", "recommended",
     {"replace": [('  <link rel="self" href="https://example.org/atom.xml"/>\n', "")]}),
    ("valid-xml-base", "valid", "-", "relative href under xml:base",
     {"entry": '    <link rel="related" xml:base="https://example.org/" href="two/"/>\n'}),
    ("valid-relative-href", "valid", "-", "relative to the document (W3C accepts)",
     {"entry": '    <link rel="related" href="/two/"/>\n'}),
    ("valid-html-script", "valid", "SecurityRisk (warning)", "a warning in Atom content",
     {"entry": '    <content type="html">&lt;script&gt;x()&lt;/script&gt;</content>\n'}),
    ("valid-published", "valid", "-", "published and updated",
     {"entry": "    <published>2020-02-05T09:30:00+01:00</published>\n"}),
    ("valid-contributor", "valid", "-", "contributor with email and uri",
     {"entry": "    <contributor><name>Bo</name><email>bo@example.org</email>"
               "<uri>https://example.org/bo</uri></contributor>\n"}),
    ("valid-generator", "valid", "-", "generator with uri and version",
     {"feed": '  <generator uri="https://example.org/gen" version="1.0">gen</generator>\n'}),
    ("valid-icon-logo", "valid", "-", "icon and logo IRIs",
     {"feed": "  <icon>https://example.org/i.png</icon>\n"
              "  <logo>https://example.org/l.png</logo>\n"}),
    ("valid-rights-subtitle", "valid", "-", "text constructs",
     {"feed": '  <rights>© 2020</rights>\n  <subtitle type="html">&lt;b&gt;Hi&lt;/b&gt;'
              "</subtitle>\n"}),
    ("valid-geo", "valid", "-", "in range",
     {"entry": "    <georss:point>-33.9 151.2</georss:point>\n"}),
    ("valid-two-entries", "valid", "-", "distinct ids",
     {"replace": [("  </entry>\n", "  </entry>\n  <entry>\n    <id>tag:example.org,2020:two"
                   "</id>\n    <title>Two</title>\n    <updated>2020-02-07T09:30:00Z</updated>\n"
                   '    <content>Two.</content>\n  </entry>\n')]}),
    ("valid-content-text", "valid", "-", "inline text content, no alternate needed",
     {"replace": [('    <link rel="alternate" type="text/html" '
                   'href="https://example.org/one/"/>\n', "")],
      "entry": "    <content>Full text.</content>\n"}),
]


def render(template: str, label: str, changes: dict[str, object], slots: tuple[str, str]
           ) -> str:
    text = template.format(label=label, ns=NAMESPACES, **{
        slot: str(changes.get(slot, "")) for slot in slots})
    for old, new in changes.get("replace", []):  # type: ignore[attr-defined]
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def main() -> None:
    for folder, template, cases, slots in (
        ("rss", RSS, RSS_CASES, ("channel", "item")),
        ("atom", ATOM, ATOM_CASES, ("feed", "entry")),
    ):
        target = HERE / folder
        target.mkdir(exist_ok=True)
        for old in target.glob("*.xml"):
            old.unlink()
        for number, (name, verdict, w3c, why, changes) in enumerate(cases, start=1):
            label = f"{verdict} | W3C {w3c} | {why}"
            if "feedkit" in changes:
                label += f" | feedkit: {changes['feedkit']}"
            text = render(template, label.replace("--", "- -"), changes, slots)
            (target / f"{number:03d}-{name}.xml").write_text(text, encoding="utf-8")
        print(f"{folder}: {len(cases)} documents")


if __name__ == "__main__":
    main()
