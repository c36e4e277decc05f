#!/usr/bin/env bash
# Runs rendered Azure CLI scripts with `az` replaced by a shim that logs each call (captured
# output is a placeholder resource id), then has az_offline.py parse every logged call with the
# Azure CLI itself. Nothing is sent to Azure. Prints each call the CLI rejects.
# Usage: az_validate.sh SCRIPT... (PYTHONPATH may point at an azure-cli installed with --target).
set -uo pipefail
CALLS="$(mktemp)"
export CALLS
az() {
  printf '%s\0' "$@" $'\x1e' >>"$CALLS"
  echo "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-placeholder/providers/Microsoft.Network/networkSecurityGroups/placeholder"
}
sleep() { :; }
export -f az sleep
for script in "$@"; do
  dir="$(mktemp -d)"
  (cd "$dir" && bash "$script" >/dev/null 2>&1)
  rm -rf "$dir"
done
python3 "$(cd "$(dirname "$0")" && pwd)/az_offline.py" "$CALLS"
status=$?
rm -f "$CALLS"
exit $status
