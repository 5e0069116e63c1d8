"""out/digest.html, digest.txt and digest.eml: a preview of the digest as files.

The preview is made exactly as a real message is (mail.message.compose), for a
placeholder recipient whose token is signed with a public preview key, so no
address and no real token ever lands in out/.
"""

from __future__ import annotations

from email.headerregistry import Address
from email.utils import parseaddr

from ..addresses import envelope_address, needs_smtputf8
from ..errors import UsageError
from ..model import Site
from ..periods import Window, local_day
from ..writers.context import BuildContext, Outputs
from ..writers.digest import RenderedDigest, personalize, render_digest
from .message import (
    compose,
    phrase,
    refuse_line_breaks,
    stable_message_id,
    unsubscribe_link,
)
from .tokens import make_token

PATHS = ("digest.html", "digest.txt", "digest.eml")
TO_PLACEHOLDER = "subscriber@example.invalid"
# Signs the placeholder's token; it is public on purpose and unlocks nothing.
PREVIEW_SECRET = b"feedkit preview, not a secret"


def recipient(to: str) -> tuple[str, str]:
    """(name, address) of a `--to` value such as 'Ann <ann@example.org>' (checked by
    the digest job); the name is text, never decoded as RFC 2047 encoded words."""
    name, address = parseaddr(to)
    refuse_line_breaks("--to", to)
    if needs_smtputf8(address):
        raise UsageError("--to", f"'{to}' has non-ASCII letters before the @, which the "
                                 "preview can't write; give an ASCII address")
    return name, address


def add_digest_files(
    outputs: Outputs, site: Site, rendered: RenderedDigest, *, to: str = TO_PLACEHOLDER
) -> None:
    """Add the three digest files for one recipient; Date is the newest post's time."""
    name, address = recipient(to)
    to = str(Address(display_name=phrase(name), addr_spec=envelope_address(address)))
    token = make_token(address, PREVIEW_SECRET)
    message = compose(rendered, site, to=to, token=token,
                      message_id=stable_message_id(site, rendered.window, address),
                      date=rendered.posts[0].published)
    html, text = personalize(rendered, unsubscribe_link(site, token))
    outputs.add("digest.html", html.encode("utf-8"))
    outputs.add("digest.txt", text.encode("utf-8"))
    outputs.add("digest.eml", message.as_bytes())


class DigestWriter:
    """A preview of the digest of the newest `digest_entries` published posts."""

    paths = PATHS

    def write(self, context: BuildContext, outputs: Outputs) -> None:
        site = context.registry.site
        posts = context.registry.visible(context.now)[: site.options.digest_entries]
        if not posts:
            return
        window = Window(local_day(posts[-1], site), local_day(posts[0], site))
        rendered = render_digest(context.registry, window, posts=posts,
                                 template_dirs=context.template_dirs)
        add_digest_files(outputs, site, rendered)
