"""What Vercel deploys, as its own CLI builds it from a copy of the working tree.

The copy holds what a developer's working copy may hold (a .env with secrets, the local
databases, stale build folders), and the project is linked with the preset Vercel
pre-selects (FastAPI): vercel.json alone must make the build right. Every test runs on two
builds (conftest.py): of the working copy itself, and of what `vercel deploy` uploads.
"""

from __future__ import annotations

import json
import re
import shutil
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from devstack.paths import PROJECT_ROOT
from devstack.stack import LocalStack
from devstack.twilio_api import TwilioStandIn
from devstack.twilio_inbound import WEBHOOK_PATH, sign
from tests.deploy import vercel
from tests.deploy.conftest import BUILD_VARIABLES, PUBLIC_VARIABLES, BuiltDeployment
from tests.factories import Connection, random_phone
from tests.webhook.conftest import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    CRON_SECRET,
    PUBLIC_URL,
    Business,
    customer_form,
)

VERCEL_JSON: dict[str, Any] = json.loads((PROJECT_ROOT / "vercel.json").read_text())
# Installed into the bundle by Vercel's Python builder itself, not by this project's lock.
BUILDER_PACKAGES = {"vercel-runtime", "pip"}


def output_config(build: BuiltDeployment) -> dict[str, Any]:
    config: dict[str, Any] = json.loads((build.output / "config.json").read_text())
    return config


def files_under(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in folder.rglob("*")
        if path.is_file()
    }


def vendored_distributions(build: BuiltDeployment) -> dict[str, str]:
    """Name and version of every distribution in the bundle's _vendor folder."""
    found: dict[str, str] = {}
    for target, source in vercel.function_files(build.root).items():
        if re.fullmatch(r"_vendor/[^/]+\.dist-info/METADATA", target):
            fields = dict(
                line.split(": ", 1)
                for line in source.read_text(errors="replace").splitlines()
                if line.startswith(("Name: ", "Version: "))
            )
            found[vercel.normalized(fields["Name"])] = fields["Version"]
    return found


def test_the_function_runs_the_production_python_for_at_most_15_seconds(
    vercel_build: BuiltDeployment,
) -> None:
    config = vercel.function_config(vercel_build.root)
    assert config["runtime"] == f"python{vercel.PRODUCTION_PYTHON}"
    assert config["maxDuration"] == 15 == VERCEL_JSON["functions"]["api/index.py"]["maxDuration"]
    assert config["handler"] == "vc__handler__python.vc_handler"


def test_every_api_request_goes_to_the_one_function(vercel_build: BuiltDeployment) -> None:
    routes = output_config(vercel_build)["routes"]
    assert {"src": "^/api(?:/(.*))$", "dest": "/api/index", "check": True} in routes
    functions = sorted(
        path.relative_to(vercel_build.output / "functions").as_posix()
        for path in (vercel_build.output / "functions").rglob("*.func")
    )
    # Under the FastAPI preset the build would make one catch-all "fastapi.func" instead.
    assert functions == ["api/index.func"], vercel_build.log


def test_the_bundle_holds_the_webhook_source_and_nothing_else_of_the_repository(
    vercel_build: BuiltDeployment,
) -> None:
    bundle = set(vercel.function_files(vercel_build.root))
    webhook_source = {
        path.relative_to(vercel_build.root).as_posix()
        for path in (vercel_build.root / "webhook").rglob("*.py")
        if "__pycache__" not in path.parts
    }
    assert "webhook/routes/twilio.py" in webhook_source
    own = {name for name in bundle if not name.startswith("_vendor/")}
    # Not devstack, scripts, tests, supabase, docs, .env files, .local, build/, *.egg-info.
    assert own == {"api/index.py", "vc__handler__python.py", *webhook_source}


def test_the_bundle_vendors_the_locked_production_dependencies_only(
    vercel_build: BuiltDeployment,
) -> None:
    lock = tomllib.loads((vercel_build.root / "uv.lock").read_text())
    locked_versions = {vercel.normalized(p["name"]): p["version"] for p in lock["package"]}
    production = vercel.production_packages()
    everything = {vercel.normalized(p["name"]) for p in lock["package"]} - {"facilchat"}
    development_only = everything - production
    vendored = vendored_distributions(vercel_build)

    pyproject = tomllib.loads((vercel_build.root / "pyproject.toml").read_text())
    declared = {
        vercel.normalized(re.split(r"[^A-Za-z0-9._-]", requirement, maxsplit=1)[0])
        for requirement in pyproject["project"]["dependencies"]
    }
    assert {"fastapi", "supabase", "twilio"} <= declared <= set(vendored)
    assert set(vendored) - BUILDER_PACKAGES <= production
    assert not set(vendored) & development_only, "a development tool is in the bundle"
    assert {name: vendored[name] for name in vendored if name in locked_versions} == {
        name: locked_versions[name] for name in vendored if name in locked_versions
    }, "the bundle's versions are not the locked ones"
    vendored_top_level = {
        target.split("/")[1]
        for target in vercel.function_files(vercel_build.root)
        if target.startswith("_vendor/")
    }
    assert not vendored_top_level & {"webhook", "devstack", "facilchat", "tests"}


