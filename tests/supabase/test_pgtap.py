"""Runs every pgTAP file in supabase/tests with pg_prove against the session database."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from psycopg.conninfo import conninfo_to_dict

from devstack.paths import SUPABASE_DIR

PGTAP_FILES = sorted((SUPABASE_DIR / "tests").glob("*.sql"))


def test_pgtap_files_exist() -> None:
    assert PGTAP_FILES, "supabase/tests has no pgTAP files"


@pytest.mark.parametrize("path", PGTAP_FILES, ids=[p.name for p in PGTAP_FILES])
def test_pgtap_file_passes(database_url: str, path: Path) -> None:
    pg_prove = shutil.which("pg_prove")
    assert pg_prove, "pg_prove is missing: run `make install`"
    params = conninfo_to_dict(database_url)
    result = subprocess.run(
        [
            pg_prove,
            "--host",
            str(params.get("host", "127.0.0.1")),
            "--port",
            str(params.get("port", 5432)),
            "--username",
            str(params.get("user", "postgres")),
            "--dbname",
            str(params["dbname"]),
            "--verbose",
            str(path),
        ],
        env={**os.environ, "PGPASSWORD": str(params.get("password", ""))},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Result: PASS" in output, output
