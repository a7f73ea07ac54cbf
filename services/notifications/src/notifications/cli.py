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
        """Empty the read model and replay both topics from the start.

        Refused when the topics no longer hold every event the read model was built from.
        """
        with refused_rebuild_exits():
            count = asyncio.run(rebuild(NotificationsSettings(), force=force))
        typer.echo(f"replayed {count} event(s)")


cli = service_cli(definition, NotificationsSettings, _extra_commands)
