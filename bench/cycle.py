"""Benchmark: the demo cycle through Prefect against the same steps called directly.

Runs `heateval demo` twice in one invocation, each in a fresh process with a home
folder of its own under bench/out/: once with the stages as Prefect flows and
tasks on the local ephemeral API, once with `--direct`, which calls the same task
functions without Prefect. Both play the same sample season, so the ratio is
Prefect's overhead. Prints as its last line:

    cycle ours=<s>s direct=<s>s ratio=<x>

Run: .venv/bin/python bench/cycle.py
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"


def run_demo(name: str, extra: list[str]) -> tuple[float, str]:
    """Run the demo in a fresh home; return its wall time and output."""
    home = OUT / name
    if home.exists():
        shutil.rmtree(home)
    home.mkdir(parents=True)
    env = os.environ | {"HEATEVAL_HOME": str(home)}
    env.pop("HEATEVAL_DATABASE_URL", None)
    command = [str(ROOT / ".venv" / "bin" / "heateval"), "demo", *extra]
    started = time.perf_counter()
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-4000:] + done.stderr[-4000:])
        raise SystemExit(f"{name} run failed with exit code {done.returncode}")
    return seconds, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", action="store_true", help="print both demos' output")
    args = parser.parse_args()

    direct, direct_output = run_demo("direct", ["--direct"])
    ours, ours_output = run_demo("prefect", [])
    if args.show:
        print(direct_output)
        print(ours_output)
    # Both runs must tell the same story, or the comparison means nothing.
    tables = [
        o.split("Final grades per county:")[-1].split("\n\n")[0]
        for o in (direct_output, ours_output)
    ]
    if tables[0] != tables[1]:
        raise SystemExit(f"the two runs ended differently:\n{tables[0]}\n{tables[1]}")
    print(tables[1])
    print(f"cycle ours={ours:.1f}s direct={direct:.1f}s ratio={ours / direct:.2f}")


if __name__ == "__main__":
    main()
