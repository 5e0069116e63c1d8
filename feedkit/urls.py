"""URLs as feedkit writes them: hosts in their ASCII (IDNA) form, IRIs made URIs.

`host_to_ascii` is the one place a host name is converted: IDNA 2008 with the
UTS 46 mapping, non-transitional, as browsers and mail software do, so `faß.de`
is `xn--fa-hia.de` (Python's own "idna" codec is IDNA 2003, which makes it
`fass.de`: another domain).
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit


@lru_cache(maxsize=256)
def host_to_ascii(host: str) -> str:
    """A host name in ASCII: an international domain as IDNA 2008 / UTS 46
    ("xn--..."); ASCII names and IP addresses as they are. Raises ValueError, with
    the reason, for a name that isn't a valid international domain name."""
    if host.isascii():
        return host
    import idna

    try:
        return idna.encode(host, uts46=True, transitional=False).decode("ascii")
    except idna.IDNAError as exc:
        raise ValueError(f"'{host}' is not a valid international domain name "
                         f"(IDNA 2008: {exc})") from None


@lru_cache(maxsize=64)
def ascii_host(url: str, default: str = "localhost") -> str:
    """The URL's host name in ASCII: an international domain as IDNA ("xn--...")."""
    host = urlsplit(url).hostname or default
    try:
        return host_to_ascii(host)
    except ValueError:  # not from a checked registry: keep it ASCII all the same
        return host.encode("ascii", "replace").decode("ascii")


# Characters kept as they are in each part (RFC 3986 reserved and unreserved,
# and "%" so that what is already percent-encoded stays so).
_SAFE_PATH = "/%:@!$&'()*+,;=-._~"
_SAFE_QUERY = _SAFE_PATH + "?"


def to_uri(iri: str, *, header: bool = False) -> str:
    """An IRI as an ASCII URI (RFC 3987 section 3.1): the host in IDNA, the rest
    percent-encoded as UTF-8. `header`: also encode ',' (List-Unsubscribe splits
    its URLs at commas)."""
    from urllib.parse import quote, urlsplit, urlunsplit

    if iri.isascii() and not (header and "," in iri):
        return iri
    parts = urlsplit(iri)
    netloc = parts.netloc
    if parts.hostname and not parts.hostname.isascii():
        userinfo = netloc.rpartition("@")[0]
        host = ascii_host(iri)
        port = f":{parts.port}" if parts.port else ""
        netloc = (f"{quote(userinfo, safe=':%')}@" if userinfo else "") + host + port
    safe_path, safe_query = _SAFE_PATH, _SAFE_QUERY
    if header:
        safe_path, safe_query = safe_path.replace(",", ""), safe_query.replace(",", "")
    return urlunsplit((parts.scheme, netloc, quote(parts.path, safe=safe_path),
                       quote(parts.query, safe=safe_query),
                       quote(parts.fragment, safe=safe_query)))
