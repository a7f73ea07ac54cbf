"""`python -m bench [--quick | --scale NAME] [--seed N] [--growth 1,10,100] [--only SECTION]
[--results-dir DIR]`."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

from bench import allocation
from bench.report import RESULTS_DIR, Report
from bench.runner import SECTIONS, run_benchmarks
from bench.scale import QUICK, SCALES, Scale
from samspill.infra import InfrastructureError, running_infrastructure


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a short run (about two minutes)")
    parser.add_argument("--scale", choices=sorted(SCALES), default="full")
    parser.add_argument("--seed", type=int, default=2026, help="seed of the random data set")
    parser.add_argument(
        "--growth",
        type=_factors,
        default=None,
        help="grow the bookings held to these factors of the data set and measure again "
        "(default 1,10,100; 1,10 with --quick; 1 alone skips the growth steps)",
    )
    parser.add_argument(
        "--only",
        choices=[*SECTIONS, "allocation"],
        help="run one section on the loaded data set (`growth`: the growth table alone); "
        "`allocation` solves the seasonal round without the stack",
    )
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR)
    return parser.parse_args(argv)


def default_growth(scale: Scale) -> tuple[int, ...]:
    return (1, 10, 100) if scale.name == "full" else (1, 10)


def _factors(text: str) -> tuple[int, ...]:
    try:
        factors = tuple(sorted({int(part) for part in text.split(",") if part.strip()}))
    except ValueError as exc:
        raise argparse.ArgumentTypeError("factors are whole numbers, e.g. 1,10,100") from exc
    if not factors or factors[0] < 1:
        raise argparse.ArgumentTypeError("factors are 1 or more")
    return factors


def main(argv: list[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    scale = QUICK if args.quick else SCALES[args.scale]
    if args.only == "allocation":
        return _allocation_alone(args.seed, args.results_dir)
    growth = args.growth or default_growth(scale)
    started = time.monotonic()
    try:
        with running_infrastructure() as infra:
            report = asyncio.run(
                run_benchmarks(infra, scale, seed=args.seed, growth=growth, only=args.only)
            )
    except InfrastructureError as exc:
        print(f"bench ▸ infrastructure: {exc}", file=sys.stderr)
        return 1
    if args.only is None:
        print("bench ▸ seasonal allocation (CP-SAT and greedy) …", flush=True)
        report.results["allocation"] = allocation.run(args.seed)
    report.results.setdefault("seconds", {})["run"] = round(time.monotonic() - started, 1)
    print()
    print(report.table())
    print(f"\nbench ▸ results written to {report.write(args.results_dir)}")
    return 0


def _allocation_alone(seed: int, results_dir: Path) -> int:
    print("bench ▸ seasonal allocation (CP-SAT and greedy) …", flush=True)
    report = Report(meta={"section": "allocation", "seed": seed})
    report.results["allocation"] = allocation.run(seed)
    print()
    print("\n".join(allocation.table_lines(report.results["allocation"])))
    print(f"bench ▸ results written to {report.write(results_dir)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
