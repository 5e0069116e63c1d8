"""out/ over HTTP with Starlette's StaticFiles: the feeds' own Content-Types, ETag and
Last-Modified with 304 on a conditional GET (the library's), gzip by the app's
GZipMiddleware, and every stat and read in a worker thread, never on the event loop.

Hidden files (a build's temporary files, .git, a state kept beside out/), `..` and
anything outside out/ are never served; symlinks are followed only inside out/.
"""

from __future__ import annotations

import mimetypes
import os
from pathlib import Path
from typing import Any

from starlette.datastructures import Headers
from starlette.responses import FileResponse, Response
from starlette.staticfiles import NotModifiedResponse, StaticFiles
from starlette.types import Scope

TYPES = {
    "atom.xml": "application/atom+xml; charset=utf-8",
    "rss.xml": "application/rss+xml; charset=utf-8",
    "feed.json": "application/feed+json; charset=utf-8",
    ".xml": "application/atom+xml; charset=utf-8",  # archive pages are Atom documents
    ".xsl": "text/xsl; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".json": "application/json",
    ".eml": "message/rfc822",
}
# Headers on every file of out/ (the list's own pages carry a stricter set).
FILE_HEADERS = {"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff",
                "Referrer-Policy": "strict-origin-when-cross-origin"}


def content_type(path: str) -> str:
    name = os.path.basename(path)
    found = TYPES.get(name) or TYPES.get(os.path.splitext(name)[1].lower())
    if found:
        return found
    guessed = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return f"{guessed}; charset=utf-8" if guessed.startswith("text/") else guessed


class OutFiles(StaticFiles):
    """The files of one out/ folder; a folder's index.html answers for it."""

    def __init__(self, root: Path) -> None:
        super().__init__(directory=root, html=True, check_dir=False)

    async def check_config(self) -> None:
        """out/ may not exist yet (`serve --reload` before the first build): 404s."""

    def lookup_path(self, path: str) -> tuple[str, os.stat_result | None]:
        parts = path.replace("\\", "/").split("/")
        if any(p.startswith(".") and p != "." for p in parts) or "\0" in path:
            return "", None
        return super().lookup_path(path)

    def file_response(self, full_path: Any, stat_result: os.stat_result, scope: Scope,
                      status_code: int = 200) -> Response:
        response = FileResponse(full_path, status_code=status_code, stat_result=stat_result,
                                media_type=content_type(str(full_path)), headers=FILE_HEADERS)
        if self.is_not_modified(response.headers, Headers(scope=scope)):
            return NotModifiedResponse(response.headers)
        return response
