"""The Helm chart and the image: lint, render, validate against Kubernetes' schemas, and what the pods get."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from cli.main import build_parser
from devservices import chart
from devservices.services import ROOT, ServiceError

SECRET_LIKE = re.compile(r"(KEY|PASSWORD|SECRET|MONGODB_URL|USERNAME)$")


def objects(manifests: str) -> list[dict[str, Any]]:
    return [o for o in yaml.safe_load_all(manifests) if o]


def by_kind(rendered: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o for o in rendered if o["kind"] == kind}


@pytest.fixture(scope="module")
def rendered() -> dict[str, list[dict[str, Any]]]:
    return {r.values: objects(r.manifests) for r in chart.check()}


def test_every_values_file_lints_renders_and_validates(rendered: dict[str, list[dict[str, Any]]]) -> None:
    kinds = {name: Counter(o["kind"] for o in found) for name, found in rendered.items()}
    print({name: dict(count) for name, count in kinds.items()})  # the note quotes these
    assert kinds["default"] == Counter(
        {
            "Deployment": 2,
            "ServiceAccount": 1,
            "ConfigMap": 1,
            "Service": 1,
            "HorizontalPodAutoscaler": 1,
            "PodDisruptionBudget": 1,
            "NetworkPolicy": 1,
        }
    )
    assert kinds["production"] == kinds["default"] + Counter({"Ingress": 1, "PodDisruptionBudget": 1})


def test_kubeconform_rejects_what_the_cluster_would() -> None:
    bad = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: typo}
spec:
  replica: 2
  selector: {matchLabels: {app: x}}
  template:
    metadata: {labels: {app: x}}
    spec: {containers: [{name: x, image: x}]}
"""
    with pytest.raises(ServiceError, match="replica"):
        chart.validate(bad)


@pytest.mark.parametrize(
    ("setting", "complaint"),
    [
        ("secrets.mongodbUrl.value=mongodb://user:pw@db", "value"),  # secret values have no place in values
        ("config.logFormat=xml", "logFormat"),
        ("podSecurityContext.runAsNonRoot=false", "runAsNonRoot"),
        ("api.port=70000", "port"),
    ],
)
def test_the_values_schema_refuses_bad_values(setting: str, complaint: str) -> None:
    with pytest.raises(ServiceError, match=complaint):
        chart.template(None, "--set", setting)


def test_pods_run_locked_down_and_read_secrets_only_by_reference(rendered: dict[str, list[dict[str, Any]]]) -> None:
    for found in rendered.values():
        for name, deployment in by_kind(found, "Deployment").items():
            pod = deployment["spec"]["template"]["spec"]
            assert pod["securityContext"]["runAsNonRoot"] is True, name
            assert pod["automountServiceAccountToken"] is False, name
            [container] = pod["containers"]
            security = container["securityContext"]
            assert security["readOnlyRootFilesystem"] is True, name
            assert security["allowPrivilegeEscalation"] is False, name
            assert security["capabilities"]["drop"] == ["ALL"], name
            assert container["resources"]["requests"], name
            assert container["resources"]["limits"]["memory"], name
            for variable in container["env"]:
                if SECRET_LIKE.search(variable["name"]):
                    assert "value" not in variable, variable
                    assert variable["valueFrom"]["secretKeyRef"]["name"], variable
        [config] = by_kind(found, "ConfigMap").values()
        assert not [key for key in config["data"] if SECRET_LIKE.search(key)]


def test_containers_run_the_cli_the_image_enters(rendered: dict[str, list[dict[str, Any]]]) -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert 'ENTRYPOINT ["strata"]' in dockerfile
    deployments = by_kind(rendered["production"], "Deployment")
    api = deployments["strata-api"]["spec"]["template"]["spec"]["containers"][0]
    worker = deployments["strata-worker"]["spec"]["template"]["spec"]["containers"][0]
    assert "command" not in api  # the image's entry point
    assert "command" not in worker
    assert build_parser().parse_args(api["args"]).command == "serve"
    assert build_parser().parse_args(worker["args"]).command == "worker"
    assert api["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert api["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert worker["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert api["lifecycle"]["preStop"]["sleep"]["seconds"] > 0
    env = {v["name"]: v.get("value") for v in api["env"]}
    assert env["STRATA_COPERNICUS_WORKER"] == "false"  # the worker has its own Deployment
    # Drain within the grace period, leaving the pre-stop sleep and a margin.
    grace = deployments["strata-api"]["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]
    assert float(env["STRATA_SHUTDOWN_GRACE_SECONDS"]) + api["lifecycle"]["preStop"]["sleep"]["seconds"] < grace


def test_the_ingress_carries_websockets_and_the_body_limit(rendered: dict[str, list[dict[str, Any]]]) -> None:
    [ingress] = by_kind(rendered["production"], "Ingress").values()
    annotations = ingress["metadata"]["annotations"]
    assert int(annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 3600
    assert annotations["nginx.ingress.kubernetes.io/proxy-body-size"] == "1024k"
    assert ingress["spec"]["tls"][0]["secretName"] == "strata-tls"


def test_without_the_worker_deployment_the_api_runs_the_worker() -> None:
    found = objects(chart.template(None, "--set", "worker.enabled=false"))
    deployments = by_kind(found, "Deployment")
    assert list(deployments) == ["strata-api"]
    env = {
        v["name"]: v.get("value") for v in deployments["strata-api"]["spec"]["template"]["spec"]["containers"][0]["env"]
    }
    assert env["STRATA_COPERNICUS_WORKER"] == "true"


def test_the_image_is_multi_stage_non_root_and_its_context_small() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    stages = re.split(r"^FROM ", dockerfile, flags=re.MULTILINE)[1:]
    # the catalogue's build (Node), the Python build, and the final image with only their results
    assert len(stages) == 3
    assert "npm ci" in stages[0]
    final = stages[-1]
    assert re.search(r"^USER 10001:10001$", final, re.MULTILINE)
    assert "COPY --from=build /opt/strata /opt/strata" in final
    assert "COPY --from=web /src/web/dist /opt/strata-web" in final
    assert "npm" not in final
    assert not re.search(r"apt-get|gcc|build-essential|pip install", final)
    ignored = set(Path(ROOT / ".dockerignore").read_text().split())
    assert {".git", ".cache", "tests", "web/node_modules", "web/dist"} <= ignored
