"""The Kustomize overlays: they build, validate against Kubernetes and the operators' CRD
schemas offline, and wire the services as the contract says."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import pytest

from .conftest import require_kubectl
from .contract import K8S_DIR, OVERLAYS
from .k8s_checks import (
    CRD_SCHEMAS,
    Doc,
    alert_problems,
    all_problems,
    backup_problems,
    by_kind,
    crd_schema_problems,
    dashboard_config_problems,
    kafka_problems,
    kustomize_build,
    named,
    native_schema_problems,
    network_policy_problems,
    reference_problems,
    shared_setting_problems,
    startup_problems,
    workload_problems,
)

OVERLAY_PARAMS = [pytest.param(name, id=name) for name in OVERLAYS]


@pytest.mark.parametrize("overlay", OVERLAY_PARAMS)
def test_overlay_builds_with_kustomize(overlay: str) -> None:
    require_kubectl()
    result = kustomize_build(K8S_DIR / "overlays" / overlay)
    assert result.returncode == 0, result.stderr
    assert "kind: Deployment" in result.stdout


@pytest.mark.parametrize("overlay", OVERLAY_PARAMS)
def test_overlay_validates_against_kubernetes_strictly(
    rendered_overlays: dict[str, list[Doc]], overlay: str
) -> None:
    assert native_schema_problems(rendered_overlays[overlay]) == []


@pytest.mark.parametrize("overlay", OVERLAY_PARAMS)
def test_operator_resources_validate_against_the_crd_schemas(
    rendered_overlays: dict[str, list[Doc]], overlay: str
) -> None:
    docs = rendered_overlays[overlay]
    assert {(d["apiVersion"], d["kind"]) for d in docs} >= set(CRD_SCHEMAS)
    assert crd_schema_problems(docs) == []


@pytest.mark.parametrize("overlay", OVERLAY_PARAMS)
def test_overlay_follows_the_service_contract(
    rendered_overlays: dict[str, list[Doc]], overlay: str
) -> None:
    assert all_problems(rendered_overlays[overlay]) == []


@pytest.mark.parametrize("overlay", OVERLAY_PARAMS)
def test_overlay_sets_its_namespace_everywhere(
    rendered_overlays: dict[str, list[Doc]], overlay: str
) -> None:
    docs = rendered_overlays[overlay]
    namespaces = [d["metadata"]["name"] for d in by_kind(docs, "Namespace")]
    assert len(namespaces) == 1
    assert {d["metadata"].get("namespace") for d in docs if d["kind"] != "Namespace"} == {
        namespaces[0]
    }


def test_only_production_verifies_tokens_against_an_issuer(
    rendered_overlays: dict[str, list[Doc]],
) -> None:
    def common(overlay: str) -> dict[str, str]:
        maps = [
            m
            for m in by_kind(rendered_overlays[overlay], "ConfigMap")
            if m["metadata"]["name"].startswith("samspill-common")
        ]
        data: dict[str, str] = maps[0]["data"]
        return data

    assert common("prod")["SAMSPILL_ENV"] == "production"
    issuers = json.loads(common("prod")["OIDC_ISSUERS"])
    assert [issuer["name"] for issuer in issuers] == ["idporten", "entra"]
    assert all(issuer["issuer"].startswith("https://") for issuer in issuers)
    assert "JWT_SECRET" not in common("prod")
    assert common("dev")["SAMSPILL_ENV"] == "development"


def test_booking_and_notifications_read_sms_provider_from_one_config_map(
    rendered_overlays: dict[str, list[Doc]],
) -> None:
    def sms_provider(overlay: str) -> str:
        (config,) = (
            m
            for m in by_kind(rendered_overlays[overlay], "ConfigMap")
            if m["metadata"]["name"].startswith("samspill-sms-channel")
        )
        value: str = config["data"]["SMS_PROVIDER"]
        return value

    assert sms_provider("prod") == "sveve"
    assert sms_provider("dev") == ""  # none: both services refuse the channel `sms`
    for overlay in OVERLAYS:
        assert shared_setting_problems(rendered_overlays[overlay]) == []


def test_shared_setting_check_rejects_a_second_sms_entry_and_a_missing_marker_secret(
    dev: list[Doc],
) -> None:
    docs = copy.deepcopy(dev)
    booking = next(
        m for m in by_kind(docs, "ConfigMap") if m["metadata"]["name"].startswith("booking-config")
    )
    booking["data"]["SMS_PROVIDER"] = "sveve"
    container = deployment(docs, "facilities-api")["spec"]["template"]["spec"]["containers"][0]
    container["envFrom"] = [s for s in container["envFrom"] if "secretRef" not in s]
    common = next(
        m for m in by_kind(docs, "ConfigMap") if m["metadata"]["name"].startswith("samspill-common")
    )
    common["data"]["PRIVACY_MARKER_KEY"] = "written-down"
    problems = "\n".join(shared_setting_problems(docs))
    assert "booking-api: reads SMS_PROVIDER from" in problems
    assert "facilities-api: does not read PRIVACY_MARKER_KEY from samspill-privacy" in problems
    assert "holds PRIVACY_MARKER_KEY, a secret" in problems


def test_production_runs_redundant_kafka_and_postgres(
    rendered_overlays: dict[str, list[Doc]],
) -> None:
    docs = rendered_overlays["prod"]
    assert all(c["spec"]["instances"] >= 3 for c in by_kind(docs, "Cluster"))
    assert sum(p["spec"]["replicas"] for p in by_kind(docs, "KafkaNodePool")) >= 3
    config = named(docs, "Kafka")["samspill"]["spec"]["kafka"]["config"]
    assert config["min.insync.replicas"] >= 2
    assert all(t["spec"]["replicas"] >= 3 for t in by_kind(docs, "KafkaTopic"))


# --- the checks catch broken manifests ---------------------------------------------------


@pytest.fixture
def dev(rendered_overlays: dict[str, list[Doc]]) -> list[Doc]:
    return copy.deepcopy(rendered_overlays["dev"])


def deployment(docs: list[Doc], name: str) -> Doc:
    return named(docs, "Deployment")[name]


def test_kustomize_fails_on_a_missing_resource(tmp_path: Path) -> None:
    require_kubectl()
    overlay = tmp_path / "overlays" / "broken"
    shutil.copytree(K8S_DIR / "overlays" / "dev", overlay)
    shutil.copytree(K8S_DIR / "base", tmp_path / "base")
    kustomization = overlay / "kustomization.yaml"
    kustomization.write_text(
        kustomization.read_text().replace(
            "  - mailpit.yaml\n", "  - mailpit.yaml\n  - smtp-relay.yaml\n"
        )
    )
    assert kustomize_build(overlay).returncode != 0


def test_kubernetes_validation_rejects_a_misspelt_field(dev: list[Doc]) -> None:
    container = deployment(dev, "booking-api")["spec"]["template"]["spec"]["containers"][0]
    container["readinesProbe"] = container.pop("readinessProbe")
    problems = native_schema_problems(dev)
    assert any("readinesProbe" in p for p in problems)


def test_kubernetes_validation_rejects_an_unknown_kind(dev: list[Doc]) -> None:
    dev.append({"apiVersion": "example.org/v1", "kind": "Mystery", "metadata": {"name": "x"}})
    assert native_schema_problems(dev) != []


def test_crd_validation_rejects_bad_topic_and_cluster(dev: list[Doc]) -> None:
    topic = named(dev, "KafkaTopic")["samspill-booking"]
    topic["spec"]["partitions"] = "twelve"
    named(dev, "Cluster")["booking-db"]["spec"]["instancess"] = 2
    problems = "\n".join(crd_schema_problems(dev))
    assert "twelve" in problems
    assert "instancess" in problems


def test_crd_validation_rejects_a_broken_alert_rule(dev: list[Doc]) -> None:
    rule = named(dev, "PrometheusRule")["samspill-outbox"]["spec"]["groups"][0]["rules"][0]
    rule["for"] = "five minutes"
    rule["expresion"] = rule.pop("expr")
    problems = "\n".join(crd_schema_problems(dev))
    assert "five minutes" in problems
    assert "expresion" in problems


def test_alert_check_rejects_an_unknown_metric_and_a_missing_alert(dev: list[Doc]) -> None:
    rule = named(dev, "PrometheusRule")["samspill-outbox"]["spec"]["groups"][0]["rules"][0]
    rule["expr"] = "max without (instance, pod) (outbox_deadletters) > 0"
    del rule["labels"]["severity"]
    problems = "\n".join(alert_problems(dev))
    assert "outbox_deadletters" in problems
    assert "severity" in problems
    without = [d for d in dev if d["kind"] != "PrometheusRule"]
    assert any("no alerting rule" in p for p in alert_problems(without))


def test_contract_check_rejects_wrong_probe_port_image_and_env(dev: list[Doc]) -> None:
    api = deployment(dev, "notifications-api")["spec"]["template"]["spec"]["containers"][0]
    api["livenessProbe"]["httpGet"]["path"] = "/health"
    api["ports"][0]["containerPort"] = 8080
    api["env"].append({"name": "KAFKA_BROKERS", "value": "kafka:9092"})
    relay = deployment(dev, "facilities-relay")["spec"]["template"]["spec"]["containers"][0]
    relay["image"] = "samspill-facilities:latest"
    relay["args"] = ["publisher"]
    problems = "\n".join(workload_problems(dev))
    for expected in ("liveness", "8080", "KAFKA_BROKERS", "explicit tag", "['publisher']"):
        assert expected in problems


def test_contract_check_rejects_a_database_of_another_service(dev: list[Doc]) -> None:
    container = deployment(dev, "booking-api")["spec"]["template"]["spec"]["containers"][0]
    database_url = next(e for e in container["env"] if e["name"] == "DATABASE_URL")
    database_url["valueFrom"]["secretKeyRef"]["name"] = "facilities-db-app"
    assert any("booking database" in p for p in workload_problems(dev))


def test_reference_check_rejects_dangling_selectors(dev: list[Doc]) -> None:
    named(dev, "Service")["booking-api"]["spec"]["selector"]["app.kubernetes.io/name"] = "bookin"
    named(dev, "HorizontalPodAutoscaler")["facilities-api"]["spec"]["scaleTargetRef"]["name"] = (
        "facilities"
    )
    named(dev, "HorizontalPodAutoscaler")["booking-consumer"]["spec"]["maxReplicas"] = 24
    problems = "\n".join(reference_problems(dev))
    for expected in ("Service booking-api", "HPA facilities-api", "HPA booking-consumer"):
        assert expected in problems


def test_network_policy_check_requires_default_deny(dev: list[Doc]) -> None:
    without = [d for d in dev if d["metadata"]["name"] != "default-deny-all"]
    assert "no default-deny NetworkPolicy" in network_policy_problems(without)


def test_kafka_check_rejects_a_state_topic_not_compacted_as_the_kernel_does(
    dev: list[Doc],
) -> None:
    assert kafka_problems(dev) == []
    config = named(dev, "KafkaTopic")["samspill-booking-state"]["spec"]["config"]
    config["delete.retention.ms"] = 3_600_000
    assert "is not the state topics'" in "\n".join(kafka_problems(dev))


def test_kafka_check_rejects_a_topic_off_contract(dev: list[Doc]) -> None:
    named(dev, "KafkaTopic")["samspill-facilities"]["spec"]["config"]["retention.ms"] = 604800000
    named(dev, "KafkaTopic")["samspill-booking"]["spec"]["replicas"] = 3
    problems = "\n".join(kafka_problems(dev))
    assert "differ from the contract" in problems
    assert "more replicas" in problems


# --- operations: schedulers, backups, start-up, dashboard -------------------------------


@pytest.mark.parametrize("overlay", OVERLAY_PARAMS)
def test_every_service_runs_one_scheduler_in_every_overlay(
    rendered_overlays: dict[str, list[Doc]], overlay: str
) -> None:
    deployments = named(rendered_overlays[overlay], "Deployment")
    for service in ("facilities", "booking", "notifications"):
        scheduler = deployments[f"{service}-scheduler"]
        assert scheduler["spec"]["replicas"] == 1
        assert scheduler["spec"]["strategy"]["type"] == "Recreate"
        container = scheduler["spec"]["template"]["spec"]["containers"][0]
        assert container["args"] == ["scheduler"]


def test_workload_check_rejects_a_missing_scheduler_and_unprobed_worker(dev: list[Doc]) -> None:
    without = [d for d in dev if d["metadata"]["name"] != "facilities-scheduler"]
    assert "facilities: nothing runs `scheduler`" in workload_problems(without)
    relay = deployment(dev, "booking-relay")["spec"]["template"]["spec"]["containers"][0]
    del relay["readinessProbe"]
    assert any("booking-relay: worker readiness" in p for p in workload_problems(dev))


def test_production_backs_up_every_database_to_an_object_store(
    rendered_overlays: dict[str, list[Doc]],
) -> None:
    docs = rendered_overlays["prod"]
    assert len(by_kind(docs, "ScheduledBackup")) == len(by_kind(docs, "Cluster")) == 3
    assert backup_problems(docs) == []


def test_backup_check_rejects_a_cluster_without_backups_and_inline_keys(dev: list[Doc]) -> None:
    without = [d for d in dev if d["metadata"]["name"] != "booking-db-nightly"]
    assert any("booking-db: no ScheduledBackup" in p for p in backup_problems(without))
    store = named(dev, "ObjectStore")["notifications-backup"]
    store["spec"]["configuration"]["s3Credentials"]["secretAccessKey"] = {"name": "", "key": ""}
    named(dev, "Cluster")["facilities-db"]["spec"]["plugins"] = []
    problems = "\n".join(backup_problems(dev))
    assert "notifications-backup: credentials are not read from a Secret" in problems
    assert "facilities-db: WAL is not archived" in problems


def test_crd_validation_rejects_a_broken_object_store_and_schedule(dev: list[Doc]) -> None:
    named(dev, "ObjectStore")["booking-backup"]["spec"]["retentionPolicey"] = "30d"
    named(dev, "ScheduledBackup")["booking-db-nightly"]["spec"]["method"] = "tape"
    problems = "\n".join(crd_schema_problems(dev))
    assert "retentionPolicey" in problems
    assert "tape" in problems


@pytest.mark.parametrize("overlay", OVERLAY_PARAMS)
def test_apis_do_not_migrate_and_trust_only_the_ingress(
    rendered_overlays: dict[str, list[Doc]], overlay: str
) -> None:
    assert startup_problems(rendered_overlays[overlay]) == []


def test_startup_check_rejects_migrating_apis_and_untrusted_proxies(dev: list[Doc]) -> None:
    common = next(
        m for m in by_kind(dev, "ConfigMap") if m["metadata"]["name"].startswith("samspill-common")
    )
    common["data"]["MIGRATE_ON_START"] = "true"
    common["data"]["TRUSTED_PROXIES"] = ""
    policy = named(dev, "NetworkPolicy")["booking-api-ingress"]
    policy["spec"]["ingress"][0]["from"].append(
        {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "default"}}}
    )
    problems = "\n".join(startup_problems(dev))
    assert "booking-api: migrates at start" in problems
    assert "TRUSTED_PROXIES is empty" in problems
    assert "booking-api: reachable from ['default'" in problems


def test_production_smtp_uses_starttls(rendered_overlays: dict[str, list[Doc]]) -> None:
    config = next(
        m
        for m in by_kind(rendered_overlays["prod"], "ConfigMap")
        if m["metadata"]["name"].startswith("notifications-config")
    )
    assert config["data"].get("SMTP_START_TLS", "true") == "true"


def test_dashboard_check_rejects_an_unknown_metric(dev: list[Doc]) -> None:
    assert dashboard_config_problems(dev) == []
    config = next(m for m in by_kind(dev, "ConfigMap") if "grafana" in m["metadata"]["name"])
    name = next(iter(config["data"]))
    dashboard = json.loads(config["data"][name])
    dashboard["panels"][0]["targets"][0]["expr"] = "rate(http_request_total[5m])"
    config["data"][name] = json.dumps(dashboard)
    assert any("http_request_total" in p for p in dashboard_config_problems(dev))


@pytest.mark.parametrize("overlay", OVERLAY_PARAMS)
def test_the_portal_is_served_and_reaches_only_the_apis_redis_and_its_issuer(
    rendered_overlays: dict[str, list[Doc]], overlay: str
) -> None:
    docs = rendered_overlays[overlay]
    portal = deployment(copy.deepcopy(docs), "portal-api")
    container = portal["spec"]["template"]["spec"]["containers"][0]
    assert container["args"] == ["api"]
    assert not any(e["name"] == "DATABASE_URL" for e in container.get("env", []))
    assert {"secretRef": {"name": "samspill-portal", "optional": True}} in container["envFrom"]
    hosts = {r["host"] for i in by_kind(docs, "Ingress") for r in i["spec"]["rules"]}
    assert any(host.startswith("samspill.") for host in hosts)
    egress = named(docs, "NetworkPolicy")["portal-egress"]["spec"]["egress"]
    reached = {
        (peer.get("podSelector", {}).get("matchLabels", {}).get("app.kubernetes.io/name"), port)
        for rule in egress
        for peer in rule["to"]
        for port in (p["port"] for p in rule["ports"])
    }
    assert {("facilities", 8001), ("booking", 8002), ("notifications", 8003)} <= reached
    assert ("redis", 6379) in reached
    redis = named(docs, "NetworkPolicy")["redis"]["spec"]["ingress"][0]["from"][0]
    assert "portal" in redis["podSelector"]["matchExpressions"][0]["values"]


def test_the_apis_take_calls_from_the_portal_but_no_other_pod(dev: list[Doc]) -> None:
    assert startup_problems(dev) == []
    policy = named(dev, "NetworkPolicy")["booking-api-ingress-from-portal"]
    policy["spec"]["ingress"][0]["from"][0]["podSelector"]["matchLabels"] = {
        "app.kubernetes.io/name": "facilities"
    }
    assert any("booking-api: reachable from" in p for p in startup_problems(dev))
    without = [d for d in dev if d["metadata"]["name"] != "portal-egress"]
    assert any("portal-api: no NetworkPolicy" in p for p in network_policy_problems(without))
