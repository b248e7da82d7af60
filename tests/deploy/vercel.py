"""Vercel's own build of this repository, run offline on a copy, and its output read back.

`vercel build` (the CLI pinned in package.json, with its bundled Python builder) needs no
Vercel account when `.vercel/project.json` carries the project settings. It needs uv and
the Python that production runs; it reaches only the package registries, for the locked
Python dependencies and the dashboard's npm packages.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devstack.paths import PROJECT_ROOT

# What production runs: of the versions Vercel offers (3.12 and newer), the only one that
# pyproject.toml's requires-python allows.
PRODUCTION_PYTHON = "3.12"
# Vercel's limit for a function bundle, unzipped.
FUNCTION_SIZE_LIMIT_BYTES = 250 * 1000 * 1000
FUNCTION_DIR = Path(".vercel/output/functions/api/index.func")
# The settings Vercel pre-selects when this repository is imported (the FastAPI preset):
# vercel.json must give the right build whatever the project's preset says.
PROJECT_LINK = {
    "projectId": "prj_facilchat_local_build",
    "orgId": "team_facilchat_local_build",
    "settings": {"framework": "fastapi"},
}
# Stand-ins for what a working copy may hold and a deploy must never publish.
PLANTED_SECRET = "planted-service-role-key-that-must-never-ship"
PLANTED_FILES = {
    ".env": f"SUPABASE_SERVICE_ROLE_KEY={PLANTED_SECRET}\nSUPABASE_URL=http://127.0.0.1:54321\n",
    ".env.production": f"SUPABASE_SERVICE_ROLE_KEY={PLANTED_SECRET}\n",
    "dashboard/.env.local": f"SUPABASE_SERVICE_ROLE_KEY={PLANTED_SECRET}\n",
    "webhook/.env": f"SUPABASE_SERVICE_ROLE_KEY={PLANTED_SECRET}\n",
    ".local/postgres/PG_VERSION": "15\n",
    ".venv/pyvenv.cfg": "home = /usr/bin\n",
    "build/lib/devstack/__init__.py": "",
    "facilchat.egg-info/PKG-INFO": "Name: facilchat\n",
}
# When the dashboard is not in the tree yet: a project that builds as the dashboard does,
# into dashboard/dist, with config.json written from the environment.
PLACEHOLDER_DASHBOARD = {
    "dashboard/package.json": json.dumps(
        {
            "name": "facilchat-dashboard-placeholder",
            "version": "0.0.0",
            "private": True,
            "scripts": {"build": "node build.mjs"},
        }
    ),
    "dashboard/package-lock.json": json.dumps(
        {
            "name": "facilchat-dashboard-placeholder",
            "version": "0.0.0",
            "lockfileVersion": 3,
            "requires": True,
            "packages": {"": {"name": "facilchat-dashboard-placeholder", "version": "0.0.0"}},
        }
    ),
    "dashboard/build.mjs": (
        'import { mkdirSync, writeFileSync } from "node:fs";\n'
        'mkdirSync("dist/assets", { recursive: true });\n'
        'writeFileSync("dist/index.html", "<!doctype html><title>FácilChat</title>");\n'
        'writeFileSync("dist/assets/app.js", "console.log(1);");\n'
        'writeFileSync("dist/config.json", JSON.stringify({\n'
        "  supabaseUrl: process.env.SUPABASE_URL,\n"
        "  supabaseAnonKey: process.env.SUPABASE_ANON_KEY,\n"
        "}));\n"
    ),
}


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def locked_closure(lock: dict[str, Any], root: str) -> set[str]:
    """The packages `root` pulls in through uv.lock, on any platform, without its own extras."""
    by_name = {normalized(package["name"]): package for package in lock["package"]}
    seen: set[tuple[str, str | None]] = set()
    pending: list[tuple[str, str | None]] = [(normalized(root), None)]
    while pending:
        name, extra = pending.pop()
        if (name, extra) in seen:
            continue
        seen.add((name, extra))
        package = by_name[name]
        if extra is None:
            edges = package.get("dependencies", [])
        else:
            edges = package.get("optional-dependencies", {}).get(extra, [])
        for edge in edges:
            target = normalized(edge["name"])
            pending.append((target, None))
            pending += [(target, wanted) for wanted in edge.get("extra", [])]
    return {name for name, _ in seen}


def production_packages() -> set[str]:
    """The packages the deployed webhook may use: its locked dependencies, on any platform."""
    lock = tomllib.loads((PROJECT_ROOT / "uv.lock").read_text())
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]["name"]
    return locked_closure(lock, project) - {project}


@dataclass(frozen=True)
class Tools:
    vercel: Path
    node_bin: Path
    uv: Path
    python: Path


def python_version_of(executable: Path) -> str | None:
    """The version of a working Python, like "3.12"; None if it does not run (pyenv shims)."""
    try:
        result = subprocess.run(
            [str(executable), "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except OSError:
        return None
    return result.stdout.strip() if result.returncode == 0 else None


def find_python(version: str) -> Path | None:
    """A working interpreter of `version`: on PATH, from pyenv, or managed by uv."""
    name = f"python{version}"
    candidates: list[Path] = []
    on_path = shutil.which(name)
    if on_path:
        candidates.append(Path(on_path))
    pyenv_root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")
    candidates += sorted(pyenv_root.glob(f"versions/{version}.*/bin/{name}"), reverse=True)
    uv_pythons = Path.home() / ".local/share/uv/python"
    candidates += sorted(uv_pythons.glob(f"cpython-{version}.*/bin/{name}"), reverse=True)
    candidates += [Path("/usr/local/bin") / name, Path("/usr/bin") / name]
    for candidate in candidates:
        if candidate.is_file() and python_version_of(candidate) == version:
            return candidate
    return None


def find_uv() -> Path | None:
    """uv from the dev extras, beside this Python, or else on PATH."""
    beside = Path(sys.executable).parent / "uv"
    if beside.exists():
        return beside
    found = shutil.which("uv")
    return Path(found) if found else None


def find_tools() -> tuple[Tools | None, dict[str, str]]:
    """The tools `vercel build` needs, or for each one missing, how to get it."""
    missing: dict[str, str] = {}
    vercel = PROJECT_ROOT / "node_modules" / ".bin" / "vercel"
    if not vercel.exists():
        missing["vercel"] = "the Vercel CLI (node_modules/.bin/vercel): run `make install`"
    local_node = PROJECT_ROOT / ".local" / "node" / "bin" / "node"
    node = str(local_node) if local_node.exists() else shutil.which("node")
    if node is None:
        missing["node"] = "Node.js (.local/node): run `make install`"
    uv = find_uv()
    if uv is None:
        missing["uv"] = "uv (.venv/bin/uv, from the dev extras): run `make install`"
    python = find_python(PRODUCTION_PYTHON)
    if python is None:
        missing["python"] = (
            f"Python {PRODUCTION_PYTHON}, which production runs (looked on PATH, in pyenv and"
            f" in uv's Pythons): install one, with pyenv or `uv python install"
            f" {PRODUCTION_PYTHON}` (which downloads it from GitHub)"
        )
    if node is None or uv is None or python is None or missing:
        return None, missing
    return Tools(vercel, Path(node).parent, uv, python), {}


def git() -> str:
    found = shutil.which("git")
    if found is None:
        raise RuntimeError("git is needed to list the working tree's files")
    return found


def working_tree_files() -> list[str]:
    """What a clone of the working tree holds: tracked and new files, never ignored ones."""
    listed = subprocess.run(
        [git(), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    files = []
    for name in filter(None, listed.split("\0")):
        parts = Path(name).parts
        # Installed or built, whatever the ignore files say: Vercel installs and builds afresh.
        if "node_modules" in parts or name.startswith("dashboard/dist/"):
            continue
        if (PROJECT_ROOT / name).is_file():  # not deleted in the working tree
            files.append(name)
    return files


def write_files(root: Path, files: Mapping[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def copy_working_tree(dest: Path) -> None:
    """Copies the working tree into `dest`, and plants local state and secrets there."""
    for name in working_tree_files():
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(PROJECT_ROOT / name, target)
    if not (dest / "dashboard" / "package.json").exists():
        write_files(dest, PLACEHOLDER_DASHBOARD)
    write_files(dest, PLANTED_FILES)
    write_files(dest, {".vercel/project.json": json.dumps(PROJECT_LINK)})


def cli_upload(working_copy: Path) -> set[str]:
    """What `vercel deploy` uploads from `working_copy`: the files .vercelignore lets through.

    Its rules are gitignore rules, so git's own matcher applies them.
    """
    subprocess.run([git(), "init", "-q"], cwd=working_copy, check=True)
    listed = subprocess.run(
        [git(), "ls-files", "-z", "--others", "--exclude-from=.vercelignore"],
        cwd=working_copy,
        capture_output=True,
        check=True,
    ).stdout.decode()
    shutil.rmtree(working_copy / ".git")
    return set(filter(None, listed.split("\0")))


def copy_cli_upload(working_copy: Path, dest: Path) -> None:
    """Lays out what Vercel's servers build after `vercel deploy` from `working_copy`."""
    for name in cli_upload(working_copy):
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(working_copy / name, target)
    write_files(dest, {".vercel/project.json": json.dumps(PROJECT_LINK)})


