"""The project's distribution: every package and page folder for developers' installs.

Production installs none of it (Vercel takes the webhook's source, tests/deploy/
test_vercel_build.py), but a wheel built from pyproject.toml must still be whole.
"""

from __future__ import annotations

import importlib.util
import tomllib
from pathlib import Path

from devstack.paths import PROJECT_ROOT

SETUPTOOLS = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]


def package_folder(top_level: str) -> Path:
    mapped: str = SETUPTOOLS["package-dir"].get(top_level, top_level)
    return PROJECT_ROOT / mapped


def packages_on_disk(top_level: str) -> set[str]:
    root = package_folder(top_level)
    return {
        ".".join((top_level, *init.parent.relative_to(root).parts))
        for init in root.rglob("__init__.py")
        if "__pycache__" not in init.parts
    }


def test_every_package_and_subpackage_is_listed() -> None:
    listed = set(SETUPTOOLS["packages"])
    top_levels = {name for name in listed if "." not in name}
    assert top_levels == {"webhook", "devstack", "facilchat"}
    on_disk = set().union(*(packages_on_disk(name) for name in top_levels))
    assert "webhook.routes" in on_disk
    assert listed == on_disk


def test_every_folder_of_page_files_is_package_data() -> None:
    for package in SETUPTOOLS["packages"]:
        folder = package_folder(package.split(".")[0]).joinpath(*package.split(".")[1:])
        data = set(SETUPTOOLS.get("package-data", {}).get(package, []))
        for child in folder.iterdir():
            if (
                child.is_dir()
                and child.name != "__pycache__"
                and not (child / "__init__.py").exists()
            ):
                assert f"{child.name}/*" in data, f"{package}: {child.name}/ is not package data"


def test_the_development_install_resolves_every_package_to_the_source() -> None:
    for package in SETUPTOOLS["packages"]:
        spec = importlib.util.find_spec(package)
        assert spec is not None and spec.origin is not None, package
        assert Path(spec.origin).is_relative_to(PROJECT_ROOT), package
