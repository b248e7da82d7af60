"""The dashboard's build: static files with nothing from a CDN, config.json from the
environment, and never a key that bypasses row-level security.

A build runs into a temporary folder with the environment Vercel gives it (the service
role key and the JWT secret included), and neither reaches a built file. The message
catalogues have the same keys in every language, and every key the code uses exists.
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from devstack import keys
from devstack.paths import PROJECT_ROOT
from tests.dashboard.helpers import DASHBOARD_DIR, DIST_DIR

NODE_BIN = PROJECT_ROOT / ".local" / "node" / "bin"
SRC_DIR = DASHBOARD_DIR / "src"
CATALOGUES = ("es", "pt", "en")
JWT = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")
SUPABASE_URL = "https://abcdefghijklmnop.supabase.co"


def build(out_dir: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`npm run build` into `out_dir`, with `env` on top of a minimal environment."""
    if not (DASHBOARD_DIR / "node_modules").is_dir():
        pytest.fail("the dashboard's npm packages are missing: run `make install`", pytrace=False)
    base = {"PATH": f"{NODE_BIN}:{os.environ.get('PATH', '')}", "HOME": os.environ.get("HOME", "/")}
    return subprocess.run(
        [
            str(NODE_BIN / "npm"),
            "--prefix",
            str(DASHBOARD_DIR),
            "run",
            "build",
            "--",
            "--outDir",
            str(out_dir),
        ],
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def jwt_roles(text: str) -> set[str]:
    """The `role` claims of the JWT-shaped strings in `text`."""
    roles = set()
    for token in JWT.findall(text):
        payload = token.split(".")[1]
        try:
            claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        except ValueError:
            continue
        roles.add(str(claims.get("role")))
    return roles


def built_text(folder: Path) -> str:
    return "\n".join(
        path.read_text(encoding="utf-8", errors="replace")
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    )


@pytest.fixture(scope="module")
def vercel_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A build with the environment a Vercel deployment has, secrets included."""
    secret = "a-production-jwt-secret-that-must-stay-on-the-server-0123456789"
    env = {
        "SUPABASE_URL": SUPABASE_URL,
        "SUPABASE_ANON_KEY": keys.anon_key(secret),
        "SUPABASE_SERVICE_ROLE_KEY": keys.service_role_key(secret),
        "SUPABASE_JWT_SECRET": secret,
    }
    out = tmp_path_factory.mktemp("dashboard-build") / "dist"
    result = build(out, env)
    assert result.returncode == 0, result.stdout + result.stderr
    return out, env


def test_the_build_writes_config_json_from_the_environment(
    vercel_build: tuple[Path, dict[str, str]],
) -> None:
    out, env = vercel_build
    config = json.loads((out / "config.json").read_text(encoding="utf-8"))
    assert config == {"supabaseUrl": SUPABASE_URL, "anonKey": env["SUPABASE_ANON_KEY"]}
    assert (out / "index.html").is_file()


def test_no_built_file_holds_the_service_role_key_or_the_jwt_secret(
    vercel_build: tuple[Path, dict[str, str]],
) -> None:
    out, env = vercel_build
    text = built_text(out)
    assert env["SUPABASE_SERVICE_ROLE_KEY"] not in text
    assert env["SUPABASE_JWT_SECRET"] not in text
    assert jwt_roles(text) == {"anon"}


def test_the_checked_in_build_holds_no_key_but_the_anon_key() -> None:
    """dashboard/dist as `make install` built it, as Vercel would publish it."""
    if not (DIST_DIR / "index.html").is_file():
        pytest.fail("the dashboard is not built: run `make install`", pytrace=False)
    text = built_text(DIST_DIR)
    local_secret = keys.jwt_secret()
    assert local_secret not in text
    assert keys.service_role_key(local_secret) not in text
    assert jwt_roles(text) <= {"anon"}


def test_the_build_refuses_a_service_role_key_as_the_anon_key(tmp_path: Path) -> None:
    secret = "another-secret-for-this-test-only-0123456789abcdef"
    result = build(
        tmp_path / "dist",
        {"SUPABASE_URL": SUPABASE_URL, "SUPABASE_ANON_KEY": keys.service_role_key(secret)},
    )
    assert result.returncode != 0
    assert 'has role "service_role"' in result.stdout + result.stderr
    assert not (tmp_path / "dist" / "config.json").exists()


def test_the_build_refuses_half_a_configuration(tmp_path: Path) -> None:
    result = build(tmp_path / "dist", {"SUPABASE_URL": SUPABASE_URL})
    assert result.returncode != 0
    assert "set both SUPABASE_URL and SUPABASE_ANON_KEY" in result.stdout + result.stderr


def test_the_page_loads_nothing_from_another_origin() -> None:
    index = (DIST_DIR / "index.html").read_text(encoding="utf-8")
    sources = re.findall(r'(?:src|href)="([^"]+)"', index)
    assert sources, index
    assert all(not re.match(r"^(https?:)?//", source) for source in sources), sources
    bundle = "\n".join(p.read_text(encoding="utf-8") for p in (DIST_DIR / "assets").glob("*.js"))
    # No script or style is imported from a URL at run time.
    assert not re.search(r"""import\(\s*["']https?://""", bundle)
    assert "@import url(" not in "\n".join(
        p.read_text(encoding="utf-8") for p in (DIST_DIR / "assets").glob("*.css")
    )


def catalogue(code: str) -> dict[str, object]:
    """The shared catalogue of a language merged with its screens' (`faqs.es.json`, …)."""
    folder = SRC_DIR / "i18n"
    data: dict[str, object] = {}
    for path in [folder / f"{code}.json", *sorted(folder.glob(f"*.{code}.json"))]:
        messages = json.loads(path.read_text(encoding="utf-8"))
        repeated = set(messages) & set(data)
        assert not repeated, f"{path.name} repeats {sorted(repeated)}"
        data.update(messages)
    return data


def test_each_screen_catalogue_exists_in_every_language() -> None:
    folder = SRC_DIR / "i18n"
    screens = {path.name.split(".")[0] for path in folder.glob("*.*.json")}
    for screen in screens:
        for code in CATALOGUES:
            assert (folder / f"{screen}.{code}.json").is_file(), f"{screen}.{code}.json"


def test_every_language_has_every_message() -> None:
    spanish = catalogue("es")
    for code in CATALOGUES[1:]:
        other = catalogue(code)
        assert set(other) == set(spanish), f"{code}.json differs from es.json"
        for key, text in spanish.items():
            if isinstance(text, dict):
                forms = other[key]
                assert isinstance(forms, dict) and set(forms) == set(text), key
            placeholders = set(re.findall(r"\{(\w+)\}", json.dumps(text)))
            assert set(re.findall(r"\{(\w+)\}", json.dumps(other[key]))) == placeholders, (
                code,
                key,
            )


def test_every_message_the_code_uses_exists() -> None:
    spanish = catalogue("es")
    code = "\n".join(
        path.read_text(encoding="utf-8")
        for path in SRC_DIR.rglob("*")
        if path.suffix in {".js", ".jsx"}
    )
    used = set(re.findall(r"""\bt\(\s*["']([a-zA-Z0-9_.]+)["']""", code))
    # Keys held in variables (errors, sign-in failures) are written as string literals.
    used |= set(re.findall(r"""["']((?:error|signin|failure)\.[a-zA-Z]+)["']""", code))
    assert used, "no message keys found in the dashboard's code"
    missing = sorted(key for key in used if key not in spanish)
    assert not missing, missing
    # Keys built from a prefix: each value the code can pass.
    for prefix, values in {
        "day": ("mon", "tue", "wed", "thu", "fri", "sat", "sun"),
        "inbox.status": ("active", "archived"),
        "onboarding.kind": ("bakery", "clinic", "salon", "shop"),
        "replyKind": ("faq", "fallback", "away", "opt_out", "opt_in"),
        "ticks": ("sending", "sent", "delivered", "read", "failed"),
    }.items():
        assert re.search(rf"t\(`{re.escape(prefix)}\.\$\{{", code), prefix
        for value in values:
            assert f"{prefix}.{value}" in spanish, f"{prefix}.{value}"
