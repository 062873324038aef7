"""The two-command promise: `make install` (and so `make run` and `make test`) on a machine with no uv anywhere.

The plan check is cheap and always runs. The real bootstrap (venv, pip install uv, uv sync into a scratch copy) takes
a few seconds with a warm package cache but may download packages, so it runs when MAKE_BOOTSTRAP_CHECK=1, which
`.ci/run` sets.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ("node", "npm", "npx", "make", "git")


def bare_path(tmp_path: Path) -> str:
    """A PATH like a newcomer's: the real Python 3.11, Node.js, make and git, then the system folders."""
    bare = tmp_path / "bare-bin"
    bare.mkdir()
    # The venv's interpreter leads to the real one; a pyenv shim would put pyenv's own bin folder on PATH.
    (bare / "python3.11").symlink_to(os.path.realpath(sys.executable))
    for tool in TOOLS:
        found = shutil.which(tool)
        if found is not None:
            (bare / tool).symlink_to(found)
    path = os.pathsep.join([str(bare), "/usr/sbin", "/usr/bin", "/sbin", "/bin"])
    assert shutil.which("uv", path=path) is None, "uv is installed system-wide: this check cannot prove anything"
    return path


def scratch_copy(tmp_path: Path, files: list[str]) -> Path:
    copy = tmp_path / "clone"
    for name in files:
        target = copy / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    return copy


def test_make_install_plans_uv_outside_the_venv_when_uv_is_missing(tmp_path: Path) -> None:
    copy = scratch_copy(tmp_path, ["Makefile", "pyproject.toml", "uv.lock", "package.json", "package-lock.json"])
    env = {"PATH": bare_path(tmp_path), "HOME": os.environ.get("HOME", str(tmp_path))}
    plan = subprocess.run(["make", "-n", "install"], cwd=copy, env=env, capture_output=True, text=True, timeout=60)
    assert plan.returncode == 0, plan.stderr
    lines = plan.stdout.splitlines()
    bootstrap = next(i for i, line in enumerate(lines) if "-m venv build/uv" in line and "pip install" in line)
    sync = next(i for i, line in enumerate(lines) if line.startswith("build/uv/bin/uv sync --frozen"))
    assert bootstrap < sync
    # uv refuses to sync into a .venv that is not yet a Python environment, so nothing may create it first.
    assert not any(".venv" in line for line in lines[:sync]), lines[:sync]


@pytest.mark.skipif(os.environ.get("MAKE_BOOTSTRAP_CHECK") != "1", reason="set MAKE_BOOTSTRAP_CHECK=1 (CI does)")
def test_make_bootstraps_uv_and_the_venv_on_a_machine_without_uv(tmp_path: Path) -> None:
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    copy = scratch_copy(tmp_path, [name for name in tracked.splitlines() if (ROOT / name).is_file()])
    # The rest of the environment stays (package cache, certificates, proxies): only uv's whereabouts change.
    env = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "UV"}} | {"PATH": bare_path(tmp_path)}
    made = subprocess.run(
        ["make", ".venv/bin/watchkeeper"], cwd=copy, env=env, capture_output=True, text=True, timeout=600
    )
    assert made.returncode == 0, made.stdout + made.stderr
    assert (copy / "build/uv/bin/uv").exists()
    checked = subprocess.run(
        [str(copy / ".venv/bin/watchkeeper"), "deadlines", "--priority", "P2", "--reported-at", "2026-12-24T16:30Z"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert checked.returncode == 0, checked.stderr
    assert '"respond_by": "2026-12-24T17:30:00+00:00"' in checked.stdout
