"""The wheel carries the default templates and runs from a folder with only posts.yaml."""

import os
import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import ROOT


def test_wheel_carries_templates_and_builds_elsewhere(tmp_path: Path,
                                                      example_registry: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--wheel-dir", str(wheels), str(ROOT)],
        check=True, capture_output=True,
    )
    (wheel,) = wheels.glob("feedkit_se-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {p.relative_to(ROOT).as_posix() for p in (ROOT / "templates").rglob("*")
               if p.is_file()}
    assert shipped
    assert {f"feedkit/{name}" for name in shipped} <= names

    target = tmp_path / "site-packages"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target",
         str(target), str(wheel)],
        check=True, capture_output=True,
    )
    site = tmp_path / "site"
    site.mkdir()
    (site / "posts.yaml").write_bytes(example_registry.read_bytes())
    env = {**os.environ, "PYTHONPATH": str(target), "SOURCE_DATE_EPOCH": "1767225600"}
    code = "import feedkit, sys; from feedkit.cli import main; print(feedkit.__file__); main()"
    done = subprocess.run([sys.executable, "-c", code, "build"], cwd=site, env=env,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0].startswith(str(target))
    assert (site / "out" / "atom.xml").is_file()
