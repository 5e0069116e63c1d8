"""out/ that can't be written: a clear error naming what failed and where, exit 1,
no traceback, and out/ exactly as it was (real permission and size-limit errors)."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOW = "2030-01-01T00:00:00+00:00"


@pytest.fixture
def site() -> Iterator[Path]:
    """A folder anyone can read (the read-only test runs the CLI as another user)."""
    folder = Path(tempfile.mkdtemp(prefix="feedkit-out-errors-"))
    folder.chmod(0o755)
    (folder / "posts.yaml").write_bytes((ROOT / "posts.yaml").read_bytes())
    (folder / "posts.yaml").chmod(0o644)
    yield folder
    subprocess.run(["rm", "-rf", str(folder)], check=False)


def without_dac_override() -> None:
    """In the child: drop CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH (prctl
    PR_CAPBSET_DROP), so even root gets "Permission denied" from a 0555 folder."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):
        if libc.prctl(24, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def build(site: Path, **popen: object) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        [sys.executable, "-c", "from feedkit.cli import main; main()", "build",
         "-r", str(site / "posts.yaml"), "-o", str(site / "out"), "--now", NOW],
        capture_output=True, text=True, env=env, check=False, **popen)  # type: ignore[call-overload]


def test_out_that_is_not_writable(site: Path) -> None:
    out = site / "out"
    out.mkdir()
    (out / "atom.xml").write_bytes(b"previous feed")
    out.chmod(0o555)
    before = snapshot(out)
    # Root writes anywhere: without the capability to override file modes it can't.
    result = build(site, preexec_fn=without_dac_override if os.geteuid() == 0 else None)
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith(f"Error: can't write in {out}: Permission denied"), \
        result.stderr
    assert "Traceback" not in result.stderr
    out.chmod(0o755)
    assert snapshot(out) == before


def test_a_full_disk_while_staging(site: Path) -> None:
    """The file-size limit makes writes fail as a full disk does (EFBIG vs ENOSPC)."""
    out = site / "out"
    out.mkdir()
    (out / "atom.xml").write_bytes(b"previous feed")
    before = snapshot(out)

    def small_files() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (16_000, 16_000))

    result = build(site, preexec_fn=small_files)
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith(f"Error: can't write {out}/"), result.stderr
    assert f"File too large; {out} was left as it was" in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(out) == before
