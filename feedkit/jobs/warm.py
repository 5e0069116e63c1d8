"""A first digest rendered in the helper process while a patch works out its work.

A build that patches the last one (jobs/patchbuild.py) forks the digest's helper
as it starts; the helper's imports are done a few hundredths of a second before
the patch sends it the digest preview, whose first rendering then loads the
templates, the translations and Babel's locale data, and has premailer parse the
stylesheet and its rules' styles. Sent ahead, as soon as the patch knows the site
(from the snapshot), a digest of one post made up here does all of that in the
helper's idle time, and the real preview takes a fraction as long. Its result is
thrown away (writers/helper.py, Helper.warm); it can't change what is written:
what it warms are caches keyed by their inputs.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from ..model import Author, Post, Registry, Site


def warm_digest(site: Site, template_dirs: tuple[Path, ...]) -> None:
    """Render, and throw away, a digest of a made-up post of `site`."""
    from ..periods import Window
    from ..writers.digest import render_digest

    moment = datetime(2020, 2, 6, 9, 30, tzinfo=site.tz)
    post = Post(title="Ett inlägg", slug="ett-inlagg", url=f"{site.url}ett-inlagg/",
                id=f"{site.url}ett-inlagg/", published=moment, updated=moment,
                author=Author(name="Ann", role="redaktör"), summary="Några ord om det.")
    day = moment.date()
    render_digest(Registry("", site, (post,)), Window(day, day), posts=(post,),
                  template_dirs=template_dirs)
