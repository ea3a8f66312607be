"""Print the server's OpenAPI document as JSON (input of ``npm run gen:api`` / ``check:api``).

Builds the FastAPI app without starting it (no lifespan: no model, no database) in a throw-away
data directory, with no ``VOXTELL_*`` setting from the environment, and prints the schema with
sorted keys so that the same server code always gives the same bytes.

    ../.venv/bin/python scripts/dump_openapi.py > openapi.json
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    for name in [n for n in os.environ if n.upper().startswith("VOXTELL_")]:
        del os.environ[name]  # the schema must not depend on who runs this
    sys.path.insert(0, str(REPO_ROOT))
    from backend.app import create_app
    from backend.settings import Settings

    with tempfile.TemporaryDirectory(prefix="voxtell-openapi-") as data_dir:
        schema = create_app(Settings(data_dir=Path(data_dir))).openapi()
    sys.stdout.write(json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
