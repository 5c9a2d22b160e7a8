#!/usr/bin/env python3
"""The map of capabilities stays true: README's "Where each capability lives" equals
order_fulfilment/readme/DEVELOP.md, and every file of order_fulfilment/models/ and tools/ is
named in it. Run by pre-commit (make lint)."""

import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
ADDON = ROOT / "order_fulfilment"
HEADING = "## Where each capability lives"


def readme_section():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(HEADING) + len(HEADING)
    end = text.find("\n## ", start)
    return text[start : end if end != -1 else None].strip()


def main():
    errors = []
    section = readme_section()
    develop = (ADDON / "readme" / "DEVELOP.md").read_text(encoding="utf-8").strip()
    if section != develop:
        errors.append(
            f'README.md "{HEADING[3:]}" and order_fulfilment/readme/DEVELOP.md differ: '
            "keep the two texts equal."
        )
    named = set(re.findall(r"[\w/]+\.py", develop))
    for folder in ("models", "tools"):
        for path in sorted((ADDON / folder).glob("*.py")):
            if path.name == "__init__.py":
                continue
            if path.name not in {pathlib.PurePath(name).name for name in named}:
                errors.append(f"{folder}/{path.name} is named nowhere in readme/DEVELOP.md.")
    for error in errors:
        print(error)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
