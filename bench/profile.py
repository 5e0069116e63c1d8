"""Where a whole `feedkit build` spends its time: each stage timed alone, on one core.

Run: .venv/bin/python bench/profile.py [N]   (default 10,000 posts, bench/corpus.py
with 200 tags). Every stage is timed separately, best of ROUNDS, in this process,
with worker processes off, so the shares add up to the single-core cost of a
build; the last lines show what forking workers costs. The figures go into
bench/README.md ("Where the time goes").
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.corpus import generate  # noqa: E402

ROUNDS = 3
NOW = datetime(2100, 1, 1, tzinfo=UTC)


def best(action: Callable[[], Any]) -> float:
    times = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    import yaml

    from feedkit.jobs import reading as reading_module
    from feedkit.jobs.build import default_writers
    from feedkit.jobs.reading import read_registry
    from feedkit.load import load
    from feedkit.load.yamlstream import ItemStream, top_level
    from feedkit.outputs import OutputSet, StagedOutputs
    from feedkit.text import content
    from feedkit.text.content import use_texts
    from feedkit.text.excerpt import truncate
    from feedkit.writers import parallel
    from feedkit.writers.context import BuildContext
    from feedkit.writers.entries import use_entries
    from feedkit.writers.isolated import Isolated

    n_posts = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    parallel.PARALLEL_FROM = 10**12  # one core: every stage in this process
    reading_module.PARALLEL_FROM = 10**12
    rows: list[tuple[str, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        registry = Path(tmp) / "posts.yaml"
        registry.write_text(generate(n_posts, seed=1, tags=200), "utf-8")
        data = registry.read_bytes()
        floor = best(lambda: yaml.load(data, Loader=yaml.CSafeLoader))

        def events() -> None:
            loader = yaml.CSafeLoader(data)
            while loader.check_event():
                loader.get_event()
            loader.dispose()

        def compose() -> None:
            for _, value in top_level(data, "posts", after="site"):
                if isinstance(value, ItemStream):
                    for _ in value:
                        pass

        rows.append(("YAML events (libyaml)", best(events)))
        rows.append(("composing the posts' nodes", best(compose) - rows[-1][1]))
        whole_load = best(lambda: load(registry))
        rows.append(("checking fields, making posts", whole_load - best(compose)))
        posts = load(registry).posts
        html = {}

        def markdown() -> None:
            md = content._markdown()
            for post in posts:
                html[post.id] = md.render(post.body)

        def sanitize() -> None:
            for post in posts:
                content._base.url = post.url
                content._cleaner().clean(html[post.id])

        def excerpts() -> None:
            for post in posts:
                text = content.leading_text(html[post.id], 250 + 128)
                truncate(text, 250, "...")

        rows.append(("Markdown (markdown-it-pyrs)", best(markdown)))
        rows.append(("sanitising (nh3)", best(sanitize)))
        content.render_markdown.cache_clear()
        rows.append(("excerpts (plain text, cut)", best(excerpts)))
        # How a build reads: in pieces, parsing and rendering texts into the store
        # (all pieces on this core here), then from the state (nothing changed).
        cache = Path(tmp) / ".feedkit" / "cache" / "read-x"
        counter = iter(range(100))

        def read_fresh() -> Any:
            return read_registry(registry, cache.with_name(f"read-{next(counter)}"))

        rows.append(("reading in pieces: parse + texts into the store", best(read_fresh)))
        reading = read_fresh()
        rows.append(("reading from the state (nothing changed)", best(
            lambda: read_registry(registry, cache, previous=reading.state))))
        use_texts(reading.store.get)
        use_entries(reading.store)  # the entries the reading stored, as a build joins them
        for writer in default_writers():
            inner = writer.writers if isinstance(writer, Isolated) else (writer,)
            for each in inner:
                def run(each: Any = each) -> None:
                    _clear()
                    context = BuildContext(registry=reading.registry, now=NOW)
                    each.write(context, OutputSet())

                name = getattr(getattr(each, "writer", each), "name", type(each).__name__)
                rows.append((f"writer {name} (texts from the store)", best(run)))
        context = BuildContext(registry=reading.registry, now=NOW)
        files = OutputSet()
        for writer in default_writers():
            writer.write(context, files)
        rounds = iter(range(ROUNDS))

        timings: list[tuple[float, float]] = []

        def write_files() -> None:
            started = time.perf_counter()
            outputs = StagedOutputs(Path(tmp) / f"out{next(rounds)}", prune=True)
            for path, blob in files.files.items():
                outputs.add(path, blob)
            staged_at = time.perf_counter()
            outputs.commit()
            timings.append((staged_at - started, time.perf_counter() - staged_at))

        best(write_files)
        size = sum(map(len, files.files.values())) / 1e6
        rows.append((f"staging {len(files.files)} files ({size:.0f} MB)",
                     min(t[0] for t in timings)))
        rows.append(("committing them (fsync, journal, renames)", min(t[1] for t in timings)))

        def fork_pool() -> None:
            import multiprocessing

            with multiprocessing.get_context("fork").Pool(min(os.cpu_count() or 1, 8)) as pool:
                pool.map(abs, range(4))

        rows.append(("forking a pool of workers (start-up, each time)", best(fork_pool)))
    print(f"posts: {n_posts}; PyYAML CSafeLoader load (the floor): {floor:.2f} s")
    total = sum(s for name, s in rows if not name.startswith("forking"))
    for name, seconds in rows:
        print(f"{name:58s} {seconds:6.3f} s  {seconds / floor:5.2f}x floor")
    print(f"{'sum on one core (writers include texts again)':58s} {total:6.3f} s")


def _clear() -> None:
    """Forget every per-post cache, so each writer pays for the texts it shows."""
    import feedkit.writers as writers
    from feedkit.text.content import render_markdown

    render_markdown.cache_clear()
    for name in ("entries", "atom", "rss", "jsonfeed"):
        module = getattr(writers, name, None)
        for attr in ("kept_texts", "kept_entry", "kept_item"):
            cached = getattr(module, attr, None)
            if cached is not None:
                cached.cache_clear()


if __name__ == "__main__":
    main()
