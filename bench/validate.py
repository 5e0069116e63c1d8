"""Benchmark for `feedkit validate`: a 10,000-entry Atom feed, a 10,000-item RSS
podcast with iTunes and Media RSS elements on every item (and the same items without
them, for the extension modules' share), a 20-entry feed with start-up (a subprocess),
and a 20-post site in project mode (registry, posts.lock, and out/ compared with what
a build writes now), each against its budget; `--big MB` adds peak memory for a feed
of that size.

    .venv/bin/python bench/validate.py [--big 100]
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from corpus import generate

HEAD = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="sv">
  <id>tag:example.org,2020:feed</id>
  <title>Bench</title>
  <updated>2020-02-06T09:30:00+01:00</updated>
  <author><name>Lena</name></author>
  <link rel="self" type="application/atom+xml" href="https://example.org/atom.xml"/>
  <link rel="alternate" type="text/html" href="https://example.org/"/>
"""
ENTRY = """  <entry>
    <id>tag:example.org,2020-02-06:post-{n}</id>
    <title>Post {n}: många små steg</title>
    <updated>2020-02-06T09:30:00+01:00</updated>
    <published>2020-02-06T09:30:00+01:00</published>
    <author><name>Anna Kanervo</name></author>
    <link rel="alternate" type="text/html" href="https://example.org/post-{n}/"/>
    <summary>Vad har egentligen hänt under de senaste två åren? Har något förändrats?</summary>
    <content type="html">&lt;p&gt;Allmännyttans innovationslabb startades med stora
ambitioner: att hitta de bästa metoderna för bostadsaktörer.&lt;/p&gt;</content>
    <category term="labb"/>
  </entry>
"""


PODCAST_HEAD = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"
     xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"
     xmlns:media="http://search.yahoo.com/mrss/">
  <channel>
    <title>Bench</title>
    <link>https://example.org/</link>
    <description>Ett samtal om bostäder.</description>
    <language>sv</language>
    <atom:link rel="self" type="application/rss+xml" href="https://example.org/rss.xml"/>
    <itunes:image href="https://example.org/cover.jpg"/>
    <itunes:category text="Society &amp; Culture"><itunes:category text="Documentary"/>
    </itunes:category>
    <itunes:explicit>false</itunes:explicit>
    <itunes:owner><itunes:name>Lena</itunes:name><itunes:email>lena@example.org</itunes:email>
    </itunes:owner>
"""
ITEM = """    <item>
      <title>Avsnitt {n}: många små steg</title>
      <link>https://example.org/avsnitt-{n}/</link>
      <description>Vad har egentligen hänt under de senaste två åren?</description>
      <guid isPermaLink="false">tag:example.org,2020-02-06:avsnitt-{n}</guid>
      <pubDate>Thu, 06 Feb 2020 09:30:00 +0100</pubDate>
      <enclosure url="https://example.org/avsnitt-{n}.mp3" length="12345678" type="audio/mpeg"/>
{extensions}    </item>
"""
EXTENSIONS = """      <itunes:duration>1:02:03</itunes:duration>
      <itunes:episode>{n}</itunes:episode>
      <itunes:episodeType>full</itunes:episodeType>
      <itunes:image href="https://example.org/avsnitt-{n}.png"/>
      <media:content url="https://example.org/avsnitt-{n}.mp4" type="video/mp4"
                     medium="video" fileSize="12345678" duration="3723" width="1280"
                     height="720"><media:title type="plain">Avsnitt {n}</media:title>
        <media:hash algo="md5">d41d8cd98f00b204e9800998ecf8427e</media:hash></media:content>
      <media:thumbnail url="https://example.org/avsnitt-{n}.jpg" width="320" time="12.5"/>
      <media:rating scheme="urn:simple">nonadult</media:rating>
