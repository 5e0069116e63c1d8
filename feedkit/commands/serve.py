"""`feedkit serve`: the list's web service and out/ over HTTP."""

from __future__ import annotations

from pathlib import Path

import typer

from .common import (
    LOG_FORMAT,
    LOG_LEVEL,
    OUT,
    REGISTRY,
    SMTP_CA,
    STATE,
    TEMPLATES,
    VERBOSE,
    run,
)

METRICS = typer.Option(False, "--metrics", help="Answer Prometheus scrapes at /metrics on "
                       "this port (off by default).")
METRICS_PORT = typer.Option(None, "--metrics-port", min=0, max=65535, metavar="PORT",
                            help="Answer /metrics on this port of its own instead (same "
                            "--host; 0: any free port).")


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
    local: bool = typer.Option(False, "--local", help="A trial on this machine: mail goes "
                               "to the Maildir .feedkit/outbox, shown at /outbox/, and "
                               "its links point at this server instead of site.url."),
    dns: str | None = typer.Option(None, "--dns-server", metavar="HOST[:PORT]",
                                   help="The DNS server that checks a new subscriber's "
                                   "domain receives mail (default: the system's; 'off': "
                                   "no check).", show_default=False),
    min_fill: float = typer.Option(3.0, "--min-fill", min=0, metavar="SECONDS",
                                   help="Least time between showing the subscribe form "
                                   "and accepting it (bots are quicker)."),
    work: int = typer.Option(0, "--proof-of-work", min=0, max=24, metavar="BITS",
                             help="Make the form's script find a hash with this many "
                             "leading zero bits (0: off; 16 takes a phone about a "
                             "second). Needs JavaScript in the visitor's browser."),
    per_client: int = typer.Option(10, "--limit-client", min=1, metavar="N",
                                   help="Subscribe requests per client address an hour."),
    per_domain: int = typer.Option(50, "--limit-domain", min=1, metavar="N",
                                   help="Subscribe requests per recipient domain an hour."),
    per_site: int = typer.Option(500, "--limit-site", min=1, metavar="N",
                                 help="Subscribe requests for the whole site an hour."),
    reload: bool = typer.Option(False, "--reload", help="Development only: rebuild out/ "
                                "when posts.yaml or a template changes."),
    metrics: bool = METRICS, metrics_port: int | None = METRICS_PORT,
    log_format: str = LOG_FORMAT, log_level: str = LOG_LEVEL,
) -> None:
    """Serve the list (subscribe, confirm, one-click unsubscribe) and out/.

    Everything lives under the path of site.url. Needs FEEDKIT_SECRET, as
    `feedkit send` does.
    """
    from ..limits import Limits
    from ..logs import configure
    from ..serve import ServeConfig, serve

    run(lambda: configure(log_format, log_level))
    limits = Limits(per_client=per_client, per_domain=per_domain, per_site=per_site,
                    min_fill=min_fill, work_bits=work)
    config = ServeConfig(registry, out, state, templates, smtp, smtp_ca, limits=limits,
                         dns="" if dns == "off" else dns)
    run(lambda: serve(config, host, port, reload=reload, local=local, say=typer.echo,
                      metrics=metrics, metrics_port=metrics_port), verbose)
