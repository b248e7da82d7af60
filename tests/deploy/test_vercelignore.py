"""What `vercel deploy` uploads from a working copy: .vercelignore keeps out all but the build's
inputs (tests/deploy/test_vercel_build.py builds what is uploaded)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.deploy import vercel

# What Vercel's build reads: its configuration, the function's code and locked
# dependencies, the dashboard's sources, and package.json for the Node.js version.
BUILD_INPUTS = ("vercel.json", "pyproject.toml", "uv.lock", "package.json", "api/index.py")


@pytest.fixture(scope="module")
def working_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("working-copy")
    vercel.copy_working_tree(root)
    return root


@pytest.fixture(scope="module")
def upload(working_copy: Path) -> set[str]:
    return vercel.cli_upload(working_copy)


def test_secrets_and_local_state_stay_behind(working_copy: Path, upload: set[str]) -> None:
    assert all((working_copy / name).exists() for name in vercel.PLANTED_FILES)
    assert upload.isdisjoint(vercel.PLANTED_FILES)
    assert not any(name.startswith((".local/", ".venv/", ".vercel/")) for name in upload)


def test_only_the_builds_inputs_are_uploaded(upload: set[str]) -> None:
    outside = {
        name
        for name in upload
        if name not in BUILD_INPUTS and not name.startswith(("webhook/", "dashboard/"))
    }
    assert outside == set()


def test_every_input_of_the_build_is_uploaded(working_copy: Path, upload: set[str]) -> None:
    needed = set(BUILD_INPUTS)
    for folder in ("webhook", "dashboard"):
        needed |= {
            path.relative_to(working_copy).as_posix()
            for path in (working_copy / folder).rglob("*")
            if path.is_file() and "__pycache__" not in path.parts and ".env" not in path.name
        }
    assert needed - upload == set()
