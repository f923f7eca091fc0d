"""The evaluation report an editor opens in a browser: per language an HTML page with the numbers, the
confusion matrix (PNG), the worst confusions and the regressions side by side; an index page links them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from bot.lifecycle.evaluation import LanguageResult, same_label

TEMPLATES = Path(__file__).resolve().parent / "templates"


def confusion_png(result: LanguageResult, target: Path) -> Path:
    """Rows: expected label; columns: predicted label; counts in the cells, the diagonal is what is right."""
    import matplotlib

    matplotlib.use("Agg")  # no display: files only
    import matplotlib.pyplot as plt

    labels = sorted({r.expected for r in result.rows} | {r.got for r in result.rows})
    index = {label: i for i, label in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for row in result.rows:
        got = row.expected if same_label(row.expected, row.got) else row.got
        matrix[index[row.expected]][index[got]] += 1
    size = max(6.0, 0.32 * len(labels) + 3)
    figure, axes = plt.subplots(figsize=(size + 1.5, size))
    shown = [[min(value, 20) for value in line] for line in matrix]  # one large diagonal cell must not wash out errors
    image = axes.imshow(shown, cmap="Blues")
    axes.set_xticks(range(len(labels)), labels=labels, rotation=90, fontsize=7)
    axes.set_yticks(range(len(labels)), labels=labels, fontsize=7)
    axes.set_xlabel("predicted")
    axes.set_ylabel("expected")
    for i, line in enumerate(matrix):
        for j, value in enumerate(line):
            if value:
                colour = "white" if min(value, 20) > 12 else ("#b00020" if i != j else "black")
                axes.text(j, i, str(value), ha="center", va="center", fontsize=6, color=colour)
    axes.set_title(f"{result.language}: intent accuracy {result.intent_accuracy}%, "
                   f"FAQ topics {result.faq_topic_accuracy}% ({result.messages} held-out messages)", fontsize=9)
    figure.colorbar(image, ax=axes, fraction=0.03)
    figure.tight_layout()
    target.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(target, dpi=110)
    plt.close(figure)
    return target


def _environment():  # type: ignore[no-untyped-def]
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    # Messages are customer-like text: autoescape so "<script>" in a held-out message stays text.
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))


def write_report(results: Sequence[LanguageResult], folder: Path, model: str, against: str | None) -> Path:
    """Writes <folder>/index.html, <folder>/<lang>.html and <folder>/confusion-<lang>.png; returns the index."""
    env = _environment()
    folder.mkdir(parents=True, exist_ok=True)
    for result in results:
        confusion_png(result, folder / f"confusion-{result.language}.png")
        errors = [r for r in result.rows if not r.correct]
        page = env.get_template("language.html").render(r=result, model=model, against=against, errors=errors)
        (folder / f"{result.language}.html").write_text(page, encoding="utf-8")
    index = env.get_template("index.html").render(results=results, model=model, against=against)
    (folder / "index.html").write_text(index, encoding="utf-8")
    return folder / "index.html"
