"""Read a subunit v2 stream on stdin, print {test id: status} as JSON: "success",
"skip: <reason>", or "fail: <the traceback's last line>".

Runs under the Tempest venv's Python (python-subunit comes with stestr there), so the
project's own venv needs neither.
"""
from __future__ import annotations

import json
import re
import sys

import subunit
import testtools

# Tempest ids carry their attributes: "...test_x[id-1234,smoke]".
_ATTRIBUTES = re.compile(r"\[.*\]$")


def main() -> None:
    statuses: dict[str, str] = {}

    def record(test: dict) -> None:  # type: ignore[type-arg]
        name = _ATTRIBUTES.sub("", test["id"])
        if test["status"] in ("success", "fail", "skip", "xfail", "uxsuccess"):
            statuses[name] = test["status"]
        details = test.get("details", {})
        reason = details.get("reason")
        if test["status"] == "skip" and reason is not None:
            statuses[name] = "skip: " + reason.as_text().strip()[:200]
        traceback = details.get("traceback")
        if test["status"] == "fail" and traceback is not None:
            lines = [line for line in traceback.as_text().splitlines() if line.strip()]
            statuses[name] = "fail: " + (lines[-1] if lines else "")[:500]

    stream = subunit.ByteStreamToStreamResult(sys.stdin.buffer, non_subunit_name="stdout")
    result = testtools.StreamToDict(record)
    result.startTestRun()
    try:
        stream.run(result)
    finally:
        result.stopTestRun()
    json.dump(statuses, sys.stdout, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
