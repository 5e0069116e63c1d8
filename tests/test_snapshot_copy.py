"""The registry's copy a whole build keeps for the next one to patch (jobs/snapshot.py):
read again a block at a time, every piece checked against the source it was parsed
under, and none kept when the file changed since."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_incremental import SITE, post

from feedkit.jobs import snapshot
from feedkit.jobs.reading import source_hash
from feedkit.load.pieces import layout


def _rows(data: bytes) -> tuple[object, list[tuple[int, str, object]]]:
    plan = layout(data)
    assert plan is not None
    rows = []
    for k, start in enumerate(plan.starts):
        digest = source_hash(plan)
        digest.update(data[start:plan.end(k + 1)])
        rows.append((k, digest.hexdigest()[:32], None))
    return plan, rows


@pytest.mark.parametrize("block", [7, 100, 1 << 20])
def test_the_copy_is_the_file_whatever_the_block(tmp_path: Path, block: int,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(snapshot, "_COPY_BLOCK", block)
    registry = tmp_path / "posts.yaml"
    data = (SITE + "".join(post(i) for i in range(12, 0, -1))).encode()
    registry.write_bytes(data)
    plan, rows = _rows(data)
    assert len(rows) == 12
    ref = snapshot._copy_checked(tmp_path, "snap", registry, plan, rows)
    assert ref is not None and ref.size == len(data)
    assert (tmp_path / ref.name).read_bytes() == data


@pytest.mark.parametrize("change", ["a piece edited", "a post added at the end",
                                    "the file cut short"])
def test_no_copy_when_the_file_changed_since_it_was_parsed(tmp_path: Path,
                                                           change: str) -> None:
    registry = tmp_path / "posts.yaml"
    data = (SITE + "".join(post(i) for i in range(6, 0, -1))).encode()
    plan, rows = _rows(data)
    changed = {"a piece edited": data.replace("inlägg 3,".encode(), "inlägg 4,".encode()),
               "a post added at the end": data + post(0).encode(),
               "the file cut short": data[:-10]}[change]
    assert changed != data
    registry.write_bytes(changed)
    assert snapshot._copy_checked(tmp_path, "snap", registry, plan, rows) is None
    assert not list(tmp_path.glob("snap-*.bytes"))
