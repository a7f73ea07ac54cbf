"""Offline checks of rendered Kustomize output: schemas, references, the service contract.

Native kinds are validated with kubernetes-validate (strict, pinned Kubernetes version); the
Strimzi, CloudNativePG and Prometheus Operator resources with the CRD JSON Schemas in
deploy/schemas/. Each check returns a list of problems so tests can show a broken manifest is
caught.
"""

from __future__ import annotations

import ipaddress
import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import yaml

from samspill.kafka import STATE_TOPIC_CONFIG

from .contract import (
    DASHBOARD,
    EXPORTED_METRICS,
    HEALTH_PATH,
    KUBERNETES_VERSION,
    PRIVACY_SECRET,
    READY_PATH,
    SCHEMA_DIR,
    SERVICES,
    SMS_CONFIG_MAP,
    SMS_SERVICES,
    TOPICS,
    ServiceContract,
    allowed_env,
    image_tag,
    max_useful_consumers,
    required_env,
    service_of_image,
    stateful,
)

Doc = dict[str, Any]

CRD_SCHEMAS: dict[tuple[str, str], str] = {
    ("kafka.strimzi.io/v1", "Kafka"): "strimzi-kafka-v1-strict.json",
    ("kafka.strimzi.io/v1", "KafkaNodePool"): "strimzi-kafkanodepool-v1-strict.json",
    ("kafka.strimzi.io/v1", "KafkaTopic"): "strimzi-kafkatopic-v1-strict.json",
    ("postgresql.cnpg.io/v1", "Cluster"): "cnpg-cluster-v1-strict.json",
    ("postgresql.cnpg.io/v1", "ScheduledBackup"): "cnpg-scheduledbackup-v1-strict.json",
    ("barmancloud.cnpg.io/v1", "ObjectStore"): "barmancloud-objectstore-v1-strict.json",
    (
        "monitoring.coreos.com/v1",
        "PrometheusRule",
    ): "prometheus-operator-prometheusrule-v1-strict.json",
}
WORKLOAD_KINDS = ("Deployment", "Job")
NAME_LABEL = "app.kubernetes.io/name"
COMPONENT_LABEL = "app.kubernetes.io/component"


def _venv_tool(name: str) -> str | None:
    beside_python = Path(sys.executable).parent / name
    return str(beside_python) if beside_python.exists() else shutil.which(name)


def kubectl() -> str | None:
    return shutil.which("kubectl")


def kustomize_build(directory: Path) -> subprocess.CompletedProcess[str]:
    binary = kubectl()
    if binary is None:
        raise RuntimeError("kubectl is not installed")
    return subprocess.run(
        [binary, "kustomize", str(directory)], capture_output=True, text=True, check=False
    )


def parse_documents(text: str) -> list[Doc]:
    return [doc for doc in yaml.safe_load_all(text) if doc]


def key(doc: Doc) -> tuple[str, str]:
    return doc["apiVersion"], doc["kind"]


def _write_documents(docs: Iterable[Doc], directory: Path, stem: str) -> Path:
    path = directory / f"{stem}.yaml"
    path.write_text(yaml.safe_dump_all(list(docs), sort_keys=False), encoding="utf-8")
    return path


def native_schema_problems(docs: list[Doc]) -> list[str]:
    """kubernetes-validate --strict on every native resource (CRD kinds are checked apart)."""
    native = [doc for doc in docs if key(doc) not in CRD_SCHEMAS]
    tool = _venv_tool("kubernetes-validate")
    if tool is None:
        return ["kubernetes-validate is not installed"]
    with tempfile.TemporaryDirectory() as tmp:
        path = _write_documents(native, Path(tmp), "native")
        result = subprocess.run(
            [tool, "--strict", "--quiet", "-k", KUBERNETES_VERSION, str(path)],
            capture_output=True,
            text=True,
            check=False,
        )
    # A WARN line means no schema was found: an unknown kind must fail, not pass silently.
    problems = [line for line in result.stdout.splitlines() if line.startswith(("ERROR", "WARN"))]
    if result.returncode != 0 and not problems:
        problems.append(result.stdout + result.stderr)
    return problems