def build_env(
    tools: Tools, tool_bin: Path, home: Path, variables: Mapping[str, str]
) -> dict[str, str]:
    """The environment of `vercel build`: the project's variables as Vercel passes them."""
    for name, target in (("uv", tools.uv), (f"python{PRODUCTION_PYTHON}", tools.python)):
        link = tool_bin / name
        if not link.exists():
            link.symlink_to(target)
    venv_bin = str(Path(sys.executable).parent)
    inherited = [p for p in os.environ.get("PATH", "").split(os.pathsep) if p and p != venv_bin]
    # A developer's VERCEL_ORG_ID, VERCEL_PROJECT_ID or VERCEL_TOKEN would link the build
    # to a real project; this venv's variables would steer uv and Python.
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("VERCEL_") and key not in {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME"}
    }
    env.update(
        {
            "PATH": os.pathsep.join([str(tool_bin), str(tools.node_bin), *inherited]),
            # No Vercel account, no telemetry, no update check: nothing but the registries.
            "XDG_CONFIG_HOME": str(home / "config"),
            "XDG_DATA_HOME": str(home / "data"),
            "VERCEL_TELEMETRY_DISABLED": "1",
            "NO_UPDATE_NOTIFIER": "1",
            **variables,
        }
    )
    return env


def run_vercel_build(
    root: Path, tools: Tools, scratch: Path, variables: Mapping[str, str]
) -> subprocess.CompletedProcess[str]:
    (scratch / "bin").mkdir(parents=True, exist_ok=True)
    return subprocess.run(
        [str(tools.vercel), "build", "--yes"],
        cwd=root,
        env=build_env(tools, scratch / "bin", scratch, variables),
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def function_config(root: Path) -> dict[str, Any]:
    config: dict[str, Any] = json.loads((root / FUNCTION_DIR / ".vc-config.json").read_text())
    return config


def function_files(root: Path) -> dict[str, Path]:
    """Every file of the function bundle, by its path in the bundle, and where it is here."""
    files = {
        target: root / source for target, source in function_config(root)["filePathMap"].items()
    }
    for path in (root / FUNCTION_DIR).rglob("*"):
        if path.is_file() and path.name != ".vc-config.json":
            files[path.relative_to(root / FUNCTION_DIR).as_posix()] = path
    return files


def materialize_function(root: Path, dest: Path) -> None:
    """Lays the bundle out in `dest` as Vercel deploys it."""
    for target, source in function_files(root).items():
        path = dest / target
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, path)


