"""How the services' HTTP server is configured."""

from __future__ import annotations

import httpx

from samspill.service_cli import server_config


def _app(scope: object, receive: object, send: object) -> None:  # pragma: no cover - not served
    raise AssertionError("not served")


def test_idle_connections_outlive_the_clients_idle_limit() -> None:
    """A client that reuses an idle connection must never race the server closing it: the
    server keeps idle connections longer than httpx clients (the portal, the bench) and the
    ingress keep theirs."""
    config = server_config(_app, host="127.0.0.1", port=8000)
    httpx_idle_s = httpx.Limits().keepalive_expiry
    ingress_upstream_idle_s = 60
    assert httpx_idle_s is not None
    assert config.timeout_keep_alive > max(httpx_idle_s, ingress_upstream_idle_s)
