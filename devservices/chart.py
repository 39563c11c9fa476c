"""Helm and kubeconform, pinned and built from the Go module proxy, and the chart checks CI runs.

Kubernetes' JSON schemas cannot be downloaded here, so they come from a PyPI package that
carries them (``kubernetes-validate``). Its files name themselves ``https://kubernetes.io/api/...``
and point at ``/api/_definitions.json`` under that name, which a file loader cannot fetch; the
extracted copies drop their ``$id`` and reference their sibling ``_definitions.json``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from devservices.services import CACHE, ROOT, TOOLS, ServiceError, _go_env, _run

HELM_VERSION = "v3.21.4"  # pinned in tools/helm/go.mod
KUBECONFORM_VERSION = "v0.7.0"  # pinned in tools/kubeconform/go.mod
SCHEMAS_PACKAGE = "kubernetes-validate==1.37.0"
KUBERNETES_VERSION = "1.34.0"

CHART = ROOT / "helm" / "strata"
VALUES_FILES: dict[str, Path | None] = {"default": None, "production": CHART / "ci" / "production-values.yaml"}


def _binary(name: str, version: str) -> Path:
    return CACHE / "bin" / f"{name}-{version}" / name


def helm() -> Path:
    binary = _binary("helm", HELM_VERSION)
    if not binary.exists():
        _run(["go", "install", "tool"], TOOLS / "helm", _go_env(binary.parent))
    return binary


def kubeconform() -> Path:
    binary = _binary("kubeconform", KUBECONFORM_VERSION)
    if not binary.exists():
        _run(["go", "install", "tool"], TOOLS / "kubeconform", _go_env(binary.parent))
    return binary


def schemas() -> Path:
    """The strict standalone schemas of one Kubernetes version, extracted once."""
    target = CACHE / "kubernetes-json-schema" / f"v{KUBERNETES_VERSION}-standalone-strict"
    done = target / ".complete"
    if done.exists():
        return target
    downloads = CACHE / "downloads" / "kubernetes-validate"
    downloads.mkdir(parents=True, exist_ok=True)
    wheels = sorted(downloads.glob("kubernetes_validate-*.whl"))
    if not wheels:
        _run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--no-deps",
                "--dest",
                str(downloads),
                SCHEMAS_PACKAGE,
            ],
            ROOT,
        )
        wheels = sorted(downloads.glob("kubernetes_validate-*.whl"))
    prefix = f"kubernetes_validate/kubernetes-json-schema/v{KUBERNETES_VERSION}-local-strict/"
    target.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(wheels[-1]) as wheel:
        members = [m for m in wheel.namelist() if m.startswith(prefix) and m.endswith(".json")]
        if not members:
            raise ServiceError(f"{wheels[-1].name} has no schemas for Kubernetes {KUBERNETES_VERSION}")
        for member in members:
            text = wheel.read(member).decode().replace('"/api/_definitions.json#', '"_definitions.json#')
            schema = json.loads(text)
            schema.pop("$id", None)  # so references resolve beside the file, not at kubernetes.io
            (target / member.removeprefix(prefix)).write_text(json.dumps(schema))
    done.touch()
    return target


@dataclass(frozen=True)
class Rendered:
    values: str
    manifests: str


def _helm(args: Sequence[str]) -> str:
    result = subprocess.run([str(helm()), *args], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise ServiceError(f"helm {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def lint(values: Path | None) -> str:
    options = ["--values", str(values)] if values else []
    return _helm(["lint", "--strict", "--kube-version", KUBERNETES_VERSION, str(CHART), *options])


def template(values: Path | None, *extra: str) -> str:
    options = ["--values", str(values)] if values else []
    return _helm(
        [
            "template",
            "strata",
            str(CHART),
            "--namespace",
            "strata",
            "--kube-version",
            KUBERNETES_VERSION,
            *options,
            *extra,
        ]
    )


def validate(manifests: str) -> str:
    """kubeconform, strict, against the offline schemas; returns its summary."""
    location = str(schemas()) + "/{{ .ResourceKind }}{{ .KindSuffix }}.json"
    command = [str(kubeconform()), "-strict", "-summary", "-schema-location", location, "-"]
    return _run(command, ROOT, stdin=manifests).strip()


def check() -> list[Rendered]:
    """What CI runs: lint and render every values file, and validate what it renders."""
    rendered = []
    for name, values in VALUES_FILES.items():
        lint(values)
        manifests = template(values)
        print(f"{name}: {validate(manifests)}")
        rendered.append(Rendered(name, manifests))
    return rendered