"""


def write_podcast(path: Path, items: int, extensions: bool) -> int:
    """The 10,000-item podcast; without `extensions`, the items lose their itunes: and
    media: elements (the channel keeps its own)."""
    with path.open("w", encoding="utf-8") as handle:
        handle.write(PODCAST_HEAD)
        for n in range(1, items + 1):
            handle.write(ITEM.format(n=n, extensions=EXTENSIONS.format(n=n)
                                     if extensions else ""))
        handle.write("  </channel>\n</rss>\n")
    return path.stat().st_size


def write_feed(path: Path, entries: int) -> int:
    with path.open("w", encoding="utf-8") as handle:
        handle.write(HEAD)
        for n in range(entries):
            handle.write(ENTRY.format(n=n))
        handle.write("</feed>\n")
    return path.stat().st_size


def best_of(runs: int, action) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def best_child_cpu(runs: int, command: list[str], **options) -> float:
    """Best CPU time (user + system) of a subprocess running `command`."""
    times = []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(command, check=True, capture_output=True, **options)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        times.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return min(times)


def best_cpu(runs: int, action) -> float:
    """Best CPU time of this process: less bent by other processes on a shared machine
    than the wall clock (still somewhat, through the caches)."""
    times = []
    for _ in range(runs):
        start = time.process_time()
        action()
        times.append(time.process_time() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--big", type=int, default=0, help="also measure a feed of this many MB")
    args = parser.parse_args()
    from feedkit.validate import validate_file

    now = datetime(2024, 1, 1, tzinfo=UTC)
    feedkit = Path(sys.executable).with_name("feedkit")
    with tempfile.TemporaryDirectory() as tmp:
        large = Path(tmp) / "large.xml"
        size = write_feed(large, 10_000)
        report = validate_file(large, now=now)
        assert report.messages == [], report.messages[:3]
        seconds = best_of(3, lambda: validate_file(large, now=now))
        cpu = best_cpu(3, lambda: validate_file(large, now=now))
        print(f"10,000 entries ({size / 2**20:.1f} MB), in process: {seconds:.2f} s "
              f"= {seconds / 2.0:.2f} of the 2 s budget (CPU {cpu:.2f} s = {cpu / 2.0:.2f})")

        podcast, plain = Path(tmp) / "podcast.xml", Path(tmp) / "plain.xml"
        size = write_podcast(podcast, 10_000, extensions=True)
        write_podcast(plain, 10_000, extensions=False)
        for feed in (podcast, plain):
            report = validate_file(feed, now=now)
            assert report.messages == [], report.messages[:3]
        with_ext = best_of(3, lambda: validate_file(podcast, now=now))
        cpu = best_cpu(3, lambda: validate_file(podcast, now=now))
        without = best_cpu(3, lambda: validate_file(plain, now=now))
        print(f"10,000-item podcast with iTunes and Media RSS on every item "
              f"({size / 2**20:.1f} MB), in process: {with_ext:.2f} s = "
              f"{with_ext / 2.0:.2f} of the 2 s budget (CPU {cpu:.2f} s = {cpu / 2.0:.2f}); "
              f"the same items without them: CPU {without:.2f} s (x{cpu / without:.2f})")

        small = Path(tmp) / "small.xml"
        write_feed(small, 20)
        command = [str(feedkit), "validate", "--strict", "--now", "2024-01-01", str(small)]

        def once() -> None:
            subprocess.run(command, check=True, capture_output=True)

        seconds = best_of(5, once)
        cpu = best_child_cpu(5, command)
        print(f"20 entries, `feedkit validate` subprocess: {seconds:.3f} s "
              f"= {seconds / 0.3:.2f} of the 0.3 s budget (CPU {cpu:.3f} s = "
              f"{cpu / 0.3:.2f})")

        site = Path(tmp) / "site"
        site.mkdir()
        (site / "posts.yaml").write_text(generate(20, tags=4), encoding="utf-8")
        subprocess.run([str(feedkit), "build", "--now", "2024-01-01"], cwd=site, check=True,
                       capture_output=True)
        project = [str(feedkit), "validate", "--strict", "--now", "2024-01-01"]
        done = subprocess.run(project, cwd=site, capture_output=True, text=True)
        assert done.returncode == 0 and "all valid" in done.stdout, done.stdout + done.stderr
        seconds = best_of(5, lambda: subprocess.run(project, cwd=site, check=True,
                                                    capture_output=True))
        cpu = best_child_cpu(5, project, cwd=site)
        files = done.stdout.splitlines()[-1].split(" files checked")[0]
        print(f"20-post site ({files} files), `feedkit validate` in project mode, "
              f"subprocess: {seconds:.3f} s = {seconds / 0.3:.2f} of the 0.3 s budget "
              f"(CPU {cpu:.3f} s = {cpu / 0.3:.2f})")

        if args.big:
            big = Path(tmp) / "big.xml"
            size = write_feed(big, args.big * 2**20 // len(ENTRY.format(n=10_000)))
            code = ("import sys, resource; from datetime import datetime, UTC; "
                    "from pathlib import Path; from feedkit.validate import validate_file; "
                    "r = validate_file(Path(sys.argv[1]), now=datetime(2024,1,1,tzinfo=UTC)); "
                    "assert not r.messages, r.messages[:3]")
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", code, str(big)], check=True)
            seconds = time.perf_counter() - start
            peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
            print(f"{size / 2**20:.0f} MB feed: {seconds:.1f} s, peak memory "
                  f"{peak / 2**20:.0f} MB = {peak / size:.2f}x the file")


if __name__ == "__main__":
    main()
