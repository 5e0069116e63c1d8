"""URLs as feedkit writes them: hosts in their ASCII (IDNA) form, IRIs made URIs."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit


@lru_cache(maxsize=64)
def ascii_host(url: str, default: str = "localhost") -> str:
    """The URL's host name in ASCII: an international domain as IDNA ("xn--...")."""
    host = urlsplit(url).hostname or default
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host.encode("ascii", "replace").decode("ascii")
