"""`facilchat db migrate`: bring a database up to date with supabase/migrations.

The migrator is `devstack.migrations`, which the local stack also runs when it
starts; this module is the command's output and exit status.
"""

from __future__ import annotations

import sys

from devstack.migrations import MigrationError, migrate


def run(db_url: str, *, local: bool) -> int:
    """Apply the pending migrations and say which; 1 when one fails."""
    try:
        applied = migrate(db_url, local=local)
    except MigrationError as error:
        print(f"error: migration failed, nothing of it was applied: {error}", file=sys.stderr)
        return 1
    for migration in applied:
        print(f"applied {migration.version}_{migration.name}")
    print(f"{len(applied)} migration(s) applied; the database is up to date.")
    return 0
