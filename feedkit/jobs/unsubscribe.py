"""`feedkit unsubscribe`: put an address, or the owner of a token or link, on the
suppression list (with a consent record of the opt-out)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ..clock import recorded_at
from ..errors import FeedkitError


def run_unsubscribe(
    value: str, *, registry_path: Path, subscribers_path: Path | None = None,
    state_path: str | Path | None = None, environ: Mapping[str, str] | None = None,
) -> tuple[str, bool]:
    """Unsubscribe an address, a token, or the full unsubscribe URL from a message.

    Returns the address and whether it was newly unsubscribed.
    """
    import os

    from ..addresses import address_problem
    from ..load.subscribers import load_subscribers
    from ..mail.tokens import (
        BadToken,
        find_address,
        is_legacy_token,
        secret_from_env,
        token_from,
        verify,
    )
    from ..project import Project
    from ..state import locate
    from ..state.listing import Consent

    value = value.strip()
    project = Project(registry_path)
    state = locate(state_path, registry_path).open()
    try:
        if "@" in value and "token=" not in value:
            why = address_problem(value)
            if why:
                raise FeedkitError(f"'{value}' {why}; give an address, a token or the "
                                   "unsubscribe link")
            address, source = value, "address"
        else:
            token = token_from(value)
            secret = secret_from_env(dict(os.environ if environ is None else environ))
            source = "token"
            try:
                address = verify(token, "unsubscribe", secret)
            except BadToken as exc:
                if not is_legacy_token(token):
                    raise FeedkitError(f"the token is not valid: {exc}; nothing was "
                                       "changed") from None
                known = list(state.known_addresses())
                known += [e.address for e in state.list_entries()]
                path = subscribers_path or project.subscribers_file()
                if path is not None:
                    known += [s.email for s in load_subscribers(path)]
                found = find_address(token, known, secret)
                if found is None:
                    raise FeedkitError("the token matches no known subscriber (was it made "
                                       "with another FEEDKIT_SECRET?); nothing was "
                                       "changed") from None
                address = found
        now = recorded_at()
        changed = state.unsubscribe_entry(address.lower(), address,
                                          Consent("unsubscribed", now, source))
        return address.lower(), changed
    finally:
        state.close()
