"""The README's pictures: the digest (light and dark at 600 px, a phone at 375 px) and
the feed as a feed reader shows it.

Run with `make screenshots`, which installs what it needs from Debian. The digest is
the example registry's, built and shown by Debian's Chromium (tests/browser.py),
headless: docs/digest-light.png, docs/digest-dark.png and docs/digest-phone.png.

The reader is a real one: Debian's Liferea, in a virtual X display (Xvfb), subscribed
to the example site's Atom feed. The site is built with its URL on a local HTTP
server (127.0.0.1), so that Liferea fetches the feed, the page and the icon from this
machine only; the first unread post is opened (Ctrl+N), and ImageMagick's `import`
takes the picture: docs/feed-reader.png.
"""

from __future__ import annotations

import functools
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

NOW = datetime(2020, 3, 1, tzinfo=UTC)
SHOTS = (("digest-light.png", 600, "light"), ("digest-dark.png", 600, "dark"),
         ("digest-phone.png", 375, "light"))
SITE = "https://www.allmannyttan.se/innovationslabb/dagbok/"
SIZE = (1000, 620)
# Liferea's settings (gsettings): the window's size, three panes one above the other,
# the feed updated as it is added even without a route to the internet, no plugins.
LIFEREA = {"last-window-width": SIZE[0], "last-window-height": SIZE[1],
           "last-window-x": 0, "last-window-y": 0, "default-view-mode": 0,
           "last-hpane-pos": 260, "last-vpane-pos": 230, "startup-feed-action": 0,
           "intranet-connectivity": "true", "enable-plugins": "false"}
EMPTY_FEEDLIST = ('<?xml version="1.0" encoding="utf-8"?>\n<opml version="1.0"><head>'
                  "<title>feedkit</title></head><body></body></opml>\n")


def digest() -> None:
    from browser import chromium

    from feedkit.jobs.build import build

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        build(ROOT / "posts.yaml", out, now=NOW)
        html = (out / "digest.html").read_text("utf-8")
        with chromium() as browser:
            for name, width, scheme in SHOTS:
                page = browser.new_page(viewport={"width": width, "height": 900},
                                        color_scheme=scheme, device_scale_factor=1)
                page.set_content(html)
                page.screenshot(path=str(ROOT / "docs" / name), full_page=False)
                page.close()
                print(f"wrote docs/{name}")


class _Handler(SimpleHTTPRequestHandler):
    fetched: set[str] = set()

    def log_message(self, format: str, *args: object) -> None:
        type(self).fetched.add(self.path)


def reader() -> None:
    from feedkit.jobs.build import build

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        server = ThreadingHTTPServer(("127.0.0.1", 0),
                                     functools.partial(_Handler, directory=str(root / "www")))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        local = f"http://127.0.0.1:{server.server_address[1]}/innovationslabb/dagbok/"
        registry = root / "posts.yaml"
        registry.write_text((ROOT / "posts.yaml").read_text("utf-8").replace(SITE, local),
                            "utf-8")
        build(registry, root / "www" / "innovationslabb" / "dagbok", now=NOW)
        home = root / "home"
        (home / ".config" / "liferea").mkdir(parents=True)
        (home / ".config" / "liferea" / "feedlist.opml").write_text(EMPTY_FEEDLIST, "utf-8")
        closed = "http://127.0.0.1:9"  # anything that isn't local would fail here
        env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "TZ": "Europe/Stockholm",
               "LANG": "C.UTF-8", "NO_AT_BRIDGE": "1", "http_proxy": closed,
               "https_proxy": closed, "no_proxy": "127.0.0.1"}
        xvfb = subprocess.Popen(["Xvfb", "-displayfd", "1", "-screen", "0",
                                 f"{SIZE[0]}x{SIZE[1]}x24", "-nolisten", "tcp"],
                                stdout=subprocess.PIPE, text=True)
        running: list[subprocess.Popen[str]] = [xvfb]
        try:
            assert xvfb.stdout is not None
            env["DISPLAY"] = ":" + xvfb.stdout.readline().strip()
            settings = "".join(f"gsettings set net.sf.liferea {key} {value}; "
                               for key, value in LIFEREA.items())
            running.append(subprocess.Popen(
                ["dbus-run-session", "--", "sh", "-c",
                 f"{settings}exec liferea --disable-plugins --add-feed={local}atom.xml"],
                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True,
                start_new_session=True))
            subprocess.run(["xdotool", "search", "--sync", "--onlyvisible", "--name",
                            "Liferea"], env=env, check=True, capture_output=True, timeout=60)
            deadline = time.monotonic() + 30
            while "/innovationslabb/dagbok/atom.xml" not in _Handler.fetched:
                assert time.monotonic() < deadline, "Liferea did not fetch the feed"
                time.sleep(0.2)
            time.sleep(3)  # parsed and listed
            subprocess.run(["xdotool", "key", "ctrl+n"], env=env, check=True)  # next unread
            time.sleep(3)
            subprocess.run(["import", "-window", "root", str(ROOT / "docs" / "feed-reader.png")],
                           env=env, check=True)
            print("wrote docs/feed-reader.png")
        finally:
            for process in reversed(running):
                if process is not xvfb:
                    os.killpg(process.pid, signal.SIGTERM)
                else:
                    process.terminate()
                process.wait(10)
            server.shutdown()


def main() -> None:
    digest()
    reader()


if __name__ == "__main__":
    main()
