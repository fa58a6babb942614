"""Schema of PUT /os-hosts/{host_name} (2.1 to 2.42)."""
from __future__ import annotations

_enable_or_disable = {"type": "string",
                      "enum": ["enable", "disable", "Enable", "Disable", "ENABLE", "DISABLE"]}

# Nova means one of the two to be required, but its anyOf sits among the properties and
# so lets {} through (answering {"host": name}); here {} is the 400 it was meant to be.
update = {
    "type": "object",
    "properties": {"status": _enable_or_disable, "maintenance_mode": _enable_or_disable},
    "anyOf": [{"required": ["status"]}, {"required": ["maintenance_mode"]}],
    "additionalProperties": False,
}
