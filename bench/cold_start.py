"""Cold start of the Vercel function: importing `webhook.app` in a fresh process,
against a bare FastAPI app measured in the same run.

    .venv/bin/python bench/cold_start.py [--runs 7]

"uncached" runs each process with an empty bytecode cache (as on a fresh Vercel
instance that ships no .pyc files); "cached" reuses one warmed cache.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CASES = {
    "bare FastAPI app": "from fastapi import FastAPI; app = FastAPI()",
    "webhook.app": "import webhook.app",
    "webhook.app + first reply deps": ("import webhook.app; import supabase; import twilio.rest"),
}
ENV = {
    "SUPABASE_URL": "http://127.0.0.1:9",
    "SUPABASE_SERVICE_ROLE_KEY": "key",
    "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
    "TWILIO_AUTH_TOKEN": "token",
}


def time_import(code: str, cache_dir: str) -> float:
    env = {**os.environ, **ENV, "PYTHONPYCACHEPREFIX": cache_dir}
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    baseline_python = statistics.median(
        time_import("pass", tempfile.mkdtemp()) for _ in range(args.runs)
    )
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; median of {args.runs} fresh processes; "
        f"an empty interpreter takes {baseline_python * 1000:.0f} ms"
    )
    print(f"{'import':<32} {'uncached ms':>12} {'cached ms':>10} {'vs bare (uncached)':>19}")
    results: dict[str, tuple[float, float]] = {}
    for name, code in CASES.items():
        uncached = statistics.median(
            time_import(code, tempfile.mkdtemp()) for _ in range(args.runs)
        )
        warm_cache = tempfile.mkdtemp()
        time_import(code, warm_cache)
        cached = statistics.median(time_import(code, warm_cache) for _ in range(args.runs))
        results[name] = (uncached, cached)
    bare = results["bare FastAPI app"][0]
    for name, (uncached, cached) in results.items():
        print(
            f"{name:<32} {uncached * 1000:>12.0f} {cached * 1000:>10.0f} {uncached / bare:>18.2f}x"
        )


if __name__ == "__main__":
    main()
