"""A fixed feed renders byte for byte as the reviewed golden file.

After an intended change to the output, rewrite the file with
`SAMSPILL_UPDATE_GOLDEN=1 uv run pytest tests/unit/notifications` and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

from notifications.domain.feed import render_feed

from .feed_builders import STAMP, feed_info, sample_entries

GOLDEN = Path(__file__).parent / "golden" / "space_feed.ics"


def test_sample_feed_matches_golden_file() -> None:
    body = render_feed(feed_info(), sample_entries(), stamp=STAMP)
    if os.environ.get("SAMSPILL_UPDATE_GOLDEN") == "1":
        GOLDEN.write_bytes(body)
    assert body == GOLDEN.read_bytes()
