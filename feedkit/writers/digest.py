"""out/digest.html, digest.txt and digest.eml: the email digest as files."""

from __future__ import annotations

from ..digest import (
    TO_PLACEHOLDER,
    RenderedDigest,
    Window,
    build_message,
    default_list_id,
    local_day,
    personalize,
    render_digest,
    sender_for,
    stable_message_id,
    unsubscribe_link,
    unsubscribe_mailto,
)
from ..model import Site
from ..outputs import Outputs
from . import BuildContext

PATHS = ("digest.html", "digest.txt", "digest.eml")


def add_digest_files(
    outputs: Outputs, site: Site, rendered: RenderedDigest, *, to: str = TO_PLACEHOLDER
) -> None:
    """Add the three digest files for one recipient; Date is the newest post's time."""
    from email.utils import parseaddr

    address = parseaddr(to)[1] or to
    unsubscribe = unsubscribe_link(site, address)
    message = build_message(
        rendered, to=to, sender=sender_for(site),
        message_id=stable_message_id(site, rendered.window, address),
        date=rendered.posts[0].published, unsubscribe_url=unsubscribe,
        list_id=default_list_id(site), unsubscribe_mailto=unsubscribe_mailto(site),
    )
    html, text = personalize(rendered, unsubscribe)
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
