"""Where the project's files and local state live."""

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SUPABASE_DIR = PROJECT_ROOT / "supabase"
MIGRATIONS_DIR = SUPABASE_DIR / "migrations"
POLICIES_DIR = SUPABASE_DIR / "policies"
PLATFORM_SQL = SUPABASE_DIR / "local" / "platform.sql"
SEED_SQL = SUPABASE_DIR / "seed.sql"
# Git-ignored local state: database clusters and logs. FACILCHAT_STATE_DIR moves it.
LOCAL_DIR = Path(os.environ.get("FACILCHAT_STATE_DIR") or PROJECT_ROOT / ".local")
NODE_BIN = PROJECT_ROOT / "node_modules" / ".bin"
