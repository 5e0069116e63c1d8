"""Benchmark: render a 1,000-post digest (HTML with premailer, text, .eml).

Run: .venv/bin/python bench/digest.py [--posts N] [--repeat R]
Prints the best of R runs for each stage and the total; the issue's target is a
1,000-post digest under 2 s on the project's machine (2 cores).
"""

from __future__ import annotations

import argparse
import time
from datetime import date, datetime, timedelta

from feedkit.load.registry import loads
from feedkit.mail.message import compose, stable_message_id
from feedkit.mail.tokens import make_token
from feedkit.periods import Window
from feedkit.writers.digest import render_digest

BODY = ("Med stor entusiasm har jag tagit mig an ett av mina nya uppdrag, utifrån min "
        "tjänst på förbundet. Det blev tydligt att majoriteten vill delta i och genomföra "
        "olika aktiviteter, men att de inte alltid vet hur. ") * 3


def registry_yaml(count: int) -> bytes:
    """A registry of `count` posts, a few a day, going back from 2020-02-09."""
    start = datetime(2020, 2, 9, 18, 0)
    lines = ["site:\n  title: Allmännyttans innovationslabb – dagbok\n"
             "  url: https://www.allmannyttan.se/innovationslabb/dagbok/\n"
             "  language: sv\n  timezone: Europe/Stockholm\n"
             "  email: info@sverigesallmannytta.se\n"
             "  publisher: {name: Sveriges Allmännytta, address: 'Box 474, 101 29 Stockholm'}\n"
             "posts:\n"]
    for i in range(count):
        when = start - timedelta(hours=7 * i)
        lines.append(f"  - title: Inlägg nummer {i} om boende och grannskap\n"
                     f"    date: {when:%Y-%m-%dT%H:%M}\n"
                     "    author: {name: Lena Liljendahl, role: boendeexpert}\n"
                     f"    body: '{BODY}'\n")
    return "".join(lines).encode("utf-8")


def best(repeat: int, func):
    times, result = [], None
    for _ in range(repeat):
        began = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - began)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    reg = loads(registry_yaml(args.posts))
    site = reg.site
    window = Window(date(2000, 1, 1), date(2020, 2, 9))
    render_digest(reg, window)  # warm caches: imports, templates, catalogs

    def message(rendered):
        to = "ann@example.org"
        return compose(
            rendered, site, to=to, token=make_token(to, b"bench-secret"),
            message_id=stable_message_id(site, window, to), date=rendered.posts[0].published,
        ).as_bytes()

    render_s, rendered = best(args.repeat, lambda: render_digest(reg, window))
    eml_s, eml = best(args.repeat, lambda: message(rendered))
    total = render_s + eml_s
    print(f"posts: {len(rendered.posts)}")
    print(f"render html+txt: {render_s:.3f} s")
    print(f"build .eml:      {eml_s:.3f} s  ({len(eml) / 1024:.0f} KiB)")
    print(f"total:           {total:.3f} s  ({total / 2.0:.2f} of the 2 s budget)")


if __name__ == "__main__":
    main()
