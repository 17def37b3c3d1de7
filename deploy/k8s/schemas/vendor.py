"""Vendor standalone Kubernetes JSON schemas for kubeconform, offline.

kubeconform fetches schemas from the internet by default; CI cannot. The PyPI package
``kubernetes-validate`` ships the upstream OpenAPI-derived schemas ("local" layout: one
``_definitions.json`` plus thin per-kind files). This script turns the kinds we deploy into
self-contained ``<version>-standalone-strict/<kind>-<group>-<version>.json`` files (only the
definitions each kind needs, inlined under ``$defs``), the layout kubeconform reads with

    -schema-location 'deploy/k8s/schemas/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/'\
'{{ .ResourceKind }}{{ .KindSuffix }}.json'   (one argument; split here for width)

Regenerate (needs network for pip only):

    python -m pip install --target /tmp/kv 'kubernetes-validate==1.37.0'
    python deploy/k8s/schemas/vendor.py /tmp/kv/kubernetes_validate/kubernetes-json-schema
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
VERSIONS = ("v1.30.0", "v1.35.0")
KINDS = ("deployment-apps-v1", "service-v1", "configmap-v1")
REF = re.compile(r"^(?:/api/)?(?:_definitions\.json)?#/\$defs/(.+)$")


def _rewrite(node: Any, needed: set[str]) -> Any:
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for key, value in node.items():
            match = REF.match(value) if key == "$ref" and isinstance(value, str) else None
            if match:
                needed.add(match.group(1))
                out[key] = f"#/$defs/{match.group(1)}"
            else:
                out[key] = _rewrite(value, needed)
        return out
    if isinstance(node, list):
        return [_rewrite(item, needed) for item in node]
    return node


def standalone(source: Path, kind: str, definitions: dict[str, Any]) -> dict[str, Any]:
    needed: set[str] = set()
    doc = _rewrite(json.loads((source / f"{kind}.json").read_text(encoding="utf-8")), needed)
    doc.pop("$id", None)
    defs: dict[str, Any] = {}
    todo = sorted(needed)
    while todo:
        name = todo.pop()
        if name in defs:
            continue
        more: set[str] = set()
        defs[name] = _rewrite(definitions[name], more)
        todo.extend(sorted(more - defs.keys()))
    doc["$defs"] = dict(sorted(defs.items()))
    return doc


def main(argv: list[str]) -> int:
    root = Path(argv[0])
    for version in VERSIONS:
        source = root / f"{version}-local-strict"
        definitions = json.loads((source / "_definitions.json").read_text(encoding="utf-8"))["$defs"]
        target = HERE / f"{version}-standalone-strict"
        target.mkdir(parents=True, exist_ok=True)
        for kind in KINDS:
            doc = standalone(source, kind, definitions)
            text = json.dumps(doc, sort_keys=True, separators=(",", ":"))
            (target / f"{kind}.json").write_text(text + "\n")
            print(f"{target.name}/{kind}.json: {len(doc['$defs'])} definitions")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
