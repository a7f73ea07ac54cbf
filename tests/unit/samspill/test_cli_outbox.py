"""`samspill outbox dead-letters` refuses an ambiguous or unaddressed request before it connects."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from samspill.cli import app

runner = CliRunner()


@pytest.mark.parametrize(
    "args",
    [
        ["redrive", "booking", "--database-url", "postgresql://db/booking"],
        ["redrive", "booking", "3", "--all", "--database-url", "postgresql://db/booking"],
    ],
    ids=["nothing named", "ids and --all"],
)
def test_redrive_wants_ids_or_all(args: list[str]) -> None:
    result = runner.invoke(app, ["outbox", "dead-letters", *args])
    assert result.exit_code == 2
    assert "--all" in result.output


def test_a_database_must_be_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    result = runner.invoke(app, ["outbox", "dead-letters", "list", "booking"])
    assert result.exit_code == 2
    assert "DATABASE_URL" in result.output
