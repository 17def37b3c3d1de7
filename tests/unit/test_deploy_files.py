"""deploy/: alert rules (promtool), the Grafana dashboard and provisioning, docker-compose,
the Dockerfile and the Kubernetes manifests (kubeconform and jsonschema, offline).

Tools that may be missing on a developer machine (promtool, kubeconform via go) are skipped
there, but required under CI=true.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from claimstream import metrics
from claimstream.settings import Settings
from packaging.requirements import Requirement

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
PROM = DEPLOY / "prometheus"
GRAFANA = DEPLOY / "grafana"
K8S = DEPLOY / "k8s"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
METRIC_REF = re.compile(r"\bclaimstream_[a-z0-9_]+")

REQUIRED_ALERTS = {
    "ClaimstreamWorkerDown",
    "ClaimstreamConsumerLagGrowing",
    "ClaimstreamDeadLetterRateHigh",
    "ClaimstreamNoClaims",
    "ClaimstreamEndToEndLatencyHigh",
}


def need_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        if IN_CI:
            pytest.fail(f"{name} is required in CI (make setup installs it)")
        pytest.skip(f"{name} not installed (apt-get install -y prometheus)")
    return path


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def load_all(path: Path) -> list[Any]:
    return [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d]


def dashboard() -> dict[str, Any]:
    return json.loads((GRAFANA / "dashboards" / "claimstream.json").read_text(encoding="utf-8"))


def dashboard_exprs() -> list[str]:
    return [t["expr"] for p in dashboard()["panels"] for t in p.get("targets", [])]


def alert_rules() -> list[dict[str, Any]]:
    return [r for g in load_yaml(PROM / "alerts.yml")["groups"] for r in g["rules"]]


# ---------------------------------------------------------------- prometheus / promtool


def test_promtool_check_config() -> None:
    promtool = need_tool("promtool")
    out = subprocess.run(
        [promtool, "check", "config", "prometheus.yml"], cwd=PROM, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stdout + out.stderr


def test_promtool_check_rules() -> None:
    promtool = need_tool("promtool")
    out = subprocess.run([promtool, "check", "rules", "alerts.yml"], cwd=PROM, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_promtool_test_rules() -> None:
    promtool = need_tool("promtool")
    out = subprocess.run(
        [promtool, "test", "rules", "alerts_test.yml"], cwd=PROM, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stdout + out.stderr


def test_required_alerts_exist_and_each_has_a_firing_unit_test() -> None:
    rules = alert_rules()
    names = {r["alert"] for r in rules}
    assert names >= REQUIRED_ALERTS
    tests = load_yaml(PROM / "alerts_test.yml")["tests"]
    fired = {c["alertname"] for t in tests for c in t.get("alert_rule_test", []) if c.get("exp_alerts")}
    quiet = {c["alertname"] for t in tests for c in t.get("alert_rule_test", []) if not c.get("exp_alerts")}
    assert names <= fired, f"rules without a test that fires them: {names - fired}"
    assert names <= quiet, f"rules without a test where they stay quiet: {names - quiet}"


def test_alerts_are_labelled_and_link_to_the_runbook() -> None:
    ops = (REPO / "docs" / "operations.md").read_text(encoding="utf-8").lower()
    for rule in alert_rules():
        assert rule["labels"]["severity"] in {"critical", "warning"}, rule["alert"]
        assert rule["annotations"]["summary"], rule["alert"]
        anchor = rule["annotations"]["runbook"].split("#", 1)[1]
        assert anchor == rule["alert"].lower()
        assert f"### {rule['alert'].lower()}" in ops, f"docs/operations.md has no section for {rule['alert']}"


def test_prometheus_scrapes_the_compose_worker() -> None:
    conf = load_yaml(PROM / "prometheus.yml")
    job = next(j for j in conf["scrape_configs"] if j["job_name"] == "claimstream")
    assert job["metrics_path"] == "/metrics"
    assert job["static_configs"][0]["targets"] == ["worker:6066"]
    assert conf["rule_files"] == ["alerts.yml"]


# ---------------------------------------------------------------- dashboard and metric names


def test_dashboard_and_alerts_use_only_declared_metrics() -> None:
    declared = metrics.series_names()
    used_dashboard = {n for e in dashboard_exprs() for n in METRIC_REF.findall(e)}
    used_alerts = {n for r in alert_rules() for n in METRIC_REF.findall(r["expr"])}
    assert used_dashboard and used_alerts
    assert used_dashboard <= declared, used_dashboard - declared
    assert used_alerts <= declared, used_alerts - declared


def test_dashboard_shows_every_declared_metric() -> None:
    text = " ".join(dashboard_exprs())
    missing = [n for n in metrics.METRIC_NAMES if n not in text]
    assert not missing, f"metrics without a panel: {missing}"


def test_dashboard_has_the_panels_operators_need() -> None:
    panels = {p["title"]: p for p in dashboard()["panels"]}
    for title in (
        "Throughput",
        "End-to-end latency",
        "Inference latency per batch",
        "Consumer lag per partition",
        "Claims per type",
        "Dead letters",
        "Batch size",
        "Model version",
    ):
        assert title in panels, title
    for title in ("End-to-end latency", "Inference latency per batch"):
        legends = {t["legendFormat"] for t in panels[title]["targets"]}
        assert legends >= {"p50", "p99"}
    ids = [p["id"] for p in panels.values()]
    assert len(ids) == len(set(ids))


def test_dashboard_json_is_generated_from_code() -> None:
    spec = importlib.util.spec_from_file_location("dashboard", GRAFANA / "dashboard.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.render() == (GRAFANA / "dashboards" / "claimstream.json").read_text(encoding="utf-8"), (
        "run: python deploy/grafana/dashboard.py"
    )


def test_grafana_provisioning_matches_the_dashboard_and_compose() -> None:
    ds = load_yaml(GRAFANA / "provisioning" / "datasources" / "prometheus.yml")["datasources"][0]
    assert ds["type"] == "prometheus" and ds["url"] == "http://prometheus:9090"
    uids = {p["datasource"]["uid"] for p in dashboard()["panels"]}
    uids |= {t["datasource"]["uid"] for p in dashboard()["panels"] for t in p["targets"]}
    assert uids == {ds["uid"]}
    provider = load_yaml(GRAFANA / "provisioning" / "dashboards" / "claimstream.yml")["providers"][0]
    grafana = load_yaml(DEPLOY / "docker-compose.yml")["services"]["grafana"]
    assert f"./grafana/dashboards:{provider['options']['path']}:ro" in grafana["volumes"]


# ---------------------------------------------------------------- docker-compose


def test_compose_runs_kafka_worker_prometheus_grafana() -> None:
    compose = load_yaml(DEPLOY / "docker-compose.yml")
    services = compose["services"]
    assert set(services) == {"kafka", "worker", "prometheus", "grafana"}

    kafka = services["kafka"]
    assert kafka["image"].startswith("apache/kafka:")
    env = kafka["environment"]
    assert set(env["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}  # KRaft, no ZooKeeper
    assert "PLAINTEXT://kafka:9092" in env["KAFKA_ADVERTISED_LISTENERS"]
    assert not any("ZOOKEEPER" in k for k in env)

    worker = services["worker"]
    assert (DEPLOY / worker["build"]["context"] / worker["build"]["dockerfile"]).resolve() == (
        DEPLOY / "docker" / "Dockerfile"
    )
    assert worker["environment"]["CLAIMSTREAM_BROKERS"] == "kafka:9092"
    assert worker["environment"]["CLAIMSTREAM_WEB_HOST"] == "0.0.0.0"
    assert "6066:6066" in worker["ports"]
    assert worker["depends_on"]["kafka"]["condition"] == "service_healthy"
    for key in worker["environment"]:
        assert key.removeprefix("CLAIMSTREAM_").lower() in Settings.model_fields, key

    prometheus = services["prometheus"]
    assert "./prometheus:/etc/prometheus:ro" in prometheus["volumes"]
    assert "--config.file=/etc/prometheus/prometheus.yml" in prometheus["command"]
    assert "9090:9090" in prometheus["ports"]

    grafana = services["grafana"]
    assert "./grafana/provisioning:/etc/grafana/provisioning:ro" in grafana["volumes"]
    assert "3000:3000" in grafana["ports"]

    for service in services.values():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if source.startswith("."):
                assert (DEPLOY / source).exists(), volume


# ---------------------------------------------------------------- Dockerfile


def dockerfile_stages() -> list[list[str]]:
    text = (DEPLOY / "docker" / "Dockerfile").read_text(encoding="utf-8")
    logical = re.sub(r"\\\n", " ", text)
    lines = [ln.strip() for ln in logical.splitlines() if ln.strip() and not ln.strip().startswith("#")]
    stages: list[list[str]] = []
    for line in lines:
        if line.upper().startswith("FROM "):
            stages.append([])
        if stages:
            stages[-1].append(line)
    return stages


def test_dockerfile_is_multi_stage_with_a_small_runtime() -> None:
    stages = dockerfile_stages()
    assert len(stages) >= 2
    final = stages[-1]
    assert re.match(r"FROM python:\$\{PYTHON_VERSION\}-slim", final[0])
    body = "\n".join(final)
    assert "apt-get" not in body and "build-essential" not in body and "gcc" not in body
    assert "torch" not in body and "pip install" not in body
    assert "COPY --from=build /opt/venv /opt/venv" in body
    assert re.search(r"^USER 10001", body, re.M)
    assert "EXPOSE 6066" in body
    assert 'ENTRYPOINT ["python", "-m", "claimstream.cli"]' in body
    build = "\n".join(stages[0])
    assert "[train]" not in build and "[dev]" not in build
    assert '! /opt/venv/bin/python -c "import torch"' in build  # the build fails if torch slipped in


def test_runtime_dependencies_have_no_torch() -> None:
    """The closure of claimstream's own requirements (no extras), as installed here."""
    seen: set[str] = set()
    todo = ["claimstream"]
    while todo:
        name = todo.pop()
        key = name.lower().replace("_", "-")
        if key in seen:
            continue
        seen.add(key)
        try:
            dist = distribution(name)
        except PackageNotFoundError:
            continue
        for raw in dist.requires or []:
            req = Requirement(raw)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(req.name)
    assert "onnxruntime" in seen and "faust-streaming" in seen
    assert "torch" not in seen
    assert not any(n.startswith("nvidia-") for n in seen)


