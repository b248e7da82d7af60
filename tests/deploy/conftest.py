"""Real `vercel build`s of a copy of the working tree, once a session, and the stack fixtures."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.deploy import vercel
from tests.webhook.conftest import business, twilio, twilio_api

__all__ = [
    "BUILD_VARIABLES",
    "PUBLIC_VARIABLES",
    "BuiltDeployment",
    "business",
    "twilio",
    "twilio_api",
]

# What the project's environment variables hold at build time on Vercel (all of them, the
# service role key included); only the URL and the anon key may reach the dashboard.
BUILD_VARIABLES = {
    "SUPABASE_URL": "https://abcdefghijklmnop.supabase.co",
    "SUPABASE_ANON_KEY": "anon-key-published-on-purpose",
    "SUPABASE_SERVICE_ROLE_KEY": vercel.PLANTED_SECRET,
    "TWILIO_AUTH_TOKEN": vercel.PLANTED_SECRET + "-twilio",
    "CRON_SECRET": vercel.PLANTED_SECRET + "-cron",
}
PUBLIC_VARIABLES = ("SUPABASE_URL", "SUPABASE_ANON_KEY")


@dataclass(frozen=True)
class BuiltDeployment:
    working_copy: Path  # a copy of the working tree, with secrets and local state planted
    root: Path  # what was built; its .vercel/output is what Vercel deploys
    tools: vercel.Tools
    log: str  # what vercel build printed

    @property
    def output(self) -> Path:
        return self.root / ".vercel" / "output"


@pytest.fixture(scope="session", params=["working-copy", "cli-upload"])
def vercel_build(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BuiltDeployment]:
    """Two builds: `vercel build` in the working copy itself (what `vercel deploy --prebuilt`
    then ships), and of what `vercel deploy` uploads from it (what Vercel's servers build)."""
    tools, missing = vercel.find_tools()
    if tools is None:
        message = "vercel build cannot run here; missing: " + "; ".join(missing.values())
        # `make install` brings the CLI, Node.js and uv, so CI must have them; only a machine
        # without the production Python skips.
        if os.environ.get("CI") and set(missing) - {"python"}:
            pytest.fail(message)
        pytest.skip(message)
    base = tmp_path_factory.mktemp(f"vercel-build-{request.param}")
    working_copy = base / "working-copy"
    vercel.copy_working_tree(working_copy)
    root = working_copy
    if request.param == "cli-upload":
        root = base / "upload"
        vercel.copy_cli_upload(working_copy, root)
    result = vercel.run_vercel_build(
        root, tools, tmp_path_factory.mktemp("vercel-home"), BUILD_VARIABLES
    )
    log = result.stdout + result.stderr
    if result.returncode != 0:
        pytest.fail(f"vercel build failed (exit {result.returncode}):\n{log}", pytrace=False)
    yield BuiltDeployment(working_copy, root, tools, log)
    # What the build made (.vercel/output) stays for a look after a failure; the installed
    # dependencies, uv's cache and the dashboard's node_modules are large and stay no more.
    for leftover in (root / ".vercel" / "python", root / "dashboard" / "node_modules"):
        shutil.rmtree(leftover, ignore_errors=True)
