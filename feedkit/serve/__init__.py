"""`feedkit serve`: the list as a small web service (subscribe, confirm, one-click
unsubscribe) that also serves out/. Starlette under uvicorn, imported only here.

`local=True` is the trial on one machine: loopback only, mail to the Maildir outbox
(shown by the server), links in that mail pointing at this server."""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import socket
from collections.abc import Callable

from ..errors import UsageError
from .app import create_app, mount_path, unsubscribe_path
from .config import ServeConfig

__all__ = ["ServeConfig", "create_app", "listen", "serve"]


def listen(host: str, port: int) -> socket.socket:
    """A listening socket, or a UsageError naming --host/--port."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise UsageError("--host", f"'{host}' can't be resolved: {exc}") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        raise UsageError("--port", f"can't listen on {host}:{port}: "
                                   f"{exc.strerror or exc}") from None
    sock.set_inheritable(True)
    return sock


def serve(config: ServeConfig, host: str, port: int, *, reload: bool = False,
          local: bool = False, say: Callable[[str], None] = print, metrics: bool = False,
          metrics_port: int | None = None) -> None:
    """Build the app, listen, and serve until interrupted. `metrics`: /metrics on this
    port; `metrics_port`: on a port of its own (0: any free one, said at start)."""
    import logging

    import uvicorn

    from ..load import load
    from .observe import Observed, background_logging

    if local and not _loopback(host):
        raise UsageError("--host", f"--local serves this machine only; '{host}' is not a "
                         "loopback address (use 127.0.0.1 or ::1)")
    sock = listen(host, port)
    bound = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    site = load(config.registry).site
    base = mount_path(site.url)
    if local:
        config = dataclasses.replace(config, local=f"http://{shown}:{bound}")
    observer = None
    try:
        # --reload builds out/ first (what it says is said once the server is up);
        # --local alone builds a site never built.
        at_start = _build_at_start(config) if reload else []
        built = _build_missing_out(config) if local and not reload else None
        if metrics or metrics_port is not None:
            from .metrics import ServeMetrics

            observer = ServeMetrics(config.registry, config.state)
        app = Observed(create_app(config), base, unsubscribe_path(site),
                       logging.getLogger("feedkit.serve"), observer,
                       expose=metrics and metrics_port is None)
        if observer is not None and metrics_port is not None:
            try:
                observer.serve_on(host, metrics_port)
            except OSError as exc:
                raise UsageError("--metrics-port", f"can't listen on {host}:{metrics_port}"
                                 f": {exc.strerror or exc}") from None
    except BaseException:
        sock.close()
        raise
    if reload:
        from .livereload import LiveReload, Rebuilds, watch

        rebuilds = Rebuilds()
        watch(config.registry, config.out, config.templates, rebuilds, say)
        app = LiveReload(app, rebuilds, base)  # type: ignore[assignment]
    say(f"feedkit serve: http://{shown}:{bound}{base} (out/ from {config.out})")
    if observer is not None:
        where = f"{observer.port}" if metrics_port is not None else f"{bound}"
        say(f"feedkit serve: metrics at http://{shown}:{where}/metrics")
    from ..project import Project

    outbox = Project(config.registry).outbox.resolve()
    if local:
        say(f"local trial: mail goes to the Maildir {outbox}, readable at "
            f"http://{shown}:{bound}{base}outbox/ ; its links point at this server")
    elif not (config.smtp_url or (os.environ if config.environ is None else
                                  config.environ).get("FEEDKIT_SMTP_URL")):
        say(f"mail goes to the Maildir {outbox} (no --smtp, no FEEDKIT_SMTP_URL), its "
            "links to site.url; to try the list on this machine: feedkit serve --local")
    for line in at_start:
        say(line)
    if built is not None:
        say(f"{config.out} was missing: built it from {config.registry} ({built} files)")
    elif not reload and not config.out.is_dir():  # --reload built it as it started
        say(f"{config.out} (--out) does not exist: only the list is served; "
            f"`feedkit build --out {config.out}` writes the feeds it would serve too")
    server = uvicorn.Server(uvicorn.Config(
        app, access_log=False, proxy_headers=True, forwarded_allow_ips="127.0.0.1",
        server_header=False, log_level="warning", lifespan="on", timeout_keep_alive=30))
    with background_logging(logging.getLogger("feedkit")):
        server.run(sockets=[sock])


def _build_at_start(config: ServeConfig) -> list[str]:
    from .livereload import build_at_start

    return build_at_start(config.registry, config.out, config.templates)


def _build_missing_out(config: ServeConfig) -> int | None:
    """The local trial on a site never built: `feedkit build` first, so that the page
    it shows has the feeds; the number of files written, or None when out/ exists."""
    if config.out.is_dir():
        return None
    from ..jobs.rebuild import build_cached

    return len(build_cached(config.registry, config.out, templates=config.templates).changed)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