# Runs in the function's folder, like Vercel's runtime: the trampoline Vercel generated
# (vc__handler__python) loads the vendored dependencies and the entrypoint, and its
# vc_handler(event, context) serves each request.
HANDLER_DRIVER = """
import json, sys
import vc__handler__python as trampoline
with open(sys.argv[1]) as requests:
    events = [{"body": json.dumps(request)} for request in json.load(requests)]
answers = [trampoline.vc_handler(event, None) for event in events]
with open(sys.argv[2], "w") as out:
    json.dump(answers, out)
"""


def response_body(answer: Mapping[str, Any]) -> str:
    """The body of an answer of vc_handler, which may come base64-encoded."""
    body: str = answer.get("body") or ""
    if answer.get("encoding") == "base64":
        return base64.b64decode(body).decode()
    return body


def call_function(
    function_dir: Path,
    python: Path,
    environment: Mapping[str, str],
    requests: list[dict[str, Any]],
    scratch: Path,
) -> tuple[list[dict[str, Any]], str]:
    """Sends requests through Vercel's handler entry point; the answers and the process's log."""
    requests_file, answers_file = scratch / "requests.json", scratch / "answers.json"
    requests_file.write_text(json.dumps(requests))
    # -S: the interpreter's own site-packages stay out; only the bundle is importable.
    result = subprocess.run(
        [str(python), "-S", "-c", HANDLER_DRIVER, str(requests_file), str(answers_file)],
        cwd=function_dir,
        env={"PATH": "/usr/bin:/bin", "HOME": str(scratch), "LANG": "C.UTF-8", **environment},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    log = result.stdout + result.stderr
    if result.returncode != 0:
        raise AssertionError(f"the built function failed (exit {result.returncode}):\n{log}")
    answers: list[dict[str, Any]] = json.loads(answers_file.read_text())
    return answers, log
