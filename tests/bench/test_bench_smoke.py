"""The benchmark harness runs end to end at its smallest scale, so a broken benchmark shows up
in CI. The figures themselves are not judged here, only that every measurement produced them
and every request got an answer the data set allows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.runner import run_benchmarks
from bench.scale import SMOKE
from samspill.infra import Infrastructure
from samspill.kafka import KafkaConfig

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]


async def test_benchmarks_run_end_to_end(
    infra: Infrastructure, isolated_kafka: KafkaConfig, tmp_path: Path
) -> None:
    report = await run_benchmarks(
        infra,
        SMOKE,
        kafka_url=isolated_kafka.bootstrap_servers,
        # 4×: 72 bookings more, beyond the two series booked through the API (at most 25
        # weeks each, by the weekday the run starts on), so some are always copied.
        growth=(1, 4),
        say=lambda _: None,
    )
    results = report.results

    levels = dict(SMOKE.booking_levels)
    assert [row["clients"] for row in results["bookings"]] == list(levels)
    for row in results["bookings"]:
        requests = levels[row["clients"]]
        assert row["service"]["outcomes"] == {"201": requests}
        assert row["raw_database"]["outcomes"] == {"committed": requests}
        assert row["throughput_ratio"] > 0
        assert row["service"]["booking_cpu_ms_per_request"] > 0

    assert results["availability"]["outcomes"] == {"200": SMOKE.availability_requests}
    feed = results["feed"]
    assert feed["events"] == SMOKE.feed_events
    assert feed["render"]["outcomes"] == {"200": SMOKE.feed_renders}
    assert feed["cached"]["outcomes"] == {"200": SMOKE.feed_requests}
    assert feed["not_modified"]["outcomes"] == {"304": SMOKE.feed_requests}
    assert results["event_lag"]["outcomes"] == {"visible": SMOKE.lag_samples}
    assert results["event_lag"]["p50_ms"] > 0

    loans = results["loans"]["outcomes"]
    assert sum(loans.values()) == SMOKE.loan_requests
    assert set(loans) <= {"201", "409"}
    assert loans["201"] >= 1, "some loan got the scarce units"

    for service in ("facilities", "booking", "notifications"):
        assert results["memory"][service]["peak_mb"] > 0

    portal = results["portal"]
    for page in ("front page", "My page (logged in)"):
        assert portal["pages"][page]["outcomes"] == {"200": 5}
    assert portal["all_pages_p95_ms"] > 0

    growth = results["growth"]
    assert [row["factor"] for row in growth] == ["1×", "4×"]
    assert growth[1]["bookings_held"] >= growth[0]["bookings_held"] + 3 * SMOKE.bookings
    assert growth[1]["post_outcomes"] == {"201": SMOKE.growth_posts[1]}
    # The first series of each kind of space through the API, the rest copied from their rows
    # (bench/growth.py checks that booking refuses a copied hour and the feed shows it).
    assert growth[1]["series_via_api"] == 2
    assert growth[1]["copied"] >= 1
    assert growth[1]["booked_via_api"] + growth[1]["copied"] == 3 * SMOKE.bookings

    assert "POST /bookings" in report.table()
    assert "Growth" in report.table()
    assert "target < 150 ms" in report.table()
    written = json.loads(report.write(tmp_path).read_text())
    assert written["results"]["bookings"] == results["bookings"]
