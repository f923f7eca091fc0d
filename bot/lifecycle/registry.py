"""Published versions: a model together with the `locales/` content it was built from.

var/versions/<id>/ (or MODEL_REGISTRY_DIR, e.g. a volume shared with the model server in Kubernetes) holds
model.tar.gz, a copy of locales/ and version.json; published.json there records which version serves and
every publish and rollback in order. Versions are never pruned: each is
a rollback target.
"""

from __future__ import annotations

import json
import os
import shutil
import tarfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from bot.paths import LOCALES_DIR, VAR_DIR

VERSIONS_DIR = VAR_DIR / "versions"


def model_id(archive: Path) -> str:
    """The id Rasa gives a trained model (its /status reports the serving model's)."""
    with tarfile.open(archive, "r:gz") as tar:
        member = next(m for m in tar.getmembers() if m.name.lstrip("/") == "metadata.json")
        handle = tar.extractfile(member)
        if handle is None:
            raise ValueError(f"{archive}: no metadata.json")
        return str(json.load(handle)["model_id"])


@dataclass(frozen=True)
class Version:
    id: str
    folder: Path
    info: dict[str, Any]

    @property
    def model(self) -> Path:
        return self.folder / "model.tar.gz"

    @property
    def locales(self) -> Path:
        return self.folder / "locales"

    @property
    def model_id(self) -> str:
        return str(self.info["model_id"])

    @property
    def evaluation(self) -> dict[str, Any]:
        return dict(self.info.get("evaluation") or {})


class Registry:
    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or Path(os.environ.get("MODEL_REGISTRY_DIR") or VERSIONS_DIR)

    @property
    def _state_path(self) -> Path:
        return self.folder / "published.json"

    def _state(self) -> dict[str, Any]:
        if self._state_path.exists():
            return dict(json.loads(self._state_path.read_text(encoding="utf-8")))
        return {"current": None, "history": []}

    def _save_state(self, state: dict[str, Any]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        temporary = self._state_path.with_suffix(".tmp")
        temporary.write_text(json.dumps(state, indent=1), encoding="utf-8")
        temporary.replace(self._state_path)  # atomic: the model server never reads half a file

    def versions(self) -> list[Version]:
        found = []
        for info_path in sorted(self.folder.glob("*/version.json")):
            found.append(Version(info_path.parent.name, info_path.parent,
                                 json.loads(info_path.read_text(encoding="utf-8"))))
        return sorted(found, key=lambda v: int(v.info.get("number", 0)))

    def get(self, version_id: str) -> Version:
        for version in self.versions():
            if version.id == version_id or version.info.get("model") == version_id:
                return version
        raise KeyError(f"no version {version_id}; `python -m bot model list` shows them")

    def create(self, model: Path, evaluation: dict[str, Any] | None = None, locales: Path = LOCALES_DIR) -> Version:
        """Records a model with today's content; the same model and content again gives the same version."""
        identity = model_id(model)
        for version in self.versions():
            if version.model_id == identity and _same_tree(version.locales, locales):
                return version
        number = max((int(v.info.get("number", 0)) for v in self.versions()), default=0) + 1
        version_id = f"v{number}"
        folder = self.folder / version_id
        folder.mkdir(parents=True)
        try:
            os.link(model, folder / "model.tar.gz")  # same bytes, no second copy; survives pruning of models/
        except OSError:
            shutil.copy2(model, folder / "model.tar.gz")
        shutil.copytree(locales, folder / "locales")
        info = {"number": number, "model": model.name, "model_id": identity, "evaluation": evaluation or {},
                "created": datetime.now(timezone.utc).isoformat(timespec="seconds")}
        (folder / "version.json").write_text(json.dumps(info, indent=1), encoding="utf-8")
        return Version(version_id, folder, info)

    def current(self) -> Version | None:
        current = self._state().get("current")
        return self.get(current) if current else None

    def history(self) -> list[dict[str, Any]]:
        return list(self._state().get("history") or [])

    def set_current(self, version: Version | None, action: str) -> None:
        state = self._state()
        state["current"] = version.id if version else None
        state["history"] = [*state.get("history", []), {
            "version": version.id if version else None, "action": action,
            "at": datetime.now(timezone.utc).isoformat(timespec="seconds")}]
        self._save_state(state)

    def previous(self) -> Version | None:
        """The version published before the current one (what `model rollback` goes back to).

        Publishes push onto a stack and rollbacks pop it, so two rollbacks go back two versions.
        """
        stack: list[str] = []
        for event in self.history():
            if event["action"] == "publish":
                stack.append(event["version"])
            elif event["action"] == "rollback" and stack:
                stack.pop()
        return self.get(stack[-2]) if len(stack) >= 2 else None


def _same_tree(a: Path, b: Path) -> bool:
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    return files_a == files_b and all((a / f).read_bytes() == (b / f).read_bytes() for f in files_a)
