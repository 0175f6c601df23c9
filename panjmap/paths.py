"""Where the project's files live. Everything is relative to the repository root."""

from __future__ import annotations

from pathlib import Path

ROOT: Path = Path(__file__).resolve().parent.parent
SEEDS_DIR: Path = ROOT / "seeds"
SERVER_SCRIPT: Path = ROOT / "panjmap" / "server.py"  # `streamlit run` it: app.py on a warmed process
GEODATA_DIR: Path = ROOT / "geodata"
GEODATA_SOURCE_DIR: Path = GEODATA_DIR / "source"
STATIC_DIR: Path = ROOT / "static"
