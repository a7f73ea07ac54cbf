"""Schemathesis cases sent to an app running in-process on the test's own event loop.

The services run with their lifespan (relay, consumers, schedulers) on the loop of the test.
Hypothesis drives schemathesis synchronously, so it runs in a worker thread and hands each
request over to that loop (`Bridge`). Each operation is fuzzed with positive and negative
data, as an admin and as a resident, with seeded ids mixed into path and query parameters so
that cases reach real objects and not only 404s. A stateful run follows the links schemathesis
infers between operations (a created resource's id fed into the operations that take it).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st
from hypothesis.errors import UnsatisfiedAssumption
from schemathesis import Case, GenerationMode
from schemathesis.checks import check, not_a_server_error
from schemathesis.core.transport import Response
from schemathesis.openapi import from_dict
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
)

from samspill.inputs import EARLIEST_DATE, LATEST_DATE

# Parameters and body members that carry a date or an instant; free text is left alone.
DATE_FIELDS = frozenset(
    {
        "start",
        "end",
        "from",
        "to",
        "day",
        "dates",
        "first_date",
        "last_date",
        "from_date",
        "pickup_date",
        "return_date",
        "valid_from",
        "valid_to",
    }
)
_DATE = re.compile(r"^(?P<year>[+-]?\d{4,})-\d{2}-\d{2}")


def far_dates(value: object, field: str | None = None) -> list[str]:
    """Dates outside the sane range (`samspill.inputs`) among the date fields of `value`."""
    if isinstance(value, Mapping):
        return [d for key, item in value.items() for d in far_dates(item, str(key))]
    if isinstance(value, list | tuple):
        return [d for item in value for d in far_dates(item, field)]
    match = _DATE.match(value) if field in DATE_FIELDS and isinstance(value, str) else None
    if match and not EARLIEST_DATE.year <= int(match["year"]) <= LATEST_DATE.year:
        return [f"{field}={value}"]
    return []


@check
def far_dates_are_refused(ctx: Any, response: Response, case: AnyCase) -> bool | None:
    """A date far outside every horizon is refused before it drives any work."""
    found = far_dates(case.query) + far_dates(case.body) + far_dates(case.path_parameters)
    if response.status_code < 300 and found:
        raise AssertionError(f"accepted far dates {found} with {response.status_code}")
    return None


# No 5xx, every answer matches what the OpenAPI document says about its status code, and no
# far-future or far-past date is taken.
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    content_type_conformance,
    response_headers_conformance,
    far_dates_are_refused,
]
REQUEST_TIMEOUT_S = 30.0
AnyCase = Case[Any]
_FAILURE_CHARS = 3000


@dataclass(frozen=True)
class Bridge:
    """Sends requests from a worker thread through the in-process client on the app's loop."""

    loop: asyncio.AbstractEventLoop
    client: httpx.AsyncClient

    def send(self, case: AnyCase, headers: Mapping[str, str]) -> httpx.Response:
        kwargs = case.as_transport_kwargs(base_url=str(self.client.base_url), headers=dict(headers))
        request = self._request(kwargs)
        future = asyncio.run_coroutine_threadsafe(self.client.send(request), self.loop)
        return future.result(timeout=REQUEST_TIMEOUT_S)

    def _request(self, kwargs: dict[str, Any]) -> httpx.Request:
        body: dict[str, Any] = {}
        if "json" in kwargs:
            body["json"] = kwargs["json"]
        elif isinstance(kwargs.get("data"), str | bytes):
            body["content"] = kwargs["data"]
        elif kwargs.get("data") is not None:
            body["data"] = kwargs["data"]
        try:
            return self.client.build_request(
                kwargs["method"],
                kwargs["url"],
                params=kwargs.get("params"),
                headers=kwargs.get("headers"),
                **body,
            )
        except (ValueError, TypeError, httpx.InvalidURL, UnicodeError):
            # Headers or URLs no HTTP client can put on the wire never reach a server.
            assume(False)
            raise


def load_schema(document: dict[str, Any]) -> Any:
    return from_dict(document)


