"""vercel.json routes /api/* to a module that imports and serves the webhook's routes.

tests/deploy/test_vercel_build.py checks what Vercel's own build makes of this configuration.
"""

from __future__ import annotations

import ast
import importlib.metadata
import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from devstack.paths import PROJECT_ROOT
from tests.deploy.vercel import normalized, production_packages

VERCEL_JSON = json.loads((PROJECT_ROOT / "vercel.json").read_text())
REQUIRED_ENV = {
    "SUPABASE_URL": "http://127.0.0.1:9",
    "SUPABASE_SERVICE_ROLE_KEY": "service-role-key",
    "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
    "TWILIO_AUTH_TOKEN": "token",
    "CRON_SECRET": "cron",
}


def entrypoint() -> Path:
    [rewrite] = [r for r in VERCEL_JSON["rewrites"] if r["source"] == "/api/(.*)"]
    destination: str = rewrite["destination"]
    return PROJECT_ROOT / (destination.lstrip("/") + ".py")


def load_entrypoint_app(monkeypatch: pytest.MonkeyPatch) -> FastAPI:
    for name, value in REQUIRED_ENV.items():
        monkeypatch.setenv(name, value)
    from webhook.config import get_settings

    get_settings.cache_clear()
    monkeypatch.delitem(sys.modules, "webhook.app", raising=False)
    spec = importlib.util.spec_from_file_location("vercel_entrypoint", entrypoint())
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    get_settings.cache_clear()
    app = module.app
    assert isinstance(app, FastAPI)
    return app


def test_entrypoint_serves_the_webhook_routes(monkeypatch: pytest.MonkeyPatch) -> None:
    app = load_entrypoint_app(monkeypatch)
    with TestClient(app) as client:
        assert client.get("/api/health").json() == {"status": "ok"}
        # Served (not 404/405), and unsigned requests are refused before anything else happens.
        assert client.post("/api/twilio/webhook", data={"Body": "hola"}).status_code == 403
        assert client.post("/api/twilio/status", data={"MessageSid": "SM1"}).status_code == 403
        assert client.get("/api/nothing-here").status_code == 404


def test_every_cron_calls_an_existing_route(monkeypatch: pytest.MonkeyPatch) -> None:
    app = load_entrypoint_app(monkeypatch)
    assert VERCEL_JSON["crons"], "the outbox sweeper must run on a schedule"
    with TestClient(app) as client:
        for cron in VERCEL_JSON["crons"]:
            # Vercel Cron sends a GET; without the secret it is refused, not missing.
            assert client.get(cron["path"]).status_code == 401


def test_missing_configuration_fails_at_start_naming_the_variables(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "SUPABASE_URL": "http://127.0.0.1:9"}
    result = subprocess.run(
        [sys.executable, "-c", "import webhook.app"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    for name in ("SUPABASE_SERVICE_ROLE_KEY", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"):
        assert f"{name} is not set" in result.stderr
    assert "SUPABASE_URL is not set" not in result.stderr


def test_the_deployed_function_never_imports_the_dev_stand_ins(tmp_path: Path) -> None:
    code = (
        "import sys, webhook.app, webhook.database, webhook.sender, webhook.outbox;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in {'devstack', 'facilchat'}))"
    )
    env = {"PATH": "/usr/bin:/bin", **REQUIRED_ENV}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_vercel_json_sets_the_preset_whatever_the_project_settings_say() -> None:
    # Vercel pre-selects FastAPI for this repository; that preset ignores api/ and the
    # dashboard. `"framework": null` is the "Other" preset.
    assert "framework" in VERCEL_JSON and VERCEL_JSON["framework"] is None


def test_only_the_dashboards_build_is_published() -> None:
    assert VERCEL_JSON["outputDirectory"] == "dashboard/dist"
    assert VERCEL_JSON["installCommand"] == "npm --prefix dashboard ci"
    assert VERCEL_JSON["buildCommand"] == "npm --prefix dashboard run build"


def test_the_sweeper_cron_runs_once_a_day_as_the_hobby_plan_requires() -> None:
    [cron] = VERCEL_JSON["crons"]
    # A fixed minute and hour: Hobby rejects a deploy with any cron that runs more often.
    assert re.fullmatch(r"([0-9]|[1-5][0-9]) ([0-9]|1[0-9]|2[0-3]) \* \* \*", cron["schedule"])


def imported_top_level_modules(source: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(source.read_text())):
        if isinstance(node, ast.Import):
            modules |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module.split(".")[0])
    return modules


def test_the_deployed_code_imports_only_its_locked_dependencies() -> None:
    """A module from a development-only package would be missing from the function bundle."""
    distributions = importlib.metadata.packages_distributions()
    allowed = production_packages()
    sources = [PROJECT_ROOT / "api" / "index.py", *(PROJECT_ROOT / "webhook").rglob("*.py")]
    for source in sources:
        for module in imported_top_level_modules(source):
            if module in sys.stdlib_module_names or module in {"__future__", "webhook"}:
                continue
            owners = {normalized(name) for name in distributions.get(module, [])}
            assert owners & allowed, f"{source.relative_to(PROJECT_ROOT)} imports {module}"
