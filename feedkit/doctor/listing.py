"""The list as subscribers meet it: the unsubscribe endpoint answers over HTTPS, a
one-click POST with a forged token is refused and one with a real token works
(against a test subscriber the doctor adds and removes again, see janitor.py), the
digest's HTML stays under Gmail's clip, and the feeds are reachable."""

from __future__ import annotations

import secrets
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from ..errors import FeedkitError
from ..model import Registry
from .lookup import Dns
from .report import Check, fail, ok, skip
from .web import Answer, WebProblem, fetch

HTTPS, FORGED, ONE_CLICK, SIZE, FEEDS = ("list.https", "list.forged", "list.one_click",
                                         "list.digest_size", "list.feeds")
ONE_CLICK_BODY = "List-Unsubscribe=One-Click"


@dataclass
class ListProbe:
    registry: Registry
    registry_path: Path
    state: str | None
    environ: Mapping[str, str]
    dns: Dns
    tls: ssl.SSLContext
    timeout: float
    templates: Path | None = None

    @property
    def endpoint(self) -> str:
        site = self.registry.site
        return site.unsubscribe_url or site.url + "unsubscribe"

    def _get(self, url: str, **options: str) -> Answer:
        return fetch(url, self.dns, self.tls, self.timeout, **options)

    def run(self) -> list[Check]:
        checks = [self._https()]
        if checks[0].status == "ok":
            checks.append(self._forged())
            checks.append(self._one_click())
        else:
            checks += [skip(FORGED, "forged token", "not tried: the endpoint doesn't answer"),
                       skip(ONE_CLICK, "one-click", "not tried: the endpoint doesn't answer")]
        return [*checks, self._size(), self._feeds()]

    def _https(self) -> Check:
        url = self.endpoint
        title = f"unsubscribe endpoint {url}"
        if urlsplit(url).scheme != "https":
            return fail(HTTPS, title, "not HTTPS: Gmail and Yahoo need an https one-click "
                        "unsubscribe URL", "serve the site over HTTPS and set site.url (or "
                        "site.unsubscribe_url) to its https:// address")
        try:
            answer = self._get(url)
        except WebProblem as exc:
            return fail(HTTPS, title, str(exc), "start feedkit serve behind the HTTPS server "
                        "of site.url, forwarding its path (see docs/operations.md)")
        if answer.status >= 500 or answer.status in (404, 405):
            return fail(HTTPS, title, f"answers {answer.status}", "forward site.url's path "
                        "to feedkit serve")
        return ok(HTTPS, title, f"answers over HTTPS ({answer.status} for a link without "
                  "a token)")

    def _post(self, token: str) -> Answer:
        sep = "&" if "?" in self.endpoint else "?"
        return self._get(f"{self.endpoint}{sep}token={token}", method="POST",
                         form=ONE_CLICK_BODY)

    def _forged(self) -> Check:
        from ..mail.tokens import sign

        title = "one-click with a forged token"
        token = sign("unsubscribe", "someone@example.org", secrets.token_bytes(32))
        try:
            answer = self._post(token)
        except WebProblem as exc:
            return fail(FORGED, title, str(exc), "check that feedkit serve is running")
        if answer.status < 400:
            return fail(FORGED, title, f"accepted ({answer.status}): anyone could "
                        "unsubscribe anyone", "the unsubscribe URL must reach feedkit serve, "
                        "which checks the token's signature")
        return ok(FORGED, title, f"refused ({answer.status})")

    def _one_click(self) -> Check:
        from ..mail.tokens import MissingSecret, secret_from_env, sign

        title = "one-click with a real token"
        try:
            secret = secret_from_env(dict(self.environ))
        except MissingSecret as exc:
            return fail(ONE_CLICK, title, f"can't make a real token: {exc}",
                        "run feedkit doctor with the FEEDKIT_SECRET feedkit serve has")
        recipient = f"feedkit-doctor-{secrets.token_hex(6)}@doctor.invalid"
        try:
            return self._with_probe(recipient, sign("unsubscribe", recipient, secret), title)
        except FeedkitError as exc:
            return fail(ONE_CLICK, title, f"the state can't be used: {exc}",
                        "run feedkit doctor with the --state feedkit serve uses")

    def _with_probe(self, recipient: str, token: str, title: str) -> Check:
        from ..state import locate
        from ..state.store import now_iso
        from .janitor import finish, start

        location = locate(self.state, self.registry_path)
        state = location.open()
        try:
            state.forget_probes()  # what an earlier doctor, killed outright, left
            janitor = start(self.registry_path, self.state, recipient, self.timeout + 1)
            try:
                state.add_probe(recipient, now_iso())
                try:
                    answer = self._post(token)
                except WebProblem as exc:
                    return fail(ONE_CLICK, title, str(exc), "check that feedkit serve runs")
                entry = state.list_entry(recipient)
                state.forget_probes(recipient)
            finally:
                finish(janitor)
        finally:
            state.close()
        if answer.status != 200:
            return fail(ONE_CLICK, title, f"refused ({answer.status}) a token made with this "
                        "FEEDKIT_SECRET", "give feedkit serve and feedkit send the same "
                        "FEEDKIT_SECRET")
        if entry is None or entry.status != "unsubscribed":
            return fail(ONE_CLICK, title, f"answered 200, but {location} doesn't show the "
                        "test subscriber unsubscribed", "run feedkit serve and feedkit send "
                        "on the same state (--state or FEEDKIT_STATE_URL)")
        return ok(ONE_CLICK, title, "a test subscriber was unsubscribed (and removed "
                  "again)")

    def _size(self) -> Check:
        from ..periods import window_for_period
        from ..writers.digest import GMAIL_CLIP_BYTES, clip_warning, render_digest

        title = "digest size"
        posts = self.registry.posts
        if not posts:
            return skip(SIZE, title, "no posts yet")
        from ..project import Project

        newest = max(posts, key=lambda p: p.published)
        window = window_for_period("week", newest.published.date())
        rendered = render_digest(self.registry, window, template_dirs=Project(
            self.registry_path).template_dirs(self.templates))
        size = len(rendered.html.encode("utf-8"))
        found = (f"{size / 1024:.0f} KB of HTML for the week of the newest post "
                 f"({len(rendered.posts)} posts); Gmail clips at {GMAIL_CLIP_BYTES // 1024} KB")
        warning = clip_warning(rendered)
        if warning:
            return fail(SIZE, title, found, warning.split("Keep it under: ")[-1])
        return ok(SIZE, title, found)

    def _feeds(self) -> Check:
        url = self.registry.site.feed_url
        title = f"feed {url}"
        try:
            answer = self._get(url)
        except WebProblem as exc:
            return fail(FEEDS, title, str(exc), "publish out/ at site.url (feedkit build, "
                        "then copy it, or feedkit serve)")
        if answer.status != 200 or b"<feed" not in answer.body[:4096]:
            return fail(FEEDS, title, f"answers {answer.status} "
                        f"{answer.content_type or '(no type)'}", "publish out/ at site.url "
                        "(feedkit build, then copy it or feedkit serve)")
        return ok(FEEDS, title, f"200 {answer.content_type}")
