#!/usr/bin/env bash
# Runs rendered AWS CLI scripts with `aws` replaced by aws_offline.py: the AWS CLI parses every
# call and validates it against the service model, an empty local answer stands in for AWS, and
# captured output is a placeholder. Nothing is sent. Prints each call the CLI rejects.
# Usage: aws_validate.sh SCRIPT... (PYTHONPATH may point at an awscli installed with --target).
set -uo pipefail
export AWS_EC2_METADATA_DISABLED=true AWS_DEFAULT_REGION=us-east-1
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
OFFLINE="$(cd "$(dirname "$0")" && pwd)/aws_offline.py"
LOG="$(mktemp)"
export OFFLINE LOG
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
    printf 'aws %s\n%s\n' "$*" "$(printf '%s\n' "$out" | grep -v '^usage\|^  aws\|^To see help\|^$\|AWS CLI version 2' | head -3 | sed 's/^/  /')" >>"$LOG"
  fi
  echo "placeholder-1"
}
sleep() { :; }
export -f aws sleep
for script in "$@"; do
  dir="$(mktemp -d)"
  (cd "$dir" && bash "$script" >/dev/null 2>&1)
  rm -rf "$dir"
done
if [ -s "$LOG" ]; then
  cat "$LOG"
  rm -f "$LOG"
  exit 1
fi
rm -f "$LOG"
echo "$# scripts checked"
