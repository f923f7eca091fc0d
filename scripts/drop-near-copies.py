"""Removes TRAINING examples that nearly copy an open-set evaluation message (word-set Jaccard >= 0.7).

Evaluation data is never edited; a near copy in training would make the benchmark score its own training data.
Run from the repository root: python scripts/drop-near-copies.py [--apply]
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.overlap import NEAR_COPY, words  # noqa: E402


def evaluation_words() -> dict[str, list[frozenset[str]]]:
    out: dict[str, list[frozenset[str]]] = {}
    for path in (ROOT / "tests" / "data" / "open_set").glob("**/*.yml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for kind in ("unrelated", "near_domain"):
            out.setdefault(data["language"], []).extend(words(m) for m in data[kind])
    return out


def near_copy(text: str, evaluation: list[frozenset[str]]) -> bool:
    mine = words(text)
    return any((mine | other) and len(mine & other) / len(mine | other) >= NEAR_COPY for other in evaluation)


def main(apply: bool) -> int:
    evaluation = evaluation_words()
    total = 0
    for path in sorted((ROOT / "data" / "nlu").glob("*/*.yml")):
        kept, removed = [], []
        for line in path.read_text(encoding="utf-8").split("\n"):
            example = line.strip()[2:] if line.startswith("    ") and line.strip().startswith("- ") else None
            if example and near_copy(example, evaluation.get(path.parent.name, [])):
                removed.append(example)
            else:
                kept.append(line)
        if removed:
            total += len(removed)
            print(f"{path.relative_to(ROOT)}: {len(removed)}", *removed, sep="\n  ")
            if apply:
                path.write_text("\n".join(kept), encoding="utf-8")
    print(f"{total} near copies{' removed' if apply else ''}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main("--apply" in sys.argv))
