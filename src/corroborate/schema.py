"""The output contract's JSON Schemas, generated from the record models.

``python -m corroborate.schema`` rewrites ``src/corroborate/schemas/*.schema.json``;
a test checks that the committed files match the models.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from corroborate.records import CONTRACT_VERSION, Incident, Report, Source

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
SCHEMAS: dict[str, type[BaseModel]] = {"report": Report, "incident": Incident, "source": Source}


def schema_for(name: str) -> dict:
    model = SCHEMAS[name]
    schema = model.model_json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://corroborate.invalid/schema/{name}-{CONTRACT_VERSION}.schema.json"
    schema["description"] = (
        f"corroborate output contract {CONTRACT_VERSION}: one line of {name}s.jsonl. " + (model.__doc__ or "").strip()
    ).strip()
    return schema


def render(name: str) -> str:
    return json.dumps(schema_for(name), indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    SCHEMA_DIR.mkdir(exist_ok=True)
    for name in SCHEMAS:
        path = SCHEMA_DIR / f"{name}.schema.json"
        path.write_text(render(name), encoding="utf-8")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
