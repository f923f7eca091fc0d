"""Training examples in data/nlu/<lang>/*.yml: read them, compare them, add to them in place.

Examples are compared the way the held-out check compares them: lower case, no accents, no punctuation,
words sorted, so "Cum pot obține o copie?" and "cum pot obtine o copie" are the same example.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.paths import DATA_DIR, ROOT

HELD_OUT_DIR = ROOT / "tests" / "data" / "nlu"


def normalise(text: str, sort: bool = True) -> str:
    decomposed = unicodedata.normalize("NFD", text.lower())
    plain = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    words = re.sub(r"[^\w ]+", " ", plain).split()
    return " ".join(sorted(words) if sort else words)


@dataclass(frozen=True)
class Example:
    intent: str
    text: str
    language: str | None
    path: Path


def read_examples(path: Path) -> list[Example]:
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    out = []
    for block in data.get("nlu") or []:
        if "intent" not in block:
            continue
        language = (block.get("metadata") or {}).get("language")
        for line in str(block.get("examples") or "").splitlines():
            if line.strip().startswith("- "):
                out.append(Example(block["intent"], line.strip()[2:].strip(), language, path))
    return out


def training_examples(data_dir: Path = DATA_DIR, language: str | None = None) -> list[Example]:
    """Every training example, of one language directory or of all."""
    pattern = f"nlu/{language}/*.yml" if language else "nlu/*/*.yml"
    return [e for p in sorted(data_dir.glob(pattern)) for e in read_examples(p)]


def held_out_texts(language: str, held_out_dir: Path = HELD_OUT_DIR) -> set[str]:
    path = held_out_dir / f"{language}.yml"
    return {normalise(e.text) for e in read_examples(path)} if path.exists() else set()


def add_examples(path: Path, intent: str, texts: list[str]) -> None:
    """Appends examples to an intent's `examples: |` block, leaving every other byte of the file as it was."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.rstrip() == f"- intent: {intent}"), None)
    if start is None:
        raise ValueError(f"{path}: no `- intent: {intent}` block")
    head = next(i for i in range(start + 1, len(lines)) if lines[i].strip().startswith("examples:"))
    indent = " " * (len(lines[head]) - len(lines[head].lstrip()) + 2)
    end = head + 1
    while end < len(lines) and lines[end].startswith(indent + "- "):
        end += 1
    if lines and not lines[end - 1].endswith("\n"):
        lines[end - 1] += "\n"
    clean = [" ".join(t.split()) for t in texts]
    lines[end:end] = [f"{indent}- {text}\n" for text in clean]
    path.write_text("".join(lines), encoding="utf-8")


def file_for_intent(intent: str, language: str, data_dir: Path = DATA_DIR) -> Path | None:
    """The language's NLU file that holds the intent's examples."""
    for path in sorted((data_dir / "nlu" / language).glob("*.yml")):
        if re.search(rf"^- intent: {re.escape(intent)}\s*$", path.read_text(encoding="utf-8"), re.M):
            return path
    return None