def crd_schema_problems(docs: list[Doc]) -> list[str]:
    """check-jsonschema against the strict CRD schema of each operator resource."""
    tool = _venv_tool("check-jsonschema")
    if tool is None:
        return ["check-jsonschema is not installed"]
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        for (api_version, kind), schema in CRD_SCHEMAS.items():
            matching = [d for d in docs if key(d) == (api_version, kind)]
            # check-jsonschema reads one document per file.
            files = [
                str(_write_documents([d], Path(tmp), f"{kind}-{i}")) for i, d in enumerate(matching)
            ]
            if not files:
                continue
            result = subprocess.run(
                [tool, "--schemafile", str(SCHEMA_DIR / schema), *files],
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode != 0:
                problems.append(f"{kind}: {result.stdout}{result.stderr}")
    return problems


def by_kind(docs: list[Doc], kind: str) -> list[Doc]:
    return [doc for doc in docs if doc["kind"] == kind]


def named(docs: list[Doc], kind: str) -> dict[str, Doc]:
    return {doc["metadata"]["name"]: doc for doc in by_kind(docs, kind)}


def pod_spec(doc: Doc) -> Doc:
    spec: Doc = doc["spec"]["template"]["spec"]
    return spec


def pod_labels(doc: Doc) -> dict[str, str]:
    labels: dict[str, str] = doc["spec"]["template"]["metadata"].get("labels", {})
    return labels


def app_workloads(docs: list[Doc]) -> Iterator[tuple[Doc, Doc, ServiceContract]]:
    """(workload, container, service) for every container running a Samspill image."""
    for kind in WORKLOAD_KINDS:
        for doc in by_kind(docs, kind):
            for container in pod_spec(doc)["containers"]:
                service = service_of_image(container["image"])
                if service is not None:
                    yield doc, container, service


def _selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return all(labels.get(k) == v for k, v in selector.items())


def _config_map_data(docs: list[Doc], container: Doc) -> dict[str, str]:
    config_maps = named(docs, "ConfigMap")
    data: dict[str, str] = {}
    for source in container.get("envFrom", []):
        ref = source.get("configMapRef")
        if ref is not None and ref["name"] in config_maps:
            data.update(config_maps[ref["name"]].get("data", {}))
    return data


def env_names(docs: list[Doc], container: Doc) -> set[str]:
    return set(_config_map_data(docs, container)) | {e["name"] for e in container.get("env", [])}


def _reference_problems(docs: list[Doc], workload: Doc, container: Doc) -> list[str]:
    name = workload["metadata"]["name"]
    config_maps, clusters = named(docs, "ConfigMap"), named(docs, "Cluster")
    problems = []
    for source in container.get("envFrom", []):
        ref = source.get("configMapRef")
        if ref is not None and ref["name"] not in config_maps and not ref.get("optional"):
            problems.append(f"{name}: ConfigMap {ref['name']} does not exist")
        secret = source.get("secretRef")
        if secret is not None and not secret.get("optional"):
            problems.append(f"{name}: Secret {secret['name']} is required but not managed here")
    for env in container.get("env", []):
        secret_ref = env.get("valueFrom", {}).get("secretKeyRef")
        if secret_ref is None:
            continue
        cluster = secret_ref["name"].removesuffix("-app")
        if cluster not in clusters or secret_ref.get("key") != "uri":
            problems.append(f"{name}: {env['name']} reads {secret_ref}, not a CloudNativePG uri")
    return problems


def _database_problems(
    docs: list[Doc], workload: Doc, container: Doc, service: ServiceContract
) -> list[str]:
    clusters = named(docs, "Cluster")
    for env in container.get("env", []):
        if env["name"] == "DATABASE_URL":
            ref = env.get("valueFrom", {}).get("secretKeyRef", {})
            cluster = clusters.get(str(ref.get("name", "")).removesuffix("-app"))
            initdb = (cluster or {}).get("spec", {}).get("bootstrap", {}).get("initdb", {})
            if initdb.get("database") != service.name:
                return [
                    f"{workload['metadata']['name']}: DATABASE_URL is not the "
                    f"{service.name} database"
                ]
            return []
    return []


def _env_problems(
    docs: list[Doc], workload: Doc, container: Doc, service: ServiceContract
) -> list[str]:
    name = workload["metadata"]["name"]
    names = env_names(docs, container)
    problems = [f"{name}: sets unknown variable {v}" for v in sorted(names - allowed_env(service))]
    problems += [f"{name}: does not set {v}" for v in sorted(required_env(service) - names)]
    data = _config_map_data(docs, container)
    if data.get("PORT") != str(service.port):
        problems.append(
            f"{name}: PORT={data.get('PORT')}, the {service.name} port is {service.port}"
        )
    return problems


def _probe_path(container: Doc, probe: str) -> str | None:
    path: str | None = container.get(probe, {}).get("httpGet", {}).get("path")
    return path


def _serving_problems(
    workload: Doc, container: Doc, service: ServiceContract, role: str = ""
) -> list[str]:
    """The API and the workers alike serve /healthz, /readyz and /metrics on the service's
    port (`role` names a worker in the messages)."""
    name = f"{workload['metadata']['name']}: {role}".rstrip()
    ports = {p.get("name"): p["containerPort"] for p in container.get("ports", [])}
    problems = []
    if ports.get("http") != service.port:
        problems.append(f"{name} http port {ports.get('http')}, expected {service.port}")
    if _probe_path(container, "livenessProbe") != HEALTH_PATH:
        problems.append(f"{name} liveness probe is not {HEALTH_PATH}")
    if _probe_path(container, "readinessProbe") != READY_PATH:
        problems.append(f"{name} readiness probe is not {READY_PATH}")
    return problems


def _container_problems(workload: Doc, container: Doc, service: ServiceContract) -> list[str]:
    name = workload["metadata"]["name"]
    args = container.get("args", [])
    problems = []
    if container.get("command"):
        problems.append(f"{name}: overrides the image entrypoint ({service.script})")
    if len(args) != 1 or args[0] not in service.commands:
        problems.append(f"{name}: args {args} are not one of {service.commands}")
    if image_tag(container["image"]) in (None, "latest"):
        problems.append(f"{name}: image {container['image']} has no explicit tag")
    if pod_labels(workload).get(NAME_LABEL) != service.name:
        problems.append(
            f"{name}: runs {service.image} but is labelled {pod_labels(workload).get(NAME_LABEL)}"
        )
    resources = container.get("resources", {})
    if not {"cpu", "memory"} <= set(resources.get("requests", {})) or "memory" not in resources.get(
        "limits", {}
    ):
        problems.append(f"{name}: needs cpu/memory requests and a memory limit")
    if args == ["api"]:
        problems += _serving_problems(workload, container, service)
    elif args and args[0] in service.workers:
        problems += _serving_problems(workload, container, service, "worker")
        annotations = workload["spec"]["template"]["metadata"].get("annotations", {})
        if annotations.get("prometheus.io/scrape") != "true":
            problems.append(f"{name}: worker metrics are not scraped")
    return problems


def workload_problems(docs: list[Doc]) -> list[str]:
    """Images, commands, ports, probes, environment and secrets of the Samspill pods."""
    problems = []
    seen: dict[str, set[str]] = {name: set() for name in SERVICES}
    for workload, container, service in app_workloads(docs):
        problems += _container_problems(workload, container, service)
        problems += _env_problems(docs, workload, container, service)
        problems += _reference_problems(docs, workload, container)
        problems += _database_problems(docs, workload, container, service)
        seen[service.name].update(container.get("args", []))
        if pod_spec(workload).get("securityContext", {}).get("runAsNonRoot") is not True:
            problems.append(f"{workload['metadata']['name']}: pods must run as non-root")
    for service in SERVICES.values():
        missing = service.must_run - seen[service.name]
        problems += [f"{service.name}: nothing runs `{command}`" for command in sorted(missing)]
    migrate_jobs = {c.get("args", [None])[0] for d, c, _ in app_workloads(by_kind(docs, "Job"))}
    if migrate_jobs - {"migrate"}:
        problems.append(f"Jobs must only migrate, found {migrate_jobs}")
    return problems


def _deployments_selected(docs: list[Doc], selector: dict[str, str]) -> list[Doc]:
    return [d for d in by_kind(docs, "Deployment") if _selects(selector, pod_labels(d))]


def _service_problems(docs: list[Doc]) -> list[str]:
    problems = []
    for service in by_kind(docs, "Service"):
        name, spec = service["metadata"]["name"], service["spec"]
        targets = _deployments_selected(docs, spec.get("selector", {}))
        if not targets:
            problems.append(f"Service {name}: selects no Deployment")
        port_names = {
            p.get("name")
            for d in targets
            for c in pod_spec(d)["containers"]
            for p in c.get("ports", [])
        }
        problems += [
            f"Service {name}: targetPort {p['targetPort']} is not a container port"
            for p in spec["ports"]
            if isinstance(p.get("targetPort"), str) and p["targetPort"] not in port_names
        ]
    return problems


def _scaling_problems(docs: list[Doc]) -> list[str]:
    deployments = named(docs, "Deployment")
    problems = []
    for hpa in by_kind(docs, "HorizontalPodAutoscaler"):
        target = deployments.get(hpa["spec"]["scaleTargetRef"]["name"])
        if target is None:
            problems.append(f"HPA {hpa['metadata']['name']}: target does not exist")
            continue
        labels = pod_labels(target)
        if labels.get(COMPONENT_LABEL) == "consumer":
            cap = max_useful_consumers(SERVICES[labels[NAME_LABEL]])
            if hpa["spec"]["maxReplicas"] > cap:
                problems.append(
                    f"HPA {hpa['metadata']['name']}: more consumers than {cap} partitions"
                )
    for pdb in by_kind(docs, "PodDisruptionBudget"):
        if not _deployments_selected(docs, pdb["spec"]["selector"]["matchLabels"]):
            problems.append(f"PDB {pdb['metadata']['name']}: selects no Deployment")
    api_hpas = {
        h["spec"]["scaleTargetRef"]["name"] for h in by_kind(docs, "HorizontalPodAutoscaler")
    }
    api_pdbs = {
        d["metadata"]["name"]
        for d in by_kind(docs, "Deployment")
        for p in by_kind(docs, "PodDisruptionBudget")
        if _selects(p["spec"]["selector"]["matchLabels"], pod_labels(d))
    }
    for service in SERVICES.values():
        api = f"{service.name}-api"
        if api not in api_hpas:
            problems.append(f"{api}: no HorizontalPodAutoscaler")
        if api not in api_pdbs:
            problems.append(f"{api}: no PodDisruptionBudget")
    return problems


def _ingress_problems(docs: list[Doc]) -> list[str]:
    services = named(docs, "Service")
    problems = []
    backends = set()
    for ingress in by_kind(docs, "Ingress"):
        for rule in ingress["spec"]["rules"]:
            for path in rule["http"]["paths"]:
                backend = path["backend"]["service"]
                backends.add(backend["name"])
                target = services.get(backend["name"])
                port_names = {
                    p.get("name") for p in (target or {}).get("spec", {}).get("ports", [])
                }
                if target is None or backend["port"].get("name") not in port_names:
                    problems.append(f"Ingress backend {backend} does not exist")
    problems += [
        f"no ingress to {s.name}-api" for s in SERVICES.values() if f"{s.name}-api" not in backends
    ]
    return problems


def reference_problems(docs: list[Doc]) -> list[str]:
    """Services, HPAs, PDBs and Ingress point at things that exist."""
    return _service_problems(docs) + _scaling_problems(docs) + _ingress_problems(docs)


def network_policy_problems(docs: list[Doc]) -> list[str]:
    """A namespace-wide default deny exists, and every Samspill pod has an egress allowance."""
    policies = by_kind(docs, "NetworkPolicy")
    default_deny = [
        p
        for p in policies
        if p["spec"]["podSelector"] == {}
        and set(p["spec"].get("policyTypes", [])) == {"Ingress", "Egress"}
        and not p["spec"].get("ingress")
        and not p["spec"].get("egress")
    ]
    problems = [] if default_deny else ["no default-deny NetworkPolicy"]
    for workload, _, _ in app_workloads(docs):
        labels = pod_labels(workload)
        allowed = [
            p
            for p in policies
            if p["spec"].get("egress")
            and _selects(p["spec"]["podSelector"].get("matchLabels", {}), labels)
            and p["spec"]["podSelector"] != {}
        ]
        if not allowed:
            problems.append(
                f"{workload['metadata']['name']}: no NetworkPolicy lets it reach "
                "its database, Kafka and Redis"
            )
    return problems


def _topic_config(topic: Doc) -> tuple[str, int, int, str]:
    spec = topic["spec"]
    name = spec.get("topicName", topic["metadata"]["name"])
    config = spec.get("config", {})
    policy = str(config.get("cleanup.policy", "delete"))
    return name, spec.get("partitions", -1), int(config.get("retention.ms", 0)), policy


def _compaction_problems(name: str, config: Doc) -> list[str]:
    """A compacted topic is configured as the kernel creates state topics."""
    declared = {key: str(value) for key, value in config.items()}
    wanted = dict(STATE_TOPIC_CONFIG)
    if {key: declared.get(key) for key in wanted} != wanted:
        return [f"topic {name}: {declared} is not the state topics' {wanted}"]
    return []


def kafka_problems(docs: list[Doc]) -> list[str]:
    """One KRaft Kafka with a node pool, the contract's topics, and clients pointed at it."""
    kafkas = named(docs, "Kafka")
    if len(kafkas) != 1:
        return [f"expected one Kafka, found {sorted(kafkas)}"]
    cluster = next(iter(kafkas))
    pools = by_kind(docs, "KafkaNodePool")
    problems = []
    if not any(
        p["metadata"].get("labels", {}).get("strimzi.io/cluster") == cluster
        and {"controller", "broker"} <= set(p["spec"]["roles"])
        for p in pools
    ):
        problems.append("no KafkaNodePool gives the cluster KRaft controllers and brokers")
    brokers = sum(p["spec"]["replicas"] for p in pools if "broker" in p["spec"]["roles"])
    topics = by_kind(docs, "KafkaTopic")
    declared = {}
    for topic in topics:
        name, partitions, retention, policy = _topic_config(topic)
        declared[name] = (partitions, retention, policy)
        if policy == "compact":
            problems += _compaction_problems(name, topic["spec"].get("config", {}))
        if topic["metadata"].get("labels", {}).get("strimzi.io/cluster") != cluster:
            problems.append(f"topic {name} is not labelled for cluster {cluster}")
        if topic["spec"].get("replicas", 0) > brokers:
            problems.append(f"topic {name} wants more replicas than {brokers} brokers")
    expected = {t.name: (t.partitions, t.retention_ms, t.cleanup_policy) for t in TOPICS.values()}
    if declared != expected:
        problems.append(f"topics {declared} differ from the contract {expected}")
    bootstrap = f"{cluster}-kafka-bootstrap:9092"
    for config_map in by_kind(docs, "ConfigMap"):
        value = config_map.get("data", {}).get("KAFKA_BOOTSTRAP_SERVERS")
        if value not in (None, bootstrap):
            problems.append(
                f"{config_map['metadata']['name']}: KAFKA_BOOTSTRAP_SERVERS={value}, "
                f"expected {bootstrap}"
            )
    return problems


# A PromQL metric name: an identifier not followed by `(` (a function) and not a keyword. Label
# lists of `by (...)`/`without (...)`, matchers `{...}` and ranges `[...]` are stripped first.
_NOT_METRICS = re.compile(r"\b(?:by|without|on|ignoring)\s*\([^)]*\)|\{[^}]*\}|\[[^\]]*\]")
_IDENTIFIER = re.compile(r"\b[a-zA-Z_:][a-zA-Z0-9_:]*\b(?!\s*\()")
_PROMQL_WORDS = frozenset({"and", "or", "unless", "bool", "offset", "on", "ignoring", "up"})


def alert_problems(docs: list[Doc]) -> list[str]:
    """Every alerting rule has a severity and a summary, and queries only metrics the services
    export (a renamed metric would leave its alert silent forever)."""
    problems = []
    rules = [
        rule
        for doc in by_kind(docs, "PrometheusRule")
        for group in doc["spec"]["groups"]
        for rule in group["rules"]
        if "alert" in rule
    ]
    if not rules:
        problems.append("no alerting rule: outbox dead letters would go unnoticed")
    for rule in rules:
        name = rule["alert"]
        if "severity" not in rule.get("labels", {}):
            problems.append(f"alert {name}: no severity label")
        if "summary" not in rule.get("annotations", {}):
            problems.append(f"alert {name}: no summary annotation")
        problems += _query_problems(f"alert {name}", str(rule["expr"]))
    return problems


def _query_problems(what: str, expression: str) -> list[str]:
    stripped = _NOT_METRICS.sub("", expression)
    names = {
        word
        for word in _IDENTIFIER.findall(stripped)
        if word not in _PROMQL_WORDS and not word[0].isdigit()
    }
    unknown = sorted(names - EXPORTED_METRICS)
    return [f"{what}: queries {unknown}, which no service exports"] if unknown else []


def dashboard_problems(dashboard: Doc) -> list[str]:
    """The Grafana dashboard: a uid and title, and every panel queries exported metrics."""
    problems = [f"dashboard: no {key}" for key in ("uid", "title") if not dashboard.get(key)]
    panels = dashboard.get("panels") or []
    if not panels:
        problems.append("dashboard: no panels")
    for panel in panels:
        targets = panel.get("targets") or []
        if not targets:
            problems.append(f"panel {panel.get('title')!r}: no query")
        for target in targets:
            problems += _query_problems(f"panel {panel.get('title')!r}", str(target.get("expr")))
    return problems


def dashboard_config_problems(docs: list[Doc]) -> list[str]:
    """The dashboard reaches Grafana's sidecar as a labelled ConfigMap holding the file."""
    maps = [
        m
        for m in by_kind(docs, "ConfigMap")
        if m["metadata"].get("labels", {}).get("grafana_dashboard") == "1"
    ]
    if not maps:
        return ["no ConfigMap labelled grafana_dashboard=1"]
    data = maps[0].get("data", {})
    if data.get(DASHBOARD.name) is None:
        return [f"the dashboard ConfigMap lacks {DASHBOARD.name}"]
    return dashboard_problems(json.loads(data[DASHBOARD.name]))


BARMAN_PLUGIN = "barman-cloud.cloudnative-pg.io"


def backup_problems(docs: list[Doc]) -> list[str]:
    """Every database is backed up: WAL archived to an ObjectStore whose credentials come from
    a Secret, and a ScheduledBackup through the plugin."""
    stores = named(docs, "ObjectStore")
    scheduled = {
        b["spec"]["cluster"]["name"]: b
        for b in by_kind(docs, "ScheduledBackup")
        if b["spec"].get("method") == "plugin"
        and b["spec"].get("pluginConfiguration", {}).get("name") == BARMAN_PLUGIN
    }
    problems = []
    for name, cluster in named(docs, "Cluster").items():
        plugins = [
            p
            for p in cluster["spec"].get("plugins", [])
            if p["name"] == BARMAN_PLUGIN and p.get("isWALArchiver")
        ]
        store = plugins[0].get("parameters", {}).get("barmanObjectName") if plugins else None
        if store not in stores:
            problems.append(f"Cluster {name}: WAL is not archived to an ObjectStore")
        if name not in scheduled:
            problems.append(f"Cluster {name}: no ScheduledBackup through the Barman Cloud plugin")
    for name, store in stores.items():
        config = store["spec"]["configuration"]
        credentials = config.get("s3Credentials", {})
        refs = [credentials.get(k, {}) for k in ("accessKeyId", "secretAccessKey")]
        if not all(ref.get("name") and ref.get("key") for ref in refs):
            problems.append(f"ObjectStore {name}: credentials are not read from a Secret")
        if not store["spec"].get("retentionPolicy"):
            problems.append(f"ObjectStore {name}: no retention policy")
    return problems


def _common_config(docs: list[Doc], container: Doc) -> dict[str, str]:
    return _config_map_data(docs, container)


def startup_problems(docs: list[Doc]) -> list[str]:
    """APIs never migrate (the Jobs do, under the lock), trust forwarded headers only from the
    pod network the ingress runs in, and notifications uses STARTTLS unless told otherwise."""
    problems = []
    jobs = {
        s.name for _, c, s in app_workloads(by_kind(docs, "Job")) if c.get("args") == ["migrate"]
    }
    problems += [f"{s}: no migrate Job" for s in sorted(set(stateful(SERVICES)) - jobs)]
    for workload, container, _ in app_workloads(by_kind(docs, "Deployment")):
        name = workload["metadata"]["name"]
        config = _common_config(docs, container)
        if config.get("MIGRATE_ON_START") != "false":
            problems.append(f"{name}: migrates at start (MIGRATE_ON_START is not false)")
        if container.get("args") == ["api"]:
            problems += _proxy_problems(docs, workload, config)
    return problems


def _proxy_problems(docs: list[Doc], api: Doc, config: dict[str, str]) -> list[str]:
    name = api["metadata"]["name"]
    networks = [n.strip() for n in config.get("TRUSTED_PROXIES", "").split(",") if n.strip()]
    problems = []
    if not networks:
        problems.append(f"{name}: TRUSTED_PROXIES is empty: every caller shares one rate limit")
    for network in networks:
        try:
            ipaddress.ip_network(network)
        except ValueError:
            problems.append(f"{name}: TRUSTED_PROXIES has {network!r}, not a network")
    allowed = set()
    for policy in by_kind(docs, "NetworkPolicy"):
        selector = policy["spec"]["podSelector"].get("matchLabels", {})
        if not selector or not _selects(selector, pod_labels(api)):
            continue
        for rule in policy["spec"].get("ingress", []):
            for peer in rule.get("from", []):
                allowed.add(_peer_name(peer))
    # The portal calls the APIs from inside the namespace; it sends no X-Forwarded-For.
    if not allowed or allowed - {"ingress-nginx", "monitoring", "portal"}:
        problems.append(
            f"{name}: reachable from {sorted(allowed)}, not only the ingress (and monitoring)"
        )
    return problems


def _peer_name(peer: Doc) -> str:
    """A namespace by name, or the portal's own pods; anything else as written."""
    if "namespaceSelector" in peer:
        labels = peer["namespaceSelector"].get("matchLabels", {})
        return str(labels.get("kubernetes.io/metadata.name", peer))
    pods = peer.get("podSelector", {}).get("matchLabels", {})
    if pods == {"app.kubernetes.io/name": "portal", "app.kubernetes.io/component": "api"}:
        return "portal"
    return str(peer)


def _generated_as(rendered: str, name: str) -> bool:
    """Whether a rendered ConfigMap name is the generator `name` (with its content hash)."""
    return rendered == name or rendered.rsplit("-", 1)[0] == name


def shared_setting_problems(docs: list[Doc]) -> list[str]:
    """SMS_PROVIDER reaches booking and notifications from the one ConfigMap (and no other
    service); PRIVACY_MARKER_KEY reaches every service with a database from its Secret and
    stands in no ConfigMap."""
    config_maps = named(docs, "ConfigMap")
    problems = [
        f"ConfigMap {name}: holds PRIVACY_MARKER_KEY, a secret"
        for name, config_map in config_maps.items()
        if "PRIVACY_MARKER_KEY" in config_map.get("data", {})
    ]
    for workload, container, service in app_workloads(docs):
        name = workload["metadata"]["name"]
        sources = container.get("envFrom", [])
        maps = [s["configMapRef"]["name"] for s in sources if "configMapRef" in s]
        giving = [m for m in maps if "SMS_PROVIDER" in config_maps.get(m, {}).get("data", {})]
        wanted = service.name in SMS_SERVICES
        if wanted and not (len(giving) == 1 and _generated_as(giving[0], SMS_CONFIG_MAP)):
            problems.append(f"{name}: reads SMS_PROVIDER from {giving}, not {SMS_CONFIG_MAP}")
        if not wanted and giving:
            problems.append(f"{name}: is given SMS_PROVIDER, which {service.name} does not read")
        if any(
            e["name"] in ("SMS_PROVIDER", "PRIVACY_MARKER_KEY") for e in container.get("env", [])
        ):
            problems.append(f"{name}: sets a shared setting on its own")
        secrets = {s["secretRef"]["name"] for s in sources if "secretRef" in s}
        if service.database and PRIVACY_SECRET not in secrets:
            problems.append(f"{name}: does not read PRIVACY_MARKER_KEY from {PRIVACY_SECRET}")
    return problems


def all_problems(docs: list[Doc]) -> list[str]:
    return (
        workload_problems(docs)
        + reference_problems(docs)
        + network_policy_problems(docs)
        + kafka_problems(docs)
        + alert_problems(docs)
        + backup_problems(docs)
        + startup_problems(docs)
        + dashboard_config_problems(docs)
        + shared_setting_problems(docs)
    )
