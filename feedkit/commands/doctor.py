"""`feedkit doctor`: check DNS, the relay and the list before sending; exit 1 on a ✗."""

from __future__ import annotations

from pathlib import Path

import typer

from ..errors import EXIT_INVALID
from .common import REGISTRY, STATE, TEMPLATES, VERBOSE, require_registry, run

NAMESERVER = typer.Option([], "--nameserver", metavar="IP[:PORT]", help="Ask this DNS server "
                          "(repeatable; default: the system's resolvers).")
RELAY_IP = typer.Option([], "--relay-ip", metavar="IP", help="The address the relay sends "
                        "from, when it is not the one its name resolves to (repeatable).")
CA = typer.Option(None, "--ca", metavar="FILE", dir_okay=False, exists=True, help="PEM file "
                  "of a private CA to trust for the relay's and the site's certificates.")


def doctor_command(
    registry: Path = REGISTRY, state: str | None = STATE,
    smtp: str | None = typer.Option(None, "--smtp", metavar="URL", help="The relay, as for "
                                    "`feedkit send` (default FEEDKIT_SMTP_URL).",
                                    show_default=False),
    to: str | None = typer.Option(None, "--to", metavar="ADDRESS", help="Send a test "
                                  "message through the relay to ADDRESS."),
    nameserver: list[str] = NAMESERVER, relay_ip: list[str] = RELAY_IP,
    ca: Path | None = CA,
    only: str | None = typer.Option(None, "--only", metavar="GROUPS", help="Comma-separated "
                                    "check groups: dns, relay, list (default: all)."),
    timeout: float = typer.Option(5.0, "--timeout", min=0.1, metavar="SECONDS",
                                  help="How long each lookup or connection may take."),
    fmt: str = typer.Option("text", "--format", "-f", metavar="text|json",
                            help="text or json."),
    templates: Path | None = TEMPLATES, verbose: bool = VERBOSE,
) -> None:
    """Check a sending set-up: SPF, DKIM, DMARC, MX, reverse DNS, the relay, the list.

    Each line is ✓ or ✗ with what was found, and every ✗ says how to fix it. Changes
    nothing but a test subscriber it removes again.

    Exit status: 0 when no check failed, 1 otherwise.
    """
    from ..doctor import FORMATS, DoctorRequest, check_groups, failed, render, run_doctor

    if fmt not in FORMATS:
        raise typer.BadParameter(f"'{fmt}' is not one of {', '.join(FORMATS)}",
                                 param_hint="--format")
    require_registry(registry)
    request = DoctorRequest(registry, state, smtp, ca, tuple(nameserver), timeout,
                            tuple(relay_ip), to, run(lambda: check_groups(only)), templates)
    checks = run(lambda: run_doctor(request), verbose)
    typer.echo(render(checks, fmt), nl=False)
    if failed(checks):
        raise typer.Exit(EXIT_INVALID)
