"""Podcasts: Apple's itunes: elements, with the categories Apple lists (the ones it
retired are a warning), explicit, duration, episode and season numbers, the show's
type and the episode's, image, owner; which belong to the show and which to an
episode. What a podcast must hold is in podcast.py."""

from __future__ import annotations

import re
from typing import Any

from ..values import address_host, is_full_url
from .base import Checker, choice, integer, text, undefined, url, url_path

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
NAMESPACES = (ITUNES,)
IT = f"{{{ITUNES}}}"
CATEGORIES = {
    "Arts": "Books|Design|Fashion & Beauty|Food|Performing Arts|Visual Arts",
    "Business": "Careers|Entrepreneurship|Investing|Management|Marketing|Non-Profit",
    "Comedy": "Comedy Interviews|Improv|Stand-Up",
    "Education": "Courses|How To|Language Learning|Self-Improvement",
    "Fiction": "Comedy Fiction|Drama|Science Fiction",
    "Government": "", "History": "", "Technology": "", "True Crime": "",
    "Health & Fitness": "Alternative Health|Fitness|Medicine|Mental Health|Nutrition|"
                        "Sexuality",
    "Kids & Family": "Education for Kids|Parenting|Pets & Animals|Stories for Kids",
    "Leisure": "Animation & Manga|Automotive|Aviation|Crafts|Games|Hobbies|Home & Garden|"
               "Video Games",
    "Music": "Music Commentary|Music History|Music Interviews",
    "News": "Business News|Daily News|Entertainment News|News Commentary|Politics|"
            "Sports News|Tech News",
    "Religion & Spirituality": "Buddhism|Christianity|Hinduism|Islam|Judaism|Religion|"
                               "Spirituality",
    "Science": "Astronomy|Chemistry|Earth Sciences|Life Sciences|Mathematics|"
               "Natural Sciences|Nature|Physics|Social Sciences",
    "Society & Culture": "Documentary|Personal Journals|Philosophy|Places & Travel|"
                         "Relationships",
    "Sports": "Baseball|Basketball|Cricket|Fantasy Sports|Football|Golf|Hockey|Rugby|"
              "Running|Soccer|Swimming|Tennis|Volleyball|Wilderness|Wrestling",
    "TV & Film": "After Shows|Film History|Film Interviews|Film Reviews|TV Reviews",
}
RETIRED = {
    "Arts": "Literature", "Games & Hobbies": "Automotive|Aviation|Hobbies|Other Games|"
    "Video Games", "Business": "Business News|Management & Marketing|Shopping",
    "Education": "Education|Education Technology|Higher Education|K-12|Language Courses|"
    "Training", "Government & Organizations": "Local|National|Non-Profit|Regional",
    "Health": "Alternative Health|Fitness & Nutrition|Self-Help|Sexuality",
    "News & Politics": "", "Religion & Spirituality": "Other",
    "Science & Medicine": "Medicine|Natural Sciences|Social Sciences",
    "Society & Culture": "History", "Sports & Recreation": "Amateur|College & High School|"
    "Outdoor|Professional", "Technology": "Gadgets|Tech News|Podcasting|Software How-To",
}
DEFINED = frozenset("""author block category complete duration email explicit image
keywords name new-feed-url owner subtitle summary type episodeType episode season title
order isClosedCaptioned applepodcastsverify""".split())
# Seconds, or H:MM:SS, MM:SS, M:SS (hours may be many; leading zeros may go).
_DURATION = re.compile(r"^(\d+|(\d+:)?[0-5]?\d:[0-5]\d)$")
SHOW_ONLY = frozenset({"category", "type", "new-feed-url", "owner", "complete",
                       "applepodcastsverify"})
EPISODE_ONLY = frozenset({"duration", "episode", "season", "episodeType",
                          "isClosedCaptioned", "order"})
IMAGE_TYPES = (".jpg", ".jpeg", ".png")
# Apple: text values up to 255 characters, itunes:summary up to 4000.
LENGTHS = {"title": 255, "subtitle": 255, "author": 255, "keywords": 255, "name": 255,
           "summary": 4000}


