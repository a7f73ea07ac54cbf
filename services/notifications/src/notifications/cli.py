"""The notifications command line: the kernel's standard commands and `rebuild-read-model`."""

from __future__ import annotations

import asyncio

import typer

from notifications.config import NotificationsSettings
from notifications.feeds.queries import FeedCache
from notifications.main import definition
from notifications.readmodel.use_cases import rebuild_read_model
from samspill.service import Runtime
from samspill.service_cli import ForceOption, refused_rebuild_exits, service_cli


async def rebuild(settings: NotificationsSettings, *, force: bool = False) -> int:
    runtime = Runtime.open(definition, settings)
    try:
        count = await rebuild_read_model(runtime.sessions, runtime.kafka, force=force)
        await FeedCache(runtime.redis, settings.feed_cache_ttl_s).invalidate_all()
        return count
    finally:
        await runtime.close()


def _extra_commands(cli: typer.Typer) -> None:
    @cli.command("rebuild-read-model")
    def rebuild_read_model_command(force: ForceOption = False) -> None:
        """Empty the read model, replay samspill.facilities from the start and apply the
        latest state of every booking aggregate from samspill.booking.state.

        Refused when the facilities topic no longer holds every event the read model was built
        from, or the state topic was trimmed or lacks an aggregate the consumer applied.
        """
        with refused_rebuild_exits():
            count = asyncio.run(rebuild(NotificationsSettings(), force=force))
        typer.echo(f"applied {count} event(s) and state(s)")


cli = service_cli(definition, NotificationsSettings, _extra_commands)
