"""A wheelhouse made offline from this test environment, for installs that must not touch
an index: each distribution a requirement needs (recursively) is packed back into a
wheel from the files it installed here, so the versions are exactly those under test.

pip then installs with `--no-index --find-links` this folder (see `offline_pip_env`).
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import zipfile
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

# dist-info files an installer writes for itself; not part of a wheel.
_INSTALLER_FILES = {"RECORD", "INSTALLER", "REQUESTED", "direct_url.json"}


def _key(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def needed(requirements: Iterable[str]) -> dict[str, metadata.Distribution]:
    """The installed distributions `requirements` need, their dependencies included,
    with environment markers (and the extras asked for) evaluated here."""
    found: dict[str, metadata.Distribution] = {}
    todo = [(Requirement(text), "") for text in requirements]
    while todo:
        requirement, extra = todo.pop()
        if requirement.marker and not requirement.marker.evaluate({"extra": extra}):
            continue
        key = _key(requirement.name)
        dist = metadata.distribution(requirement.name)
        assert requirement.specifier.contains(dist.version, prereleases=True), (
            f"{requirement} is not satisfied here by {dist.version}")
        extras = sorted(requirement.extras)
        if key in found and not extras:
            continue
        found[key] = dist
        for text in dist.requires or []:
            for wanted in ["", *extras]:
                todo.append((Requirement(text), wanted))
    return found


def repack(dist: metadata.Distribution, folder: Path) -> Path:
    """Write `dist` as a wheel into `folder` from its installed files (scripts are
    made again from entry_points.txt on install; bytecode is left out)."""
    info = next(f for f in dist.files or [] if f.name == "WHEEL")
    wheel_meta = info.read_text() or ""
    tags = [line.split(":", 1)[1].strip().split("-") for line in wheel_meta.splitlines()
            if line.startswith("Tag:")]
    # The file name carries the compressed tag set: py2.py3-none-any.
    tag = "-".join(".".join(sorted({t[i] for t in tags})) for i in range(3))
    name = re.sub(r"[-_.]+", "_", dist.metadata["Name"])
    target = folder / f"{name}-{dist.version}-{tag}.whl"
    record = []
    with zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as wheel:
        for file in sorted(dist.files or [], key=str):
            path = file.as_posix()
            if path.startswith("..") or "__pycache__" in path or path.endswith(".pyc"):
                continue
            if info.parent.as_posix() == file.parent.as_posix() and \
                    file.name in _INSTALLER_FILES:
                continue
            data = Path(str(dist.locate_file(file))).read_bytes()
            wheel.writestr(path, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            record.append(f"{path},sha256={digest.decode()},{len(data)}")
        record_path = f"{info.parent.as_posix()}/RECORD"
        record.append(f"{record_path},,")
        wheel.writestr(record_path, "\n".join(record) + "\n")
    return target


def wheelhouse(folder: Path, requirements: Iterable[str]) -> Path:
    """`folder` holding a wheel of every distribution `requirements` need."""
    folder.mkdir(parents=True, exist_ok=True)
    for dist in needed(requirements).values():
        repack(dist, folder)
    return folder


def offline_pip_env(wheels: Path, base: dict[str, str] | None = None) -> dict[str, str]:
    """Environment in which pip installs only from `wheels`: no index, no configuration
    file of this machine, and a proxy on a closed local port, so that anything that
    still tried the network would fail at once instead of going out."""
    env = dict(os.environ if base is None else base)
    env = {k: v for k, v in env.items() if not k.startswith(("PIP_", "VIRTUALENV_"))}
    closed = "http://127.0.0.1:9"
    env.update({
        "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(wheels), "PIP_CONFIG_FILE": os.devnull,
        "PIP_DISABLE_PIP_VERSION_CHECK": "1", "VIRTUALENV_NO_PERIODIC_UPDATE": "1",
        "http_proxy": closed, "https_proxy": closed, "HTTP_PROXY": closed,
        "HTTPS_PROXY": closed, "ALL_PROXY": closed, "no_proxy": "", "NO_PROXY": "",
    })
    return env
