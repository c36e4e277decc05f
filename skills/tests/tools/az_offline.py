"""Parses Azure CLI calls with the Azure CLI itself, offline.

Reads the calls cli_validate.sh logged (each argument NUL-terminated, each call
ended by an ASCII record separator argument) and runs each through `az` in this one process
with no account signed in: an argument the CLI does not accept fails in its parser (exit code
2) before any sign-in is needed; anything else stops at "az login" (exit code 1), which is the
expected outcome here. Commands of extensions (`az graph`, `az k8s-extension`, `az network
firewall`) are counted apart: extensions come from Azure's own index, not from a package
registry.
Usage: python3 az_offline.py CALLS_FILE
"""

import contextlib
import io
import os
import sys
import tempfile

os.environ.setdefault("AZURE_CONFIG_DIR", tempfile.mkdtemp())
os.environ["AZURE_CORE_COLLECT_TELEMETRY"] = "false"
os.environ["AZURE_CORE_NO_COLOR"] = "true"

from azure.cli.core import get_default_cli  # noqa: E402

# Command groups that come from Azure CLI extensions, by their leading words.
EXTENSIONS = [("graph",), ("k8s-extension",), ("network", "firewall")]

raw = open(sys.argv[1], "rb").read().decode()
calls, current = [], []
for arg in raw.split("\0")[:-1]:
    if arg == "\x1e":
        calls.append(current)
        current = []
    else:
        current.append(arg)

seen, rejected, extension = set(), [], 0
for call in calls:
    key = tuple(call)
    if key in seen or not call:
        continue
    seen.add(key)
    if any(tuple(call[: len(words)]) == words for words in EXTENSIONS):
        extension += 1
        continue
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            code = get_default_cli().invoke(call, out_file=io.StringIO())
        except SystemExit as e:
            code = e.code
    if code == 2:
        message = [l for l in err.getvalue().splitlines() if l.strip() and "aka.ms" not in l and "AI knowledge" not in l]
        rejected.append("az " + " ".join(call) + "\n  " + "\n  ".join(message[:3]))

for r in rejected:
    print(r)
print(f"{len(seen)} distinct az calls: {len(seen) - extension - len(rejected)} parsed, {len(rejected)} rejected, {extension} of extensions not checked")
sys.exit(1 if rejected else 0)
