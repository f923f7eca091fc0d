"""Project paths (the package lives at <root>/bot)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCALES_DIR = ROOT / "locales"
DOMAIN_DIR = ROOT / "domain"
GENERATED_RESPONSES = DOMAIN_DIR / "responses.yml"
DATA_DIR = ROOT / "data"
ACTIONS_DIR = ROOT / "actions"
VAR_DIR = ROOT / "var"
MODELS_DIR = ROOT / "models"
