"""`feedkit new`: add a post at the top of posts.yaml, keeping the file's layout."""

from __future__ import annotations

from pathlib import Path

import typer

from .common import QUIET, REGISTRY, VERBOSE, echo_lines, require_registry, run

TAGS = typer.Option([], "--tag", "-t", metavar="TAG", help="A tag; repeat for more.")


def new_command(
    title: str = typer.Argument(..., metavar="TITLE", help="The post's title."),
    when: str | None = typer.Option(None, "--date", metavar="DATE", help="Its date, in any "
                                    "form the registry takes (default: today)."),
    author: str | None = typer.Option(None, "--author", metavar="NAME", help="Its author "
                                      "(default: the newest post's)."),
    tags: list[str] = TAGS,
    draft: bool = typer.Option(True, "--draft/--publish", help="Add it as a draft (kept "
                               "out of every output until you remove `draft: true`) or "
                               "published at once."),
    registry: Path = REGISTRY, verbose: bool = VERBOSE, quiet: bool = QUIET,
) -> None:
    """Add a post to the top of posts.yaml and print the lines written."""
    from ..clock import resolve_now
    from ..jobs.new import add_post

    require_registry(registry)
    post = run(lambda: add_post(registry, title, resolve_now(), when=when, author=author,
                                tags=tuple(tags), draft=draft), verbose, "nothing was written")
    if quiet:
        return
    typer.echo(f"{post.registry}:{post.line}: added '{post.slug}'")
    echo_lines(post.lines)
    if draft:
        typer.echo("It is a draft: `feedkit build --drafts` previews it; remove "
                   "`draft: true` to publish it.")
