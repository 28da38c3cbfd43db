"""The sales import's product catalogue: the prices the shop has on file.

The catalogue is the one in this folder plus the products added since, which arrive as JSON
files (``{"SKU": price, ...}``) in ``records/catalogue/`` (``ASL_RUNNER_RECORDS_DIR``), read
on every call: a product added there is priced by the next call, no restart needed.
"""

from __future__ import annotations

import json
from pathlib import Path

from _common import folder

BASE = Path(__file__).with_name("catalogue.json")


def prices() -> dict[str, float]:
    catalogue = json.loads(BASE.read_text())
    added = folder("records") / "catalogue"
    for path in sorted(added.glob("*.json")) if added.is_dir() else ():
        catalogue.update(json.loads(path.read_text()))
    return catalogue
