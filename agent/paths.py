"""Where the project's data folders are (the package runs from a checkout or an image
that keeps the repository layout)."""

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PROMPTS_DIR = PROJECT_ROOT / "prompts"
SCENARIOS_DIR = PROJECT_ROOT / "scenarios"


def cache_dir() -> Path:
    """The project's cache folder (``IVR_NAVIGATOR_CACHE``, else ~/.cache/ivr-navigator):
    the LiveKit server binary, rendered TTS prompts."""
    return Path(os.environ.get("IVR_NAVIGATOR_CACHE", Path.home() / ".cache" / "ivr-navigator"))
