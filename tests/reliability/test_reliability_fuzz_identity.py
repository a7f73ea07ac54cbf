"""Fuzzing whose budget a request spends: forged bearer tokens (any algorithm, key id and
claims, any signature) and forged X-Forwarded-For headers, against a real service and Redis.

From an untrusted peer none of them may move the request out of the peer's own bucket, and
none may make a 5xx. Runs are derandomized, so a failure reproduces with the same cases.
"""

from __future__ import annotations

import asyncio
import base64
import json
import random
import time
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from samspill.infra import Infrastructure
from samspill.kafka import KafkaConfig
from tests.support import running_service, settings_for

pytestmark = [
    pytest.mark.reliability,
    pytest.mark.slow,
    # The service draws from `random` (ids, jitter) while Hypothesis runs the cases.
    pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisDeprecationWarning"),
]

LIMIT = 1_000_000
PATH = "/messages"  # reads the token: a forged one is answered 401
TRUSTED = "192.0.2.0/24"
header_text = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0x7E),
    max_size=200,
)
json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | header_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(header_text, inner, max_size=3),
    max_leaves=8,
)


def _segment(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


@st.composite
def forged_jwt(draw: st.DrawFn) -> str:
    """Mostly well-formed tokens with a fresh subject each (the attack), sometimes odd ones."""
    header = {
        "alg": draw(st.sampled_from(["none", "None", "HS256", "RS256", "ES256", "HS512", ""])),
        "typ": "JWT",
        **draw(st.dictionaries(st.sampled_from(["kid", "jku", "x5u"]), header_text, max_size=2)),
    }
    subject = st.uuids().map(str) | header_text.filter(str.strip) | json_value
    claims = {
        "sub": draw(subject),
        "groups": ["samspill-admins"],
        "iss": draw(st.sampled_from(["samspill-dev", "elsewhere"])),
        "aud": draw(st.sampled_from(["samspill", "other"])),
        "iat": draw(st.integers(0, 2**34)),
        "exp": draw(st.integers(0, 2**34)),
        **draw(
            st.dictionaries(
                st.sampled_from(["client_id", "scope", "nbf", "jti"]), json_value, max_size=2
            )
        ),
    }
    signature = draw(st.binary(max_size=64))
    encoded = base64.urlsafe_b64encode(signature).rstrip(b"=").decode()
    return f"{_segment(header)}.{_segment(claims)}.{encoded}"


bearer_jwt = forged_jwt().map(lambda token: f"Bearer {token}")
authorization = st.one_of(
    bearer_jwt,
    bearer_jwt,
    bearer_jwt,
    st.none(),
    header_text.map(lambda text: f"Bearer {text}"),
    header_text,
)
forwarded_for = st.one_of(
    st.none(),
    header_text,
    st.lists(st.ip_addresses().map(str), min_size=1, max_size=4).map(", ".join),
)


def headers_of(auth: str | None, xff: str | None) -> dict[str, str]:
    found = {"authorization": auth, "x-forwarded-for": xff}
    return {name: value.strip() for name, value in found.items() if value and value.strip()}


async def test_forged_tokens_and_forwarded_for_never_leave_the_peer_bucket(
    infra: Infrastructure, isolated_kafka: KafkaConfig, database_factory: Any
) -> None:
    config = settings_for(
        "notifications",
        database_url=await database_factory("fuzz_identity"),
        kafka=isolated_kafka,
        redis_url=infra.redis.url,
        rate_limit_per_minute=LIMIT,
        trusted_proxies=TRUSTED,
    )
    async with running_service("notifications", config) as service:
        loop = asyncio.get_running_loop()
        peer = f"198.18.{random.randint(0, 255)}.{random.randint(1, 254)}"
        transport = httpx.ASGITransport(app=service.app, client=(peer, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://fuzz") as http:
            sent: list[tuple[dict[str, str], int, float]] = []

            def send(headers: dict[str, str]) -> httpx.Response:
                future = asyncio.run_coroutine_threadsafe(http.get(PATH, headers=headers), loop)
                return future.result(timeout=30)

            @settings(
                max_examples=300,
                derandomize=True,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            @given(auth=authorization, xff=forwarded_for)
            def one_request(auth: str | None, xff: str | None) -> None:
                headers = headers_of(auth, xff)
                answer = send(headers)
                assert answer.status_code == 401, answer.text
                left = int(answer.headers["ratelimit-remaining"])
                sent.append((headers, left, time.monotonic()))

            anchor = await http.get(PATH)  # no token, no header: the peer's own bucket
            sent.append(({}, int(anchor.headers["ratelimit-remaining"]), time.monotonic()))
            await asyncio.to_thread(one_request)
    assert len(sent) >= 100
    assert outside_the_peer_bucket(sent) == []


def outside_the_peer_bucket(sent: list[tuple[dict[str, str], int, float]]) -> list[object]:
    """The requests that did not take the next request of the peer's bucket: each takes one,
    and only the peer's next window (60 s after one began) may start the count afresh."""
    found: list[object] = []
    _, peer_left, window_started = sent[0]
    for headers, left, at in sent[1:]:
        if left == peer_left - 1:
            peer_left = left
        elif left == LIMIT - 1 and at - window_started >= 59:
            peer_left, window_started = left, at
        else:
            found.append((headers, f"remaining {left}, the peer's bucket {peer_left - 1}"))
    return found[:5]
