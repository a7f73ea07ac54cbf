"""Fixtures of the deployment checks: the rendered Kustomize overlays, built once per run."""

from __future__ import annotations

import pytest

from .contract import K8S_DIR, OVERLAYS
from .k8s_checks import Doc, kubectl, kustomize_build, parse_documents

KUBECTL_MISSING = (
    "kubectl is not installed: the Kustomize overlays cannot be rendered on this machine "
    "(install kubectl >= 1.27, which bundles kustomize v5)"
)


def require_kubectl() -> None:
    if kubectl() is None:
        pytest.skip(KUBECTL_MISSING)


@pytest.fixture(scope="session")
def rendered_overlays() -> dict[str, list[Doc]]:
    """`kubectl kustomize deploy/k8s/overlays/<name>` for every overlay, parsed."""
    require_kubectl()
    rendered = {}
    for overlay in OVERLAYS:
        result = kustomize_build(K8S_DIR / "overlays" / overlay)
        assert result.returncode == 0, f"kustomize {overlay} failed:\n{result.stderr}"
        rendered[overlay] = parse_documents(result.stdout)
    return rendered
