"""uv.lock, which Vercel installs from with `uv sync --frozen`, matches pyproject.toml."""

from __future__ import annotations

import os
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

from devstack.paths import PROJECT_ROOT
from tests.deploy import vercel

PYPROJECT = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())


@pytest.fixture(scope="module")
def uv() -> Path:
    found = vercel.find_uv()
    if found is None:
        message = "uv is missing (it comes with the dev extras): run `make install`"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


def lock_check(uv: Path, project: Path, *, offline: bool) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(uv), "lock", "--check", *(["--offline"] if offline else [])],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_lock_matches_pyproject(uv: Path) -> None:
    # Offline: a lock that matches needs nothing from PyPI to say so.
    result = lock_check(uv, PROJECT_ROOT, offline=True)
    assert result.returncode == 0, (
        "uv.lock does not match pyproject.toml; run `.venv/bin/uv lock` and commit uv.lock\n"
        + result.stderr
    )


def test_the_check_notices_a_dependency_the_lock_lacks(uv: Path, tmp_path: Path) -> None:
    for name in ("pyproject.toml", "uv.lock", "README.md"):
        shutil.copy2(PROJECT_ROOT / name, tmp_path / name)
    pyproject = (tmp_path / "pyproject.toml").read_text()
    dependencies = PYPROJECT["project"]["dependencies"]
    changed = pyproject.replace(f'"{dependencies[0]}",', f'"{dependencies[0]}",\n    "idna>=3",', 1)
    assert changed != pyproject
    (tmp_path / "pyproject.toml").write_text(changed)
    # Online: uv resolves the new requirement from PyPI to see the lock lacks it.
    result = lock_check(uv, tmp_path, offline=False)
    assert result.returncode != 0
    assert "needs to be updated" in result.stderr


def test_the_lock_is_for_the_python_versions_pyproject_allows() -> None:
    lock = tomllib.loads((PROJECT_ROOT / "uv.lock").read_text())
    assert lock["requires-python"].replace(" ", "") == PYPROJECT["project"][
        "requires-python"
    ].replace(" ", "")


def test_uv_installs_the_dependencies_only_never_the_projects_packages() -> None:
    # Vercel's `uv sync` would otherwise build this project and put devstack and the CLI
    # into the function bundle.
    assert PYPROJECT["tool"]["uv"]["package"] is False
    lock = tomllib.loads((PROJECT_ROOT / "uv.lock").read_text())
    [project] = [p for p in lock["package"] if p["name"] == PYPROJECT["project"]["name"]]
    assert project["source"] == {"virtual": "."}
