"""Run the date-sensitive tests (marker `calendar`) with "today" moved to each holiday period
and both clock-change weeks, under Debian's `faketime`.

    python -m tests.calendar_check            # every period, every `calendar` test
    python -m tests.calendar_check --quick    # three periods, a few quick tests (`make test`)
    python -m tests.calendar_check --date 2027-03-18 -- -k club_calendar
    python -m tests.calendar_check --list     # the dates only

Each period is the next time it comes after the real today, so the faked dates are always
ahead of the real clock. The clock is moved by a fixed offset (not a start time), so the test
process and every service process it starts agree on the time. PostgreSQL and Redis keep the
real clock: the product takes "now" from its own process, never from them.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time

from dateutil.easter import easter

from samspill.recurrence import OSLO
from tests.dates import clock_changes, today

QUICK_TESTS = (
    "tests/unit/test_dates.py",
    "tests/reliability/test_reliability_privacy.py",
    "tests/e2e/test_e2e_club_calendar.py",
)
QUICK_PERIODS = ("a week before Christmas", "the week before Easter", "spring clock change week")


@dataclass(frozen=True)
class Period:
    name: str
    day_in: Callable[[int], date]  # the period's "today" in a given year


def _fixed(month: int, day: int) -> Callable[[int], date]:
    return lambda year: date(year, month, day)


def _from_easter(days: int) -> Callable[[int], date]:
    return lambda year: easter(year) + timedelta(days=days)


def _before_switch(index: int) -> Callable[[int], date]:
    """The Tuesday before a clock change (0: spring, 1: autumn)."""
    return lambda year: clock_changes(year)[index] - timedelta(days=5)


PERIODS = (
    Period("a week before Christmas", _fixed(12, 18)),  # today + 7 is Christmas Day
    Period("Christmas holidays", _fixed(12, 20)),
    Period("between Christmas and New Year", _fixed(12, 27)),
    Period("New Year's Day", _fixed(1, 1)),
    Period("the week before Easter", _from_easter(-10)),  # a Thursday; the next is Maundy
    Period("Easter week", _from_easter(-6)),
    Period("a week before 17 May", _fixed(5, 10)),
    Period("17 May", _fixed(5, 17)),
    Period("a week before Ascension Day", _from_easter(32)),
    Period("Whit Monday", _from_easter(50)),
    Period("spring clock change week", _before_switch(0)),
    Period("autumn clock change week", _before_switch(1)),
    Period("the last week of the spring term", _fixed(6, 14)),
    Period("summer", _fixed(7, 1)),
)


def next_occurrence(period: Period, after: date) -> date:
    """The period's day in the first year where it comes after `after`."""
    return next(
        day for year in (after.year, after.year + 1) if (day := period.day_in(year)) > after
    )


def planned(names: Sequence[str] | None, after: date) -> list[tuple[date, str]]:
    """The faked todays in order, one run per date (periods on one date share it)."""
    by_day: dict[date, list[str]] = {}
    for period in PERIODS:
        if names is None or period.name in names:
            by_day.setdefault(next_occurrence(period, after), []).append(period.name)
    return [(day, ", ".join(by_day[day])) for day in sorted(by_day)]


def faketime_command(day: date, command: Sequence[str]) -> list[str]:
    """`command` with the clock moved so that it starts at noon (Oslo) on `day`."""
    target = datetime.combine(day, clock_time(12), OSLO)
    offset = round((target - datetime.now(UTC)).total_seconds())
    return ["faketime", "-f", f"{offset:+d}", *command]


def check_faketime(day: date) -> None:
    """Fail early when faketime does not move Python's clock (e.g. not installed)."""
    probe = [sys.executable, "-c", "import datetime; print(datetime.date.today())"]
    seen = subprocess.run(
        faketime_command(day, probe), capture_output=True, text=True, check=True
    ).stdout.strip()
    if seen != str(day):
        raise SystemExit(f"faketime did not move the clock to {day} (the process saw {seen})")


def run(day: date, pytest_args: Sequence[str]) -> tuple[int, float]:
    command = [sys.executable, "-m", "pytest", "-m", "calendar", "-p", "no:cacheprovider"]
    started = time.monotonic()
    result = subprocess.run(faketime_command(day, [*command, *pytest_args]), check=False)
    return result.returncode, time.monotonic() - started


def main(argv: Sequence[str] | None = None) -> int:
    options = _parser().parse_args(argv)
    pytest_args = list(options.pytest_args)
    if options.quick:
        pytest_args = ["-q", *pytest_args, *QUICK_TESTS]
    if options.date:
        plan = [(date.fromisoformat(d), "chosen") for d in options.date]
    else:
        plan = planned(QUICK_PERIODS if options.quick else None, today())
    for day, name in plan:
        print(f"{day} {day.strftime('%a')}  {name}")
    if options.list:
        return 0
    check_faketime(plan[0][0])
    results = []
    for day, name in plan:
        print(f"\n=== today = {day} ({name})", flush=True)
        results.append((day, name, *run(day, pytest_args)))
    print("\nDate-sensitive tests with a faked today:")
    for day, name, code, seconds in results:
        outcome = "passed" if code == 0 else f"FAILED (exit {code})"
        print(f"  {day}  {name:<36} {outcome:<16} {seconds:5.0f} s")
    failed = sum(1 for _, _, code, _ in results if code != 0)
    print(f"calendar: {len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="test-calendar", description="Date-sensitive tests with a faked today (faketime)."
    )
    parser.add_argument("--quick", action="store_true", help="three periods, a few tests")
    parser.add_argument("--date", action="append", help="a faked today (YYYY-MM-DD); repeat")
    parser.add_argument("--list", action="store_true", help="print the dates and stop")
    parser.add_argument("pytest_args", nargs="*", help="after --: passed on to pytest")
    return parser


if __name__ == "__main__":
    sys.exit(main())
