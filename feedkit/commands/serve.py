"""`feedkit serve`: the list's web service and out/ over HTTP."""

from __future__ import annotations

from pathlib import Path

import typer

from .common import OUT, REGISTRY, SMTP_CA, STATE, TEMPLATES, VERBOSE, run


def serve_command(
    registry: Path = REGISTRY, out: Path = OUT, state: str | None = STATE,
    templates: Path | None = TEMPLATES, verbose: bool = VERBOSE,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on; keep it "
                             "on loopback behind a reverse proxy."),
    port: int = typer.Option(8000, "--port", min=0, max=65535, help="Port to listen on "
                             "(0: any free port, printed at start)."),
    smtp: str | None = typer.Option(None, "--smtp", help="Where confirmation messages go, "
                                    "as for `feedkit send` (default FEEDKIT_SMTP_URL, else "
                                    "the Maildir .feedkit/outbox).", show_default=False),
    smtp_ca: Path | None = SMTP_CA,
    reload: bool = typer.Option(False, "--reload", help="Development only: rebuild out/ "
                                "when posts.yaml or a template changes."),
) -> None:
    """Serve the list (subscribe, confirm, one-click unsubscribe) and out/.

    Everything lives under the path of site.url. Needs FEEDKIT_SECRET, as
    `feedkit send` does.
    """
    from ..serve import ServeConfig, serve

    config = ServeConfig(registry, out, state, templates, smtp, smtp_ca)
    run(lambda: serve(config, host, port, reload=reload, say=typer.echo), verbose)
