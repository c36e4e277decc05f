#!/usr/bin/env bash
# Runs rendered scripts with a cloud CLI replaced by a shim and has the real CLI check every
# call it makes, offline. Captured output is a placeholder resource id. Nothing is sent.
#   cli_validate.sh aws SCRIPT...  every `aws` call goes through aws_offline.py (the AWS CLI's
#                                  parser and service models, a local empty answer instead of AWS)
#   cli_validate.sh az SCRIPT...   every `az` call is logged, then az_offline.py parses them all
#                                  with the Azure CLI in one process
# Prints each call the CLI rejects and exits 1 if there is any. PYTHONPATH may point at a CLI
# installed with pip --target.
set -uo pipefail
cli="$1"
shift
here="$(cd "$(dirname "$0")" && pwd)"
export AWS_EC2_METADATA_DISABLED=true AWS_DEFAULT_REGION=us-east-1
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
REJECTED="$(mktemp)"
CALLS="$(mktemp)"
OFFLINE="$here/aws_offline.py"
export REJECTED CALLS OFFLINE
placeholder() {
  echo "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-placeholder/providers/Microsoft.Network/networkSecurityGroups/placeholder"
}
aws() {
  local args=() a out
  for a in "$@"; do
    # file:// arguments carry the user's own JSON files; the rest of the call is still checked.
    case "$a" in
      file://*) unset 'args[${#args[@]}-1]' ;;
      *) args+=("$a") ;;
    esac
  done
  if ! out=$(python3 "$OFFLINE" "${args[@]}" 2>&1 >/dev/null); then
    printf 'aws %s\n%s\n' "$*" "$(printf '%s\n' "$out" | grep -v '^usage\|^  aws\|^To see help\|^$\|AWS CLI version 2' | head -3 | sed 's/^/  /')" >>"$REJECTED"
  fi
  placeholder
}
az() {
  printf '%s\0' "$@" $'\x1e' >>"$CALLS"
  placeholder
}
sleep() { :; }
export -f placeholder aws az sleep
for script in "$@"; do
  dir="$(mktemp -d)"
  (cd "$dir" && bash "$script" >/dev/null 2>&1)
  rm -rf "$dir"
done
status=0
case "$cli" in
  aws)
    if [ -s "$REJECTED" ]; then cat "$REJECTED"; status=1; fi
    echo "$# scripts checked by the AWS CLI"
    ;;
  az) python3 "$here/az_offline.py" "$CALLS" || status=1 ;;
  *) echo "usage: cli_validate.sh aws|az SCRIPT..." >&2; status=2 ;;
esac
rm -f "$REJECTED" "$CALLS"
exit $status