def _known(table: dict[str, str], name: str, sub: str | None) -> bool:
    return name in table and (sub is None or sub in table[name].split("|"))


def category(checker: Checker, elem: Any, parent: str | None = None) -> None:
    name = elem.get("text")
    if name is None:
        checker.add("ext-missing-attribute", elem, "<itunes:category> has no text "
                    "attribute")
        return
    main, sub = (parent, name) if parent else (name, None)
    if _known(CATEGORIES, main, sub):
        pass
    elif _known(RETIRED, main, sub) or (_known(CATEGORIES | RETIRED, main, None) and (
            sub is None or sub in RETIRED.get(main, "").split("|"))):
        checker.add("itunes-obsolete-category", elem, f"itunes category '{name}' is one "
                    "Apple has retired; pick one from Apple's current list", token="text=")
    else:
        checker.add("itunes-category", elem, f"'{name}' is not "
                    + (f"a subcategory of '{main}'" if sub else "a category")
                    + " in Apple's list of podcast categories", token="text=")
    for kid in elem:
        if kid.tag == IT + "category":
            category(checker, kid, main if not parent else None)


def element(checker: Checker, elem: Any, local: str, level: str) -> None:
    value = text(elem)
    if local not in DEFINED:
        undefined(checker, elem, "iTunes (Apple Podcasts)")
    elif local in (SHOW_ONLY if level == "entry" else EPISODE_ONLY):
        where = ("the show (channel), not to an episode (item)" if level == "entry" else
                 "an episode (item), not to the show (channel)")
        checker.add("ext-misplaced", elem, f"<itunes:{local}> belongs to {where}")
    elif local in LENGTHS and len(value) > LENGTHS[local]:
        checker.add("itunes-too-long", elem, f"<itunes:{local}> is {len(value)} characters "
                    f"long; Apple takes at most {LENGTHS[local]}")
    elif local == "category":
        category(checker, elem)
    elif local == "explicit":
        choice(checker, elem, value.lower(), ("true", "false", "yes", "no", "clean"),
               "<itunes:explicit>", rule="itunes-explicit")
    elif local in ("block", "complete", "isClosedCaptioned"):
        choice(checker, elem, value.lower(), ("yes", "no", "true", "false"),
               f"<itunes:{local}>")
    elif local == "duration" and not _DURATION.match(value):
        checker.add("itunes-duration", elem, f"<itunes:duration> '{value}' must be seconds "
                    "(3600) or H:MM:SS, MM:SS or M:SS")
    elif local in ("episode", "season"):
        integer(checker, elem, value, f"<itunes:{local}>", positive=True)
    elif local == "type":
        choice(checker, elem, value, ("episodic", "serial"), "<itunes:type>",
               rule="itunes-type")
    elif local == "episodeType":
        choice(checker, elem, value, ("full", "trailer", "bonus"), "<itunes:episodeType>",
               rule="itunes-episode-type")
    elif local == "image":
        image(checker, elem)
    elif local == "new-feed-url":
        url(checker, elem, value, "<itunes:new-feed-url>")
    elif local == "owner":
        if elem.find(IT + "email") is None:
            checker.add("itunes-missing-email", elem, "<itunes:owner> has no <itunes:email>"
                        "; Apple writes to it about the podcast")
        for kid in elem:
            if kid.tag == IT + "email":
                element(checker, kid, "email", level)
    elif local == "email" and address_host(value) is None:
        checker.add("ext-bad-email", elem, f"<itunes:email> '{value}' is not an e-mail "
                    "address")


def image(checker: Checker, elem: Any) -> None:
    """itunes:image href: a full URL of a JPEG or PNG file, named so (Apple's rule)."""
    href = (elem.get("href") or "").strip()
    if elem.get("href") is None:
        checker.add("ext-missing-attribute", elem, "<itunes:image> has no href")
        return
    url(checker, elem, href, "<itunes:image href>", token="href=")
    if is_full_url(href) and not url_path(href).endswith(IMAGE_TYPES):
        checker.add("itunes-image-format", elem, f"<itunes:image href=\"{href}\">: Apple "
                    "takes JPEG or PNG artwork whose URL ends in .jpg or .png",
                    token="href=")
