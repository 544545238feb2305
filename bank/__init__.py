"""Question banks shipped with the product: TOML/YAML data files validated by ``graders.bank``."""

from __future__ import annotations

from pathlib import Path

BANK_DIR = Path(__file__).resolve().parent
DEFAULT_BANK = "attention-transfer"
