"""Every service's command line (api, migrate, relay, consumer, scheduler); `samspill.cli` is
the operator's `samspill` command."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
from collections.abc import Callable, Iterator
from typing import Annotated, Any

import typer
import uvicorn
from uvicorn.supervisors import Multiprocess

from samspill.observability import configure_logging
from samspill.process_group import prepare_multiprocess_metrics
from samspill.replay import HistoryMissing
from samspill.service import ServiceDefinition, WorkerKind, create_app, run_workers
from samspill.settings import ServiceSettings

ForceOption = Annotated[
    bool,
    typer.Option(
        "--force",
        help="Rebuild even when the topics lack events (or a state topic aggregates) the read "
        "model was built from (what they built is lost).",
    ),
]


@contextlib.contextmanager
def refused_rebuild_exits() -> Iterator[None]:
    """A rebuild refused for missing history prints why and exits with 1, not a traceback."""
    try:
        yield
    except HistoryMissing as refused:
        typer.echo(str(refused), err=True)
        raise typer.Exit(1) from None


# How long an idle client connection stays open: longer than the clients' own idle limit
# (httpx: 5 s, ingress-nginx's upstream pool: 60 s), so a client never sends a request on a
# connection the server is closing at that moment (uvicorn's 5 s equalled httpx's: a ReadError
# under load).
KEEP_ALIVE_S = 75


def server_config(app: Any, *, host: str, port: int, workers: int = 1) -> uvicorn.Config:
    """How the `api` command serves an app (with several workers: an import string of the
    app factory, which each worker calls).

    Proxy headers are the app's business (TRUSTED_PROXIES, see `create_app`): uvicorn's own
    handling would trust X-Forwarded-For from 127.0.0.1 whatever the settings say.
    """
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_config=None,
        timeout_graceful_shutdown=10,
        timeout_keep_alive=KEEP_ALIVE_S,
        proxy_headers=False,
        workers=workers,
        factory=workers > 1,
    )


def serve_with_workers(config: uvicorn.Config) -> None:
    """uvicorn's supervisor of several worker processes on one socket. Each worker builds the
    app from the environment (`<service>.main:app`), which the parent set up for them."""
    metrics = prepare_multiprocess_metrics()
    try:
        Multiprocess(config, sockets=[config.bind_socket()]).run()
    finally:
        if metrics.name.startswith("samspill-metrics-"):
            shutil.rmtree(metrics, ignore_errors=True)


def service_cli(
    definition: ServiceDefinition,
    settings: Callable[[], ServiceSettings],
    extra: Callable[[typer.Typer], Any] | None = None,
) -> typer.Typer:
    """A Typer app with the standard commands; `extra` may add service-specific ones."""
    cli = typer.Typer(help=f"Samspill {definition.name} service", no_args_is_help=True)

    @cli.command()
    def api(
        host: str = typer.Option("0.0.0.0", help="Interface to listen on"),
        port: int | None = typer.Option(None, help="Port (default: PORT)"),
        workers_in_process: bool | None = typer.Option(
            None, help="Run relay/consumers/schedulers inside the API process"
        ),
    ) -> None:
        """Serve the HTTP API (and, unless disabled, its workers in the same process)."""
        config = settings()
        if workers_in_process is not None:
            config = config.model_copy(update={"run_workers_in_api": workers_in_process})
        # Before uvicorn starts, so its first lines are JSON like the rest.
        configure_logging(definition.name, config.log_level, config.log_json)
        workers = config.api_worker_count
        if workers > 1:
            # The workers read their settings from the environment, this choice included.
            os.environ["RUN_WORKERS_IN_API"] = str(config.run_workers_in_api).lower()
            os.environ["API_WORKERS"] = str(workers)
            factory = f"{definition.name}.main:app"
            serving = server_config(factory, host=host, port=port or config.port, workers=workers)
            serve_with_workers(serving)
            return
        app = create_app(definition, config, freeze_startup_heap=True)
        uvicorn.Server(server_config(app, host=host, port=port or config.port)).run()

    @cli.command()
    def migrate() -> None:
        """Upgrade the database to the newest migration and exit (holding the migration lock)."""
        from samspill.migrations import upgrade

        config = settings()
        configure_logging(definition.name, config.log_level, config.log_json)
        upgrade(definition.migrations_dir, config.database_url)

    @cli.command()
    def revision(message: str = typer.Option(..., "-m", help="What the migration does")) -> None:
        """Autogenerate a migration from the tables (DATABASE_URL must be at head)."""
        from alembic import command

        from samspill.migrations import alembic_config

        command.revision(
            alembic_config(definition.migrations_dir, settings().database_url),
            message=message,
            autogenerate=True,
        )

    def worker(kind: WorkerKind) -> None:
        asyncio.run(run_workers(definition, settings(), [kind]))

    if definition.publishes:

        @cli.command()
        def relay() -> None:
            """Publish committed outbox events to Kafka."""
            worker("relay")

    @cli.command()
    def consumer() -> None:
        """Consume events from Kafka."""
        worker("consumer")

    @cli.command()
    def scheduler() -> None:
        """Run the scheduled jobs."""
        worker("scheduler")

    if extra is not None:
        extra(cli)
    return cli
