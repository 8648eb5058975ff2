"""Benchmark the readings analysis against DuckDB's own read of the same file.

    .venv/bin/python bench/readings.py --n 10000000 [--seed S] [--format csv]
        [--runs 5] [--keep]

A seeded generator (bench/generate_readings.py) writes a synthetic export of N
readings under bench/data/. Each run then times, each in a fresh child process:

- ours: `intake.readings.analyse_readings` on the file (ingest, checks,
  compliance, defects), with its peak resident memory from wait4();
- floor: DuckDB alone, a fresh connection with the same thread count, reading
  the file and computing COUNT, COUNT FILTER (temperature >= 18) and
  COUNT(DISTINCT household).

Times cover the work inside the child, not interpreter start-up or imports. Runs
alternate ours and floor. The last line gives the fastest run of each, which
removes most of the interference from other processes on a shared machine; the
medians are printed above it. Peak memory is the largest of our runs. The last
line is `readings N=<n> ours=<s>s floor=<s>s ratio=<x> peak_rss=<MB>MB`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
DATA_DIR = BENCH_DIR / "data"
THREADS = 2

sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(BENCH_DIR))

from generate_readings import (  # noqa: E402
    FORMATS,
    SEASON_END,
    SEASON_START,
    generate,
    households_served,
)


def _cpu_seconds() -> float:
    """Return user plus system CPU time of this process, all threads included."""
    times = os.times()
    return times.user + times.system


def run_ours(path: Path, n: int) -> dict:
    """Time analyse_readings on path (runs in the child process)."""
    from datetime import date
    from decimal import Decimal

    from intake.readings import analyse_readings

    started, cpu_started = time.perf_counter(), _cpu_seconds()
    report = analyse_readings(
        path,
        season_start=SEASON_START,
        season_end=SEASON_END,
        threshold=Decimal("18"),
        households_served=households_served(n),
        today=date(2026, 5, 1),
    )
    seconds = time.perf_counter() - started
    cpu = _cpu_seconds() - cpu_started
    counts = report.model_dump(mode="json", exclude={"defects"})
    counts["defects"] = len(report.defects)
    return {"seconds": seconds, "cpu": cpu, "report": counts}


def run_floor(path: Path, fmt: str) -> dict:
    """Time DuckDB's own read and aggregate of path (runs in the child process)."""
    import duckdb

    reader = "read_parquet" if fmt == "parquet" else "read_csv"
    started, cpu_started = time.perf_counter(), _cpu_seconds()
    connection = duckdb.connect(":memory:", config={"threads": THREADS})
    row = connection.execute(
        f"""SELECT count(*),
            count(*) FILTER (TRY_CAST(temperature AS DOUBLE) >= 18),
            count(DISTINCT household)
        FROM {reader}($path)""",
        {"path": str(path)},
    ).fetchone()
    connection.close()
    seconds = time.perf_counter() - started
    cpu = _cpu_seconds() - cpu_started
    return {"seconds": seconds, "cpu": cpu, "result": list(row or ())}


def in_child(role: str, path: Path, n: int, fmt: str) -> tuple[dict, int]:
    """Run one role in a fresh interpreter; return its output and peak RSS (KiB)."""
    command = [
        sys.executable,
        __file__,
        "--child",
        role,
        "--n",
        str(n),
        "--format",
        fmt,
        "--path",
        str(path),
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, cwd=REPO_ROOT)
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{role} run failed with exit code {process.returncode}")
    return json.loads(output), usage.ru_maxrss


def data_path(n: int, seed: int, fmt: str) -> Path:
    return DATA_DIR / f"readings-{n}-{seed}.{fmt}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, required=True, help="number of readings")
    parser.add_argument("--seed", type=int, default=20251015, help="generator seed")
    parser.add_argument("--format", choices=FORMATS, default="csv")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each")
    parser.add_argument(
        "--keep", action="store_true", help="keep the generated file (and reuse it)"
    )
    parser.add_argument("--child", choices=("ours", "floor"), help=argparse.SUPPRESS)
    parser.add_argument("--path", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child == "ours":
        print(json.dumps(run_ours(args.path, args.n)))
        return
    if args.child == "floor":
        print(json.dumps(run_floor(args.path, args.format)))
        return

    DATA_DIR.mkdir(parents=True, exist_ok=True)
    path = data_path(args.n, args.seed, args.format)
    if args.keep and path.exists():
        print(f"reusing {path}")
    else:
        started = time.perf_counter()
        generate(path, args.n, seed=args.seed, fmt=args.format)
        elapsed = time.perf_counter() - started
        size = path.stat().st_size / 1024**2
        print(f"generated {path.name}: {size:.0f} MB in {elapsed:.1f}s")

    ours_times, floor_times, peaks, ours_cpu, floor_cpu = [], [], [], [], []
    try:
        for run in range(1, args.runs + 1):
            ours, peak = in_child("ours", path, args.n, args.format)
            floor, _ = in_child("floor", path, args.n, args.format)
            ours_times.append(ours["seconds"])
            floor_times.append(floor["seconds"])
            ours_cpu.append(ours["cpu"])
            floor_cpu.append(floor["cpu"])
            peaks.append(peak)
            print(
                f"run {run}: ours {ours['seconds']:.2f}s "
                f"(peak {peak / 1024:.0f} MB), floor {floor['seconds']:.2f}s, "
                f"ratio {ours['seconds'] / floor['seconds']:.2f}; CPU ours "
                f"{ours['cpu']:.2f}s floor {floor['cpu']:.2f}s"
            )
    finally:
        if not args.keep:
            path.unlink(missing_ok=True)

    print("ours report:", json.dumps(ours["report"], ensure_ascii=False))
    print("floor result [rows, >= 18 °C, households]:", floor["result"])
    if ours["report"]["readings_total"] != args.n:
        raise SystemExit(
            f"ours counted {ours['report']['readings_total']} readings, not {args.n}"
        )
    ours_median = statistics.median(ours_times)
    floor_median = statistics.median(floor_times)
    print(
        f"medians: ours {ours_median:.2f}s floor {floor_median:.2f}s "
        f"ratio {ours_median / floor_median:.2f}"
    )
    print(
        f"CPU medians: ours {statistics.median(ours_cpu):.2f}s "
        f"floor {statistics.median(floor_cpu):.2f}s ratio "
        f"{statistics.median(ours_cpu) / statistics.median(floor_cpu):.2f}"
    )
    ours_best, floor_best = min(ours_times), min(floor_times)
    print(
        f"readings N={args.n} ours={ours_best:.2f}s floor={floor_best:.2f}s "
        f"ratio={ours_best / floor_best:.2f} peak_rss={max(peaks) / 1024:.0f}MB"
    )


if __name__ == "__main__":
    main()
