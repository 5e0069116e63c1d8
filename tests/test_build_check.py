"""`feedkit build --check`: writes nothing, exit 1 listing stale files, 0 when fresh."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from feedkit.cli import app

NOW = "2024-01-01T00:00:00+00:00"


def run(*args: str):
    return CliRunner().invoke(app, list(args))


def test_check_lists_a_stale_out_and_leaves_it_untouched(
    example_registry: Path, tmp_path: Path
) -> None:
    registry = tmp_path / "posts.yaml"
    registry.write_bytes(example_registry.read_bytes())
    out = tmp_path / "out"
    args = ["--registry", str(registry), "--out", str(out), "--now", NOW]
    assert run("build", *args).exit_code == 0
    fresh = run("build", "--check", *args)
    # The build's own list of what it wrote (.feedkit-manifest) is not an output.
    count = sum(1 for p in out.rglob("*") if p.is_file() and p.name != ".feedkit-manifest")
    assert (fresh.exit_code, fresh.stdout) == (0, f"{out} is up to date ({count} files)\n")

    text = registry.read_text(encoding="utf-8")
    registry.write_text(text.replace("statsminister Stefan", "statsministern Stefan"),
                        encoding="utf-8")
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.rglob("*") if p.is_file()}
    stale = run("build", "--check", *args)
    assert stale.exit_code == 1
    assert f"would change {out / 'atom.xml'}" in stale.stdout.splitlines()
    after = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.rglob("*") if p.is_file()}
    assert after == before, "--check wrote to out/"

    (out / "atom.xml").write_bytes(b"edited by hand\n")
    assert run("build", "--check", *args).exit_code == 1
    assert run("build", *args).exit_code == 0
    assert run("build", "--check", *args).exit_code == 0


def test_check_with_a_broken_registry_reports_it_and_writes_nothing(tmp_path: Path) -> None:
    registry = tmp_path / "posts.yaml"
    registry.write_text("site:\n  title: T\nposts: []\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run("build", "--check", "--registry", str(registry), "--out", str(out))
    assert result.exit_code == 1
    assert "site.url: missing" in result.output
    assert not out.exists()
