"""URIs, their schemes, Atom link relations and e-mail addresses: which values are
wrong (an error) and which are only unusual (a warning, as the W3C validator has it:
an unregistered scheme or link relation, a host without a dot, an address not in
the recommended `address (Name)` form)."""

from __future__ import annotations

import re

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
# IANA's URI scheme registry (permanent ones and the provisional ones feeds use).
IANA_SCHEMES = frozenset("""
aaa aaas about acap acct acr afp afs aim appdata apt attachment aw barion beshare bitcoin
blob bolo callto cap chrome chrome-extension cid coap coaps content crid cvs data dav dict
dis dlna-playcontainer dlna-playsingle dns dntp doi dtn dvb ed2k example facetime fax feed
feedready file filesystem finger fish ftp gemini geo gg git gizmoproject go gopher graph
gtalk h323 ham hcp http https hxxp hxxps hydrazone iax icap icon im imap info iotdisco ipn
ipp ipps irc irc6 ircs iris iris.beep iris.lwz iris.xpc iris.xpcs isostore itms jabber jar
jms keyparc lastfm ldap ldaps lvlt magnet mailserver mailto maps market message mid mms
modem mongodb moz ms-access ms-help mtqp mumble mupdate mvn news nfs ni nih nntp notes ocf
oid opaquelocktoken openpgp4fpr pack palm paparazzi pkcs11 platform pop pres prospero proxy
psyc pwid qb query redis rediss reload res resource rmi rsync rtmfp rtmp rtsp rtsps rtspu
secondlife service session sftp sgn shttp sieve sip sips skype smb sms smtp snews snmp
soap.beep soap.beeps soldat spotify ssh steam stun stuns svn tag teamspeak tel teliaeid
telnet tftp things thismessage tip tn3270 tool turn turns tv udp unreal urn ut2004 v-event
vemmi ventrilo videotex view-source vnc wais webcal ws wss wtai wyciwyg xcon xcon-userid
xfire xmlrpc.beep xmlrpc.beeps xmpp xri ymsgr z39.50 z39.50r z39.50s
""".split())
# The IANA link relation registry (RFC 8288) and the names RFC 4287, 5005 and 4685 add.
IANA_RELATIONS = frozenset("""
about acl alternate amphtml appendix apple-touch-icon apple-touch-startup-image archives
author blocked-by bookmark canonical chapter cite-as collection contents convertedfrom
copyright create-form current describedby describes disclosure dns-prefetch duplicate edit
edit-form edit-media enclosure external first glossary help hosts hub icon index
intervalafter intervalbefore intervalcontains intervaldisjoint intervalduring
intervalequals intervalfinishedby intervalfinishes intervalin intervalmeets intervalmetby
intervaloverlappedby intervaloverlaps intervalstartedby intervalstarts item last
latest-version license linkset lrdd manifest mask-icon me media-feed memento micropub
modulepreload monitor monitor-group next next-archive nofollow noopener noreferrer opener
openid2.local_id openid2.provider original payment pingback preconnect predecessor-version
prefetch preload prerender prev prev-archive preview previous privacy-policy profile
publication related replies restconf root search section self service service-desc
service-doc service-meta sip-trunking-group sponsored start status stylesheet subsection
successor-version sunset tag terms-of-service timegate timemap type ugc up version-history
via webmention working-copy working-copy-of
""".split())
_ADDRESS = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
                      r"|\[[0-9A-Fa-f.:]+\])")
# The recommended form (RSS profile), and the name <address> form RFC 2822 has.
_RECOMMENDED = re.compile(rf"^{_ADDRESS.pattern}(?:\s*\([^()]*\))?$")
_ANGLED = re.compile(rf"^[^<>@]*<{_ADDRESS.pattern}>$")


def scheme(uri: str) -> str | None:
    """The scheme of an absolute URI, lower-cased; None for a relative reference."""
    found = _SCHEME.match(uri)
    return found.group(1).lower() if found else None


def unregistered_scheme(uri: str) -> str | None:
    """The scheme of `uri` when IANA has not registered it (a warning), else None."""
    name = scheme(uri)
    return name if name is not None and name not in IANA_SCHEMES else None


