"""`feedkit unsubscribe`: put an address, or the owner of a token, on the suppression list."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ..errors import FeedkitError


def run_unsubscribe(
    value: str, *, registry_path: Path, subscribers_path: Path | None = None,
    state_path: Path | None = None, environ: Mapping[str, str] | None = None,
) -> tuple[str, bool]:
    """Add an address (or the owner of a token) to the suppression list.

    Returns the address and whether it was newly added.
    """
    import os

    from ..addresses import address_problem
    from ..load.subscribers import load_subscribers
    from ..mail.tokens import find_address, secret_from_env
    from ..project import Project
    from ..state import SendState

    value = value.strip()
    project = Project(registry_path)
    state = SendState.open(state_path or project.state_path)
    try:
        if "@" in value:
            why = address_problem(value)
            if why:
                raise FeedkitError(f"'{value}' {why}; give an address or a token")
            address = value
        else:
            secret = secret_from_env(dict(os.environ if environ is None else environ))
            known = list(state.known_addresses())
            path = subscribers_path or project.subscribers_file()
            if path is not None:
                known += [s.email for s in load_subscribers(path)]
            found = find_address(value, known, secret)
            if found is None:
                raise FeedkitError("the token matches no known subscriber (was it made with "
                                   "another FEEDKIT_SECRET?); nothing was changed")
            address = found
        return address.lower(), state.suppress(address, "token" if "@" not in value
                                               else "address")
    finally:
        state.close()
