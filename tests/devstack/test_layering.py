"""The local stack's import arrows: it never depends on the command line, and has no circles.

`facilchat` (scripts/) is the front end of the local stack, so arrows run from it to
`devstack`, never back. Every import counts, also one inside a function or under
`if TYPE_CHECKING:`, so a circle cannot hide behind a deferred import.
"""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

import pytest

from devstack.paths import PROJECT_ROOT

DEVSTACK_DIR = PROJECT_ROOT / "devstack"
FORBIDDEN_PACKAGES = {"facilchat", "scripts"}


def module_name(path: Path, package_dir: Path) -> str:
    parts = [package_dir.name, *path.relative_to(package_dir).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, package_dir: Path) -> set[str]:
    """Every module that `path` imports anywhere in its body, as absolute dotted names.

    `from package import name` counts as an import of `package.name` as well, since
    `name` may be a submodule."""
    this = module_name(path, package_dir)
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = this.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                parent = ".".join([*base, node.module] if node.module else base)
            else:
                parent = node.module or ""
            found.add(parent)
            found.update(f"{parent}.{alias.name}" for alias in node.names if alias.name != "*")
    return found


def import_graph(package_dir: Path) -> dict[str, set[str]]:
    """Each module of the package: everything it imports (inside the package or not)."""
    return {
        module_name(path, package_dir): imported_modules(path, package_dir)
        for path in sorted(package_dir.rglob("*.py"))
    }


def forbidden_imports(graph: dict[str, set[str]]) -> list[str]:
    return sorted(
        f"{module} imports {target}"
        for module, targets in graph.items()
        for target in targets
        if target.split(".")[0] in FORBIDDEN_PACKAGES
    )


def import_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One circle of imports among the package's own modules, if there is one."""
    internal = {module: (targets & graph.keys()) - {module} for module, targets in graph.items()}
    try:
        graphlib.TopologicalSorter(internal).prepare()
    except graphlib.CycleError as error:
        cycle: list[str] = error.args[1]
        return cycle
    return None


def test_devstack_never_imports_the_command_line() -> None:
    assert forbidden_imports(import_graph(DEVSTACK_DIR)) == []


def test_devstack_has_no_import_cycle() -> None:
    cycle = import_cycle(import_graph(DEVSTACK_DIR))
    assert cycle is None, "devstack imports in a circle: " + " -> ".join(cycle or [])


def test_the_stand_ins_take_the_configuration_and_the_gateway_mounts_them() -> None:
    graph = import_graph(DEVSTACK_DIR)
    for stand_in in ("devstack.auth", "devstack.realtime"):
        assert "devstack.gateway_config" in graph[stand_in]
        assert "devstack.gateway" not in graph[stand_in]
    assert {"devstack.auth", "devstack.realtime"} <= graph["devstack.gateway"]


# The checks themselves, on a small package with the faults they must catch.


def write_package(root: Path, files: dict[str, str]) -> Path:
    package = root / "stack"
    for name, source in {"__init__.py": "", **files}.items():
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        (package / name).write_text(source)
    return package


def test_a_deferred_circle_is_reported(tmp_path: Path) -> None:
    package = write_package(
        tmp_path,
        {
            "gateway.py": "def stand_ins():\n    from stack import auth\n    return [auth]\n",
            "auth.py": (
                "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n    from stack.gateway import Config\n"
            ),
            "keys.py": "",
        },
    )
    cycle = import_cycle(import_graph(package))
    assert cycle is not None
    assert set(cycle) == {"stack.gateway", "stack.auth"}


def test_a_relative_circle_is_reported(tmp_path: Path) -> None:
    package = write_package(
        tmp_path,
        {"a.py": "from . import b\n", "b.py": "from .c import thing\n", "c.py": "import stack.a\n"},
    )
    cycle = import_cycle(import_graph(package))
    assert cycle is not None and set(cycle) == {"stack.a", "stack.b", "stack.c"}


def test_no_circle_is_reported_for_a_layered_package(tmp_path: Path) -> None:
    package = write_package(
        tmp_path,
        {
            "config.py": "",
            "auth.py": "from stack.config import Config\n",
            "gateway.py": "from stack import auth, config\nimport stack\n",
        },
    )
    assert import_cycle(import_graph(package)) is None


@pytest.mark.parametrize(
    "source",
    [
        "from facilchat import migrate\n",
        "import facilchat.simulate\n",
        "def f():\n    from scripts.facilchat.simulate import sign\n",
    ],
)
def test_an_import_of_the_command_line_is_reported(tmp_path: Path, source: str) -> None:
    package = write_package(tmp_path, {"stack.py": source})
    assert forbidden_imports(import_graph(package)) != []
