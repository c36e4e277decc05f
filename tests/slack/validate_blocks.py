"""Validates Block Kit that secbot sent to Slack with Slack's own Python SDK (slack_sdk).

Usage: python3 validate_blocks.py FILE.json, where FILE holds {"messages": [...], "views": [...]}
as secbot posted them (chat.postMessage / chat.update bodies and views.open views). Every block
must parse into slack_sdk's model and pass its validate_json() limits; a message has at most 50
blocks and always a plain-text fallback. Prints one line per problem and exits 1 if there are any.
"""

import json
import sys

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View


def check_blocks(where, raw_blocks, limit, problems):
    if len(raw_blocks) > limit:
        problems.append(f"{where}: {len(raw_blocks)} blocks, more than {limit}")
    for n, raw in enumerate(raw_blocks):
        block = Block.parse(raw)
        if block is None or type(block) is Block:
            problems.append(f"{where} block {n}: slack_sdk does not know type {raw.get('type')!r}")
            continue
        try:
            block.validate_json()
            # to_dict() validates nested elements too; what it rebuilds must keep every field.
            rebuilt = block.to_dict()
        except SlackObjectFormationError as err:
            problems.append(f"{where} block {n} ({raw.get('type')}): {err}")
            continue
        for key in raw:
            if key not in rebuilt:
                problems.append(f"{where} block {n}: slack_sdk dropped {key!r}")


def main(path):
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    problems = []
    for m, message in enumerate(data.get("messages", [])):
        if not message.get("text"):
            problems.append(f"message {m}: no plain-text fallback")
        check_blocks(f"message {m}", message.get("blocks", []), 50, problems)
    for v, raw in enumerate(data.get("views", [])):
        try:
            View(**raw).validate_json()
        except (SlackObjectFormationError, TypeError) as err:
            problems.append(f"view {v}: {err}")
        check_blocks(f"view {v}", raw.get("blocks", []), 100, problems)
    for problem in problems:
        print(problem)
    checked = len(data.get("messages", [])) + len(data.get("views", []))
    print(f"checked {checked} messages and views: {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