_FULL = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):(//)?(\S*)\Z")


def is_full_url(uri: str) -> bool:
    """An absolute URI: a scheme, then something (for http and https, // and a host),
    and no whitespace."""
    found = _FULL.match(uri)
    if found is None:
        return False
    name, slashes, rest = found.groups()
    if name.lower() in ("http", "https"):
        return bool(slashes and rest)
    return bool(slashes or rest)


# RFC 3986: the characters a URI may hold (a % must start an escape, checked apart).
_URI_BAD = re.compile(r"[^A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]|%(?![0-9A-Fa-f]{2})")
# An HTML form control's name, as RSS's textInput name is: a letter, then letters,
# digits, '_', '-', '.' and ':'.
_FORM_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_:.\-]*$")


def uri_problem(uri: str, *, iri: bool = False) -> str | None:
    """The first character RFC 3986 does not allow in a URI (or a bad % escape), or
    None; with `iri`, characters beyond ASCII are allowed (RFC 3987)."""
    if _URI_BAD.search(uri) is None:
        return None
    for found in _URI_BAD.finditer(uri):
        char = found.group()
        if iri and char > "\x7f" and not ("\ud800" <= char <= "\udfff"):
            continue
        if char == "%":
            return f"'%' not followed by two hex digits at position {found.start() + 1}"
        return f"{char!r} (U+{ord(char):04X}) at position {found.start() + 1}"
    return None


def is_form_name(text: str) -> bool:
    """A name an HTML form control may have (RSS textInput's name)."""
    return bool(_FORM_NAME.match(text))


def is_base64(text: str) -> bool:
    """Base64 (RFC 4648) with whitespace between the groups allowed, as in MIME."""
    import base64
    import binascii

    packed = "".join(text.split())
    if len(packed) % 4:
        return False
    try:
        base64.b64decode(packed, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
# RFC 4151: tag:authority,date:specific, the authority a domain name or an address.
_TAG = re.compile(rf"(?i:tag):(?:{_LABEL}(?:\.{_LABEL})*|[^@\s,:]+@{_LABEL}(?:\.{_LABEL})*)"
                  r",(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?:[^#]*(?:#.*)?\Z", re.S)
# RFC 8141: urn:NID:NSS; urn:uuid: holds an RFC 4122 UUID.
_URN = re.compile(r"(?i:urn):([A-Za-z0-9][A-Za-z0-9-]{0,30}[A-Za-z0-9]):(\S+)\Z")
_UUID = re.compile(r"[0-9A-Fa-f]{8}(-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}\Z")


def id_syntax(uri: str) -> str | None:
    """What is wrong with a tag: or urn: identifier's syntax (RFC 4151, RFC 8141, RFC
    4122 for urn:uuid:), or None; other schemes are not looked at."""
    name = scheme(uri)
    if name == "tag":
        found = _TAG.match(uri)
        if found is None:
            return "a tag: URI is tag:authority,date:name (tag:example.org,2020-02-06:post)"
        month, day = found.group(2), found.group(3)
        if (month and not 1 <= int(month) <= 12) or (day and not 1 <= int(day) <= 31):
            return f"the tag: URI's date {uri.split(',', 1)[1].split(':', 1)[0]} is no date"
    elif name == "urn":
        found = _URN.match(uri)
        if found is None:
            return "a URN is urn:namespace:name (urn:isbn:9789100123456)"
        if found.group(1).lower() == "uuid" and not _UUID.match(found.group(2)):
            return "a urn:uuid: holds a UUID (8-4-4-4-12 hexadecimal digits)"
    return None


def resolve(base: str | None, ref: str) -> str:
    """`ref` resolved against `base` (RFC 3986 section 5), or `ref` without a base."""
    if not base:
        return ref
    from urllib.parse import urljoin

    return urljoin(base, ref)


def registered_relation(rel: str) -> bool:
    """A link relation IANA registers (case-insensitively), or an absolute IRI."""
    return rel.lower() in IANA_RELATIONS or scheme(rel) is not None


def address_host(text: str) -> str | None:
    """The host of the first e-mail address in `text`, or None when it has none."""
    found = _ADDRESS.search(text)
    return found.group(1) if found else None


def unknown_host(host: str) -> bool:
    """A host that can't be one on the Internet: no dot, or a top label not a name."""
    if host.startswith("["):
        return False
    labels = host.split(".")
    return len(labels) < 2 or not labels[-1].isalpha() or "" in labels


def contact_form(text: str) -> str:
    """'ok' for 'a@b.org' or 'a@b.org (Name)' or 'Name <a@b.org>', 'format' for other
    text holding an address, 'missing' for text without any."""
    text = " ".join(text.split())
    if _RECOMMENDED.match(text) or _ANGLED.match(text):
        return "ok"
    return "format" if _ADDRESS.search(text) else "missing"