def with_seeds(case: AnyCase, seeds: Mapping[str, Sequence[str]], data: st.DataObject) -> None:
    """Swap some generated ids for seeded ones, so cases also reach existing objects."""
    for location in (case.path_parameters, case.query):
        if not isinstance(location, dict):
            continue
        for name in list(location):
            if name in seeds and data.draw(st.booleans(), label=f"seed {name}"):
                location[name] = data.draw(st.sampled_from(list(seeds[name])), label=name)


def _report(label: str, exc: BaseException) -> str:
    text = f"{label}: {type(exc).__name__}: {exc}"
    return text[:_FAILURE_CHARS]


class Recorder:
    """Keeps the first failure as it happened.

    Hypothesis replays a failing case to shrink and report it; against live databases the
    replay can take another path and end in a "flaky" error that hides the real failure.
    """

    def __init__(self) -> None:
        self.first: str | None = None

    @contextlib.contextmanager
    def watch(self, label: str) -> Iterator[None]:
        try:
            yield
        except (Exception, BaseExceptionGroup) as exc:
            if self.first is None and not isinstance(exc, UnsatisfiedAssumption):
                self.first = _report(label, exc)
            raise

    def report(self, label: str, exc: BaseException) -> str:
        final = _report(label, exc)
        if self.first is None or self.first == final:
            return final
        return f"{self.first}\n(then, on replay: {final[:300]})"


def _strategy(operation: Any) -> st.SearchStrategy[AnyCase]:
    strategies = []
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        with contextlib.suppress(Exception):
            strategies.append(operation.as_strategy(generation_mode=mode))
    return st.one_of(*strategies)


def fuzz_operation(
    operation: Any,
    bridge: Bridge,
    callers: Mapping[str, Mapping[str, str]],
    seeds: Mapping[str, Sequence[str]],
    max_examples: int,
) -> str | None:
    """Fuzz one operation; None when every case passed the checks, else the failure."""

    @settings(
        max_examples=max_examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        report_multiple_bugs=False,
    )
    @given(case=_strategy(operation), data=st.data())
    def run(case: AnyCase, data: st.DataObject) -> None:
        caller = data.draw(st.sampled_from(sorted(callers)), label="caller")
        with_seeds(case, seeds, data)
        with recorder.watch(operation.label):
            response = bridge.send(case, callers[caller])
            case.validate_response(response, checks=CHECKS)

    recorder = Recorder()
    try:
        run()
    except (Exception, BaseExceptionGroup) as exc:
        return recorder.report(operation.label, exc)
    return None


def fuzz_schema(
    schema: Any,
    bridge: Bridge,
    callers: Mapping[str, Mapping[str, str]],
    seeds: Mapping[str, Sequence[str]],
    max_examples: int,
) -> list[str]:
    """Every operation of one OpenAPI document; failures as readable lines."""
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        failure = fuzz_operation(operation, bridge, callers, seeds, max_examples)
        if failure is not None:
            failures.append(failure)
    return failures


def fuzz_stateful(
    schema: Any, bridge: Bridge, headers: Mapping[str, str], max_examples: int, steps: int
) -> list[str]:
    """Scenarios along the inferred links (create, then read, change or delete what was made)."""
    base: Any = schema.as_state_machine()

    recorder = Recorder()
    label = "stateful"

    class Machine(base):  # type: ignore[misc]
        def call(self, case: AnyCase, **kwargs: Any) -> Response:
            with recorder.watch(f"{label} {case.operation.label}"):
                return Response.from_any(bridge.send(case, headers))

        def validate_response(
            self,
            response: Response,
            case: AnyCase,
            additional_checks: list[Callable[..., Any]] | None = None,
            **kwargs: Any,
        ) -> None:
            with recorder.watch(f"{label} {case.operation.label}"):
                case.validate_response(response, checks=CHECKS)

    try:
        Machine.run(
            settings=settings(
                max_examples=max_examples,
                stateful_step_count=steps,
                derandomize=True,
                database=None,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                phases=[Phase.explicit, Phase.generate],
                report_multiple_bugs=False,
            )
        )
    except (Exception, BaseExceptionGroup) as exc:
        return [recorder.report(label, exc)]
    return []
