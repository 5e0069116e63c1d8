"""Registries made up for tests: N posts, one an hour, with chosen tags and authors."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path

SITE_URL = "https://example.org/blog/"
AUTHORS = ("Åsa Öberg", "Bo Ek", "Cecilia Lind")


def registry_yaml(
    n_posts: int, *, tags: Callable[[int], Sequence[str]] = lambda i: (),
    options: dict[str, object] | None = None, hub: str = "", first: int = 0, offset: str = "",
) -> str:
    """YAML for posts first..first+n_posts-1; post i is dated 2021-01-01 plus i hours
    (local time, or at `offset` such as "+00:00": more than ~2,000 posts reach a DST gap)."""
    lines = [
        "site:",
        "  title: Testblogg",
        "  subtitle: Inlägg för tester",
        f"  url: {SITE_URL}",
        "  language: sv",
        "  timezone: Europe/Stockholm",
    ]
    if hub:
        lines.append(f"  websub_hub: {hub}")
    if options:
        lines.append("  options:")
        lines += [f"    {key}: {json.dumps(value)}" for key, value in options.items()]
    lines.append("posts:")
    for i in range(first, first + n_posts):
        day, hour = divmod(i, 24)
        lines += [
            f"  - title: Inlägg nummer {i}",
            f"    date: 2021-{1 + day // 28:02d}-{1 + day % 28:02d}T{hour:02d}:00{offset}",
            f"    author: {AUTHORS[i % len(AUTHORS)]}",
            f"    body: Text för **inlägg {i}** med [en länk](/sida-{i}/).",
        ]
        post_tags = list(tags(i))
        if post_tags:
            lines.append(f"    tags: {json.dumps(post_tags, ensure_ascii=False)}")
    return "\n".join(lines) + "\n"


def write_registry(folder: Path, n_posts: int, **kwargs) -> Path:
    """Write registry_yaml(...) to folder/posts.yaml and return its path."""
    path = folder / "posts.yaml"
    path.write_text(registry_yaml(n_posts, **kwargs), encoding="utf-8")
    return path


def render_one(registry: Path, writer: object, path: str, now: object) -> bytes:
    """The bytes one writer renders for `path`, in memory (nothing is written)."""
    from feedkit.jobs.build import render

    _, outputs = render(registry, now=now, writers=[writer])  # type: ignore[arg-type, list-item]
    return outputs.files[path]