def test_dockerignore_keeps_the_context_small() -> None:
    lines = (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines()
    assert lines[lines.index("*")] == "*"
    assert {"!services/", "!pyproject.toml", "!models/"} <= set(lines)


# ---------------------------------------------------------------- Kubernetes


def manifests() -> dict[str, dict[str, Any]]:
    docs: dict[str, dict[str, Any]] = {}
    for path in sorted(K8S.glob("*.yaml")):
        for doc in load_all(path):
            if doc["kind"] != "Kustomization":
                docs[doc["kind"]] = doc
    return docs


def test_manifests_fit_together() -> None:
    docs = manifests()
    assert set(docs) == {"ConfigMap", "Deployment", "Service", "PodMonitor", "ScaledObject"}
    config = docs["ConfigMap"]["data"]
    for key in config:
        assert key.removeprefix("CLAIMSTREAM_").lower() in Settings.model_fields, key
    assert config["CLAIMSTREAM_WEB_HOST"] == "0.0.0.0"
    port = int(config["CLAIMSTREAM_WEB_PORT"])

    deployment = docs["Deployment"]
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert deployment["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert container["envFrom"][0]["configMapRef"]["name"] == docs["ConfigMap"]["metadata"]["name"]
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports == {"http-metrics": port}
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    mounts = {m["mountPath"] for m in container["volumeMounts"]}
    assert "/var/lib/claimstream" in mounts  # the image's WORKDIR, where Faust writes

    service = docs["Service"]
    assert service["spec"]["selector"].items() <= pod_labels.items()
    assert service["spec"]["ports"][0]["targetPort"] == "http-metrics"

    monitor = docs["PodMonitor"]["spec"]
    assert monitor["selector"]["matchLabels"].items() <= pod_labels.items()
    endpoint = monitor["podMetricsEndpoints"][0]
    assert endpoint["port"] == "http-metrics" and endpoint["path"] == "/metrics"
    assert {"action": "replace", "targetLabel": "job", "replacement": "claimstream"} in endpoint[
        "relabelings"
    ]

    scaled = docs["ScaledObject"]["spec"]
    assert scaled["scaleTargetRef"]["name"] == deployment["metadata"]["name"]
    trigger = scaled["triggers"][0]
    assert trigger["type"] == "kafka"
    assert trigger["metadata"]["consumerGroup"] == config["CLAIMSTREAM_APP_ID"]
    assert trigger["metadata"]["topic"] == config["CLAIMSTREAM_ARTICLES_TOPIC"]
    assert trigger["metadata"]["bootstrapServers"] == config["CLAIMSTREAM_BROKERS"]
    assert (
        1
        <= scaled["minReplicaCount"]
        <= scaled["maxReplicaCount"]
        <= int(config["CLAIMSTREAM_TOPIC_PARTITIONS"])
    )


def test_kustomization_lists_every_manifest() -> None:
    kustomization = load_yaml(K8S / "kustomization.yaml")
    files = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert set(kustomization["resources"]) == files


def schema_for(doc: dict[str, Any], version: str) -> dict[str, Any]:
    group, _, api_version = doc["apiVersion"].rpartition("/")
    kind = doc["kind"].lower()
    if group and (K8S / "schemas" / "crds" / group).is_dir():
        path = K8S / "schemas" / "crds" / group / f"{kind}_{api_version}.json"
    else:
        suffix = f"-{group.split('.')[0]}" if group else ""
        path = K8S / "schemas" / f"v{version}-standalone-strict" / f"{kind}{suffix}-{api_version}.json"
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("version", ["1.30.0", "1.35.0"])
def test_manifests_match_the_vendored_schemas(version: str) -> None:
    for kind, doc in manifests().items():
        schema = schema_for(doc, version)
        validator = jsonschema.validators.validator_for(schema)(schema)
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
        assert not errors, f"{kind}: {[e.message for e in errors]}"


def test_schema_validation_catches_mistakes() -> None:
    docs = manifests()
    broken = json.loads(json.dumps(docs["Deployment"]))
    broken["spec"]["template"]["spec"]["containers"][0]["readynessProbe"] = {}
    schema = schema_for(broken, "1.35.0")
    assert list(jsonschema.validators.validator_for(schema)(schema).iter_errors(broken))
    scaled = json.loads(json.dumps(docs["ScaledObject"]))
    scaled["spec"]["minReplicas"] = 1
    schema = schema_for(scaled, "1.35.0")
    assert list(jsonschema.validators.validator_for(schema)(schema).iter_errors(scaled))


def test_kubeconform() -> None:
    if shutil.which("kubeconform") is None and shutil.which("go") is None:
        if IN_CI:
            pytest.fail("kubeconform (or go to install it) is required in CI")
        pytest.skip("neither kubeconform nor go is installed")
    out = subprocess.run(
        ["bash", str(K8S / "validate.sh")], cwd=REPO, capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.count("Valid: 5, Invalid: 0, Errors: 0") == 2, out.stdout
