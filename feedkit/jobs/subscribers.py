"""`feedkit subscribers import | list | remove`: the list in the state database."""

from __future__ import annotations

from pathlib import Path

from ..clock import recorded_at
from ..errors import FeedkitError, UsageError
from ..state import SendState, locate
from ..state.listing import STATUSES, Consent, ListEntry, entries_iter

FORMATS = ("text", "json", "csv")


def _open(registry: Path, state: str | Path | None) -> SendState:
    return locate(state, registry).open()


def import_subscribers(path: Path, *, registry: Path, state: str | Path | None = None
                       ) -> tuple[int, int]:
    """Add a CSV or YAML subscribers file (checked as `send` checks it) as confirmed
    subscribers, consent source "import". Returns (added, already in the list)."""
    from ..load.subscribers import load_subscribers

    subscribers = load_subscribers(path)
    store = _open(registry, state)
    try:
        return store.import_entries(
            ((s.key, s.email, s.name, s.language) for s in subscribers),
            Consent("imported", recorded_at(), "import", form_text=f"imported from {path.name}"))
    finally:
        store.close()


def list_subscribers(*, registry: Path, state: str | Path | None = None,
                     status: str | None = None,
                     fmt: str = "text") -> str:
    """The list as text (one line each), JSON (an array of objects) or CSV."""
    if status is not None and status not in STATUSES:
        raise UsageError("--status", f"'{status}' is not one of {', '.join(STATUSES)}")
    if fmt not in FORMATS:
        raise UsageError("--format", f"'{fmt}' is not one of {', '.join(FORMATS)}")
    store = _open(registry, state)
    try:
        entries = store.list_entries(status)
    finally:
        store.close()
    return render(entries, fmt)


def render(entries: list[ListEntry], fmt: str) -> str:
    rows = list(entries_iter(entries))
    if fmt == "json":
        import json

        from ..addresses import reference

        rows = [{**row, "ref": reference(str(row["email"]))} for row in rows]
        return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        import csv
        import io

        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]) if rows else
                                ["email", "name", "language", "status", "subscribed_at",
                                 "confirmed_at", "unsubscribed_at"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return buffer.getvalue()
    return "".join(f"{e.status:<13} {e.address}" + (f"  ({e.name})" if e.name else "") + "\n"
                   for e in entries)


def remove_subscriber(address: str, *, registry: Path, state: str | Path | None = None
                      ) -> bool:
    """Unsubscribe an address for good (its consent records stay, as proof); False
    when it already was unsubscribed."""
    from ..addresses import address_problem

    address = address.strip()
    why = address_problem(address)
    if why:
        raise FeedkitError(f"'{address}' {why}")
    store = _open(registry, state)
    try:
        return store.unsubscribe_entry(address.lower(), address,
                                       Consent("removed", recorded_at(), "cli"))
    finally:
        store.close()


def export_subscriber(address: str, *, registry: Path, state: str | Path | None = None
                      ) -> str:
    """Everything kept about one address (GDPR Art. 15 and 20) as JSON: the subscriber,
    every consent record with its time, source, client address, user agent and the
    text agreed to, the deliveries, bounces and suppression."""
    import json

    key = _checked(address)
    store = _open(registry, state)
    try:
        found = store.personal_data(key)
    finally:
        store.close()
    return json.dumps({"email": key, **found}, ensure_ascii=False, indent=2) + "\n"


def erase_subscriber(address: str, *, registry: Path, state: str | Path | None = None
                     ) -> tuple[bool, Path | None]:
    """Erase an address (GDPR Art. 17): only a hash stays, on the suppression list.
    (whether the state knew it, the subscribers file that still names it, if any:
    feedkit never edits that file, and never mails the address again either)."""
    from ..load.subscribers import load_subscribers
    from ..project import Project

    key = _checked(address)
    store = _open(registry, state)
    try:
        known = store.erase(key, recorded_at())
    finally:
        store.close()
    listed = Project(registry).subscribers_file()
    named = listed is not None and any(s.key == key for s in load_subscribers(listed))
    return known, listed if named else None


def _checked(address: str) -> str:
    from ..addresses import address_problem

    address = address.strip()
    if why := address_problem(address):
        raise FeedkitError(f"'{address}' {why}")
    return address.lower()
