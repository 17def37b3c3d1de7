#!/usr/bin/env bash
# Validate the Kubernetes manifests with kubeconform against the schemas vendored in
# deploy/k8s/schemas (no network): core kinds for each vendored Kubernetes version, and
# the KEDA ScaledObject / Prometheus Operator PodMonitor CRDs. Kustomization is skipped.
#   deploy/k8s/validate.sh [manifest.yaml ...]     (default: deploy/k8s/*.yaml)
#   deploy/k8s/validate.sh --install               only make sure kubeconform is there
# Installs kubeconform with `go install` when it is not on PATH nor in $(go env GOPATH)/bin.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
KUBECONFORM_VERSION="${KUBECONFORM_VERSION:-v0.8.0}"

find_kubeconform() {
  if command -v kubeconform >/dev/null 2>&1; then command -v kubeconform; return 0; fi
  if command -v go >/dev/null 2>&1; then
    local bin
    bin="$(go env GOPATH)/bin/kubeconform"
    if [[ ! -x "$bin" ]]; then
      echo "validate: installing kubeconform $KUBECONFORM_VERSION with go install" >&2
      GOFLAGS=-mod=mod go install "github.com/yannh/kubeconform/cmd/kubeconform@$KUBECONFORM_VERSION" >&2
    fi
    echo "$bin"; return 0
  fi
  echo "validate: kubeconform not found and no go toolchain to install it" >&2
  return 1
}

KC="$(find_kubeconform)"
if [[ "${1:-}" == "--install" ]]; then echo "kubeconform: $KC"; exit 0; fi
if [[ $# -eq 0 ]]; then set -- "$HERE"/*.yaml; fi
for dir in "$HERE"/schemas/v*-standalone-strict; do
  version="$(basename "$dir")"; version="${version#v}"; version="${version%%-*}"
  echo "kubeconform (Kubernetes $version):"
  "$KC" -strict -summary -skip Kustomization -kubernetes-version "$version" \
    -schema-location "$HERE/schemas/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json" \
    -schema-location "$HERE/schemas/crds/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json" \
    "$@"
done
