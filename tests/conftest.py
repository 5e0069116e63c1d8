"""Shared fixtures: golden-file comparison (`pytest --update-golden`), paths, and the
state backends (a SQLite file, a fresh database on a real PostgreSQL server)."""

from __future__ import annotations

import difflib
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests draw the same examples on every run (`make test`, CI), so a failure
# is reproducible and never a matter of luck; HYPOTHESIS_PROFILE=explore draws new
# ones each run (and more of them) to look for what the fixed ones miss.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("explore", max_examples=1000, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden", action="store_true", default=False,
        help="Rewrite tests/golden/* from the current outputs instead of comparing.",
    )


def check_golden(path: Path, actual: bytes | str, *, update: bool) -> None:
    """Compare `actual` with the golden file at `path` (a unified diff on mismatch),
    or rewrite the file when `update` (`pytest --update-golden`, `make golden`)."""
    data = actual.encode("utf-8") if isinstance(actual, str) else actual
    if update:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return
    assert path.exists(), f"no golden file {path}; run `make golden` to create it"
    expected = path.read_bytes()
    if data != expected:
        diff = difflib.unified_diff(
            expected.decode("utf-8", "replace").splitlines(keepends=True),
            data.decode("utf-8", "replace").splitlines(keepends=True),
            fromfile=str(path.relative_to(ROOT)), tofile="actual",
        )
        pytest.fail("output differs from the golden file (update on purpose with "
                    "`make golden`):\n" + "".join(diff), pytrace=False)


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture
def golden(update_golden: bool):
    """golden(name, actual): compare with tests/golden/<name>, or rewrite it on request."""

    def check(name: str, actual: bytes | str) -> None:
        check_golden(GOLDEN / name, actual, update=update_golden)

    return check


@pytest.fixture
def example_registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the example registry at the top of the repository, with its posts.lock,
    in a folder of its own: builds write their lock beside it, not into the checkout."""
    folder = tmp_path_factory.mktemp("example")
    for name in ("posts.yaml", "posts.lock"):
        if (ROOT / name).exists():
            shutil.copy(ROOT / name, folder / name)
    return folder / "posts.yaml"


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless, shared by the tests of one module (see browser.py).
    Not the session's: while Playwright's sync API is open, its event loop counts as
    running in the test process, and a later test of the same worker that calls
    asyncio.run (the send pool) would fail."""
    from browser import chromium

    with chromium() as launched:
        yield launched


@pytest.fixture(scope="session")
def postgres_url():
    """A real PostgreSQL server for the session (see pg.py); its connection URL."""
    from pg import postgres_server

    with postgres_server() as url:
        yield url


@pytest.fixture
def pg_state(postgres_url: str):
    """The URL of a new, empty database on the session's PostgreSQL server."""
    from pg import fresh_database

    with fresh_database(postgres_url) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def state_at(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a test's state lives, once per backend: a file path or a postgresql:// URL."""
    if request.param == "sqlite":
        return str(tmp_path / ".feedkit" / "state.sqlite")
    return str(request.getfixturevalue("pg_state"))
