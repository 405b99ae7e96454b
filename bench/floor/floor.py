"""The floor: a no-op stream consumer that records when each record reached it.

One line per batch on stdout (the function's log group): the receipt time and the
RequestId and CreatedAt of each record. Standard library only, nothing at import.
"""

import json
import time
from typing import Any


def handler(event: dict[str, Any], context: object) -> dict[str, list[object]]:
    received = time.time()
    seen: list[list[str | None]] = []
    for record in event.get("Records", []):
        image = record.get("dynamodb", {}).get("NewImage", {})
        seen.append([image.get("RequestId", {}).get("S"), image.get("CreatedAt", {}).get("N")])
    print(json.dumps({"bench_floor": received, "records": seen}))
    return {"batchItemFailures": []}
