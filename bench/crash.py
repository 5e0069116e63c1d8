"""Crash loop: kill `feedkit build` of a 5,000-post registry again and again.

Half the kills land at random moments of the build, half inside its commit (the
rename phase, by FEEDKIT_FAULT=commit:N). After each, `feedkit validate` runs
(any command touching out/ finishes a journaled commit) and out/ must be exactly
the whole old build or the whole new one, with no temporary file left.

    .venv/bin/python bench/crash.py [--posts 5000] [--kills 24]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from registry_factory import registry_yaml  # noqa: E402

NOW = "2030-01-01T00:00:00+00:00"
OPTIONS = {"feed_entries": 20, "archive_page_size": 50}


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", "from feedkit.cli import main; main()",
                             *args], env={**os.environ, **(env or {})},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=5000)
    parser.add_argument("--kills", type=int, default=24)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="feedkit-crash-"))
    try:
        registry, out = work / "posts.yaml", work / "out"
        texts = [registry_yaml(args.posts + extra, options=OPTIONS, offset="+00:00",
                               tags=lambda i, t=tag: [f"{t}{i % 7}"])
                 for extra, tag in ((0, "gammal"), (5, "ny"))]
        refs = []
        for name, text in zip(("old", "new"), texts, strict=True):
            registry.write_text(text, "utf-8")
            started = time.perf_counter()
            assert run("build", "-r", str(registry), "-o", str(work / name), "--now", NOW
                       ).wait() == 0
            took = time.perf_counter() - started
            refs.append(tree(work / name))
        old, new = refs
        chance = random.Random(5000)
        outcomes = {"old": 0, "new": 0}
        for kill in range(args.kills):
            shutil.rmtree(out, ignore_errors=True)
            shutil.copytree(work / "old", out)
            if kill % 2:
                env = {"FEEDKIT_FAULT": f"commit:{chance.randrange(0, 400)}"}
                process = run("build", "-r", str(registry), "-o", str(out), "--now", NOW,
                              env=env)
                process.wait()
            else:
                process = run("build", "-r", str(registry), "-o", str(out), "--now", NOW)
                time.sleep(chance.uniform(0, took))
                process.send_signal(signal.SIGKILL)
                process.wait()
            run("validate", "-r", str(registry), "-o", str(out), "--now", NOW).wait()
            settled = tree(out)
            leftovers = [p for p in out.rglob("*") if p.name.endswith(".tmp")]
            assert not leftovers, leftovers[:3]
            assert settled in (old, new), f"kill {kill}: out/ is neither build"
            outcomes["new" if settled == new else "old"] += 1
        print(f"posts               {args.posts} ({len(new)} files in out/)")
        print(f"one build           {took:.2f} s")
        print(f"kills               {args.kills} (half at random moments, half in the commit)")
        print(f"out/ afterwards     whole old {outcomes['old']}, whole new {outcomes['new']}, "
              "mixed 0, temp files 0")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
