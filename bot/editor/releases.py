"""The quality report of a trained model against config/quality.yml, and publishing or rolling back from
the console: the gates and the switch of bot.lifecycle.publish, run as editor jobs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from bot.editor.jobs import Settings, Work, folder
from bot.lifecycle.evaluation import read_summary, same_label
from bot.lifecycle.publish import MEASURES, gate, load_quality, publish, rollback
from bot.lifecycle.registry import Registry
from bot.paths import MODELS_DIR

MAX_REGRESSIONS_SHOWN = 25


@dataclass
class Measure:
    language: str
    measure: str
    value: float | None
    floor: float | None
    serving: float | None
    ok: bool


@dataclass
class QualityReport:
    model: str | None
    against: str | None
    measures: list[Measure] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # why it may not be published; empty: it may
    regressions: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    messages: dict[str, int] = field(default_factory=dict)
    images: list[str] = field(default_factory=list)

    @property
    def publishable(self) -> bool:
        return bool(self.measures) and not self.refused


def evaluation_of(job_id: int) -> dict[str, Any]:
    return dict(((read_summary(folder(job_id) / "report") or {}).get("languages")) or {})


def quality_report(job_id: int, settings: Settings, registry: Registry | None = None) -> QualityReport | None:
    """None when the job has no evaluation (still running, or it failed before)."""
    summary = read_summary(folder(job_id) / "report")
    if summary is None:
        return None
    quality = load_quality(settings.quality_file)
    current = (registry or Registry()).current()
    serving = current.evaluation if current else {}
    languages = summary.get("languages") or {}
    report = QualityReport(summary.get("model"), summary.get("against"))
    for language, floors in (quality.get("floors") or {}).items():
        scores = languages.get(language) or {}
        for measure in MEASURES:
            value = scores.get(measure)
            floor = floors.get(measure)
            before = (serving.get(language) or {}).get(measure)
            ok = value is not None and (floor is None or value >= float(floor)) and (
                before is None or value >= float(before) - float(quality.get("max_drop", 0)))
            report.measures.append(Measure(language, measure, value, floor, before, ok))
    report.refused = gate(languages, serving or None, quality)
    for language, rows in (summary.get("rows") or {}).items():
        report.messages[language] = len(rows)
        report.regressions[language] = [
            r for r in rows if r.get("serving") and same_label(r["expected"], r["serving"])
            and not same_label(r["expected"], r["got"])][:MAX_REGRESSIONS_SHOWN]
    report.images = sorted(p.name for p in (folder(job_id) / "report").glob("*.png"))
    return report


def _servers() -> tuple[list[str], str]:
    from bot.lifecycle.commands import _servers_and_token

    return _servers_and_token()


def publish_work(train_job: dict[str, Any], settings: Settings, registry: Registry | None = None) -> Work:
    """Gates, then the trained model with the content it was trained from becomes the published version."""

    def work(job_id: int, say: Callable[[str], None]) -> tuple[bool, str, dict[str, Any]]:
        reg = registry or Registry()
        quality = load_quality(settings.quality_file)
        evaluation = evaluation_of(int(train_job["id"]))
        current = reg.current()
        refused = gate(evaluation, current.evaluation if current else None, quality)
        if refused:
            return False, "refused: " + "; ".join(refused), {"model": train_job["model"]}
        model = MODELS_DIR / str(train_job["model"])
        if not model.exists():
            return False, f"{model.name} is no longer in models/", {"model": train_job["model"]}
        version = reg.create(model, evaluation, locales=folder(int(train_job["id"])) / "locales")
        say(f"publishing {version.id} ({model.name}) ...")
        servers, token = _servers()
        outcome = publish(version, reg, servers, token, quality, say=say)
        return outcome.ok, "; ".join(outcome.messages), {"model": model.name, "version": outcome.version}

    return work


def rollback_work(settings: Settings, registry: Registry | None = None) -> Work:
    def work(job_id: int, say: Callable[[str], None]) -> tuple[bool, str, dict[str, Any]]:
        servers, token = _servers()
        outcome = rollback(registry or Registry(), servers, token, load_quality(settings.quality_file), say=say)
        return outcome.ok, "; ".join(outcome.messages), {"version": outcome.version}

    return work
