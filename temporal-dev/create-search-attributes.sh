#!/usr/bin/env bash
# Register MGE's search attributes on an external Temporal cluster (idempotent).
set -euo pipefail
address="${TEMPORAL_ADDRESS:-127.0.0.1:7233}"
namespace="${TEMPORAL_NAMESPACE:-default}"
for pair in MgeMasterPlanId:Keyword MgePlanStatus:Keyword MgeWave:Int MgePendingReviews:Int; do
  name="${pair%%:*}"; type="${pair##*:}"
  temporal operator search-attribute create --address "$address" --namespace "$namespace" \
    --name "$name" --type "$type" --yes || echo "($name may already exist)"
done