def test_the_bundle_fits_vercels_size_limit(vercel_build: BuiltDeployment) -> None:
    size = sum(path.stat().st_size for path in vercel.function_files(vercel_build.root).values())
    assert size < vercel.FUNCTION_SIZE_LIMIT_BYTES, f"the bundle is {size / 1e6:.1f} MB unzipped"


def test_the_static_files_are_exactly_the_dashboards_build(vercel_build: BuiltDeployment) -> None:
    published = files_under(vercel_build.output / "static")
    built = files_under(vercel_build.root / "dashboard" / "dist")
    assert "index.html" in built
    assert published == built


def test_no_secret_reaches_the_static_files(vercel_build: BuiltDeployment) -> None:
    published = files_under(vercel_build.output / "static")
    secrets = [value for name, value in BUILD_VARIABLES.items() if name not in PUBLIC_VARIABLES]
    for name, content in published.items():
        for secret in secrets:
            assert secret.encode() not in content, f"static/{name} holds a secret"
    # The dashboard's settings come from the environment, the public values only.
    config = published["config.json"].decode()
    assert BUILD_VARIABLES["SUPABASE_URL"] in config
    assert BUILD_VARIABLES["SUPABASE_ANON_KEY"] in config


def test_the_crons_are_the_documented_daily_sweep(vercel_build: BuiltDeployment) -> None:
    crons = output_config(vercel_build)["crons"]
    assert crons == VERCEL_JSON["crons"]
    [cron] = crons
    assert cron["path"] == "/api/cron/outbox"
    docs = (PROJECT_ROOT / "docs" / "deploy.md").read_text()
    assert f"`{cron['schedule']}`" in docs


def test_the_built_function_serves_the_webhook_through_vercels_handler(
    vercel_build: BuiltDeployment,
    stack: LocalStack,
    twilio: TwilioStandIn,
    business: Business,
    db: Connection,
    tmp_path: Path,
) -> None:
    task = tmp_path / "task"
    vercel.materialize_function(vercel_build.root, task)
    environment = {
        **vercel.function_config(vercel_build.root)["environment"],
        "SUPABASE_URL": stack.api_url,
        "SUPABASE_SERVICE_ROLE_KEY": stack.service_role_key,
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_API_URL": twilio.url,
        "PUBLIC_URL": PUBLIC_URL,
        "CRON_SECRET": CRON_SECRET,
    }
    customer = random_phone()
    form = customer_form("¿a qué hora abren?", sender=customer, to=business.number)
    host = {"host": PUBLIC_URL.removeprefix("https://"), "x-forwarded-proto": "https"}
    requests = [
        {"method": "GET", "path": "/api/health", "headers": host, "body": ""},
        {
            "method": "POST",
            "path": WEBHOOK_PATH,
            "headers": {
                **host,
                "content-type": "application/x-www-form-urlencoded",
                "x-twilio-signature": sign(PUBLIC_URL + WEBHOOK_PATH, form, AUTH_TOKEN),
            },
            "body": urlencode(form),
        },
        {
            "method": "GET",
            "path": "/api/cron/outbox",
            "headers": {**host, "authorization": f"Bearer {CRON_SECRET}"},
            "body": "",
        },
        {"method": "GET", "path": "/api/cron/outbox", "headers": host, "body": ""},
    ]
    try:
        answers, log = vercel.call_function(
            task, vercel_build.tools.python, environment, requests, tmp_path
        )
    finally:
        shutil.rmtree(task)
    health, inbound, sweep, unauthorized = answers
    body = vercel.response_body

    assert (health["statusCode"], json.loads(body(health))) == (200, {"status": "ok"}), log
    assert inbound["statusCode"] == 200, log
    assert inbound["headers"]["content-type"] == ["application/xml"]
    assert business.hours_answer in body(inbound)
    assert sweep["statusCode"] == 200, log
    report = json.loads(body(sweep))
    assert report and all(isinstance(count, int) for count in report.values())
    assert unauthorized["statusCode"] == 401
    stored = db.execute(
        "select m.direction, m.content from public.messages m"
        " join public.clients c on c.id = m.client_id"
        " where c.phone = %s and m.owner_id = %s and m.direction = 'in'",
        (customer, business.tenant.id),
    ).fetchall()
    assert stored == [("in", "¿a qué hora abren?")]
    assert "devstack" not in log


def test_nothing_planted_in_the_working_copy_is_deployed(vercel_build: BuiltDeployment) -> None:
    assert all((vercel_build.working_copy / name).exists() for name in vercel.PLANTED_FILES)
    deployed = [
        *vercel.function_files(vercel_build.root).values(),
        *(path for path in (vercel_build.output / "static").rglob("*") if path.is_file()),
    ]
    holding_it = [
        str(path) for path in deployed if vercel.PLANTED_SECRET.encode() in path.read_bytes()
    ]
    assert holding_it == []
