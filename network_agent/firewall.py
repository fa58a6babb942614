"""iptables-restore (and ebtables-restore) text that makes the agent's chains exactly a
desired Firewall.

Pure functions: given what `iptables-save` printed (or the Firewall last applied) and the
desired Firewall, the text for one `iptables-restore --noflush` that touches only our
chains and our jumps into them. `bridge=True` is the same for ebtables, whose tables,
builtin chains and chain declarations differ.
"""
from __future__ import annotations

import dataclasses
import shlex

from network_agent import validate
from network_agent.driver import CHAIN_PREFIX, Firewall, NetworkDriverError

BUILTIN_CHAINS: dict[str, tuple[str, ...]] = {
    "filter": ("INPUT", "FORWARD", "OUTPUT"),
    "nat": ("PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"),
    "mangle": ("PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"),
    "raw": ("PREROUTING", "OUTPUT"),
}
BRIDGE_BUILTIN_CHAINS: dict[str, tuple[str, ...]] = {
    "filter": ("INPUT", "FORWARD", "OUTPUT"),
    "nat": ("PREROUTING", "OUTPUT", "POSTROUTING"),
    "broute": ("BROUTING",),
}


def _declare(chain: str, bridge: bool) -> str:
    """The restore line that creates `chain`, or flushes it when it exists."""
    return f":{chain} RETURN" if bridge else f":{chain} - [0:0]"


@dataclasses.dataclass
class SavedTable:
    """What iptables-save showed of one table: its user chains and its rules, each as
    (chain, the rule's text after "-A CHAIN ")."""
    chains: list[str] = dataclasses.field(default_factory=list)
    rules: list[tuple[str, str]] = dataclasses.field(default_factory=list)


def parse_save(text: str) -> dict[str, SavedTable]:
    tables: dict[str, SavedTable] = {}
    table: SavedTable | None = None
    for line in text.splitlines():
        if line.startswith("*"):
            table = tables.setdefault(line[1:].strip(), SavedTable())
        elif table is None or line.startswith("#") or line == "COMMIT":
            continue
        elif line.startswith(":"):
            table.chains.append(line[1:].split()[0])
        elif line.startswith("-A "):
            chain, _, spec = line[3:].partition(" ")
            table.rules.append((chain, spec))
    return tables


def jump_target(spec: str) -> str | None:
    """The chain a rule jumps or goes to, if any."""
    words = shlex.split(spec)
    for flag, target in zip(words, words[1:]):
        if flag in ("-j", "--jump", "-g", "--goto"):
            return target
    return None


def _ours(chain: str) -> bool:
    return chain.startswith(CHAIN_PREFIX)


def check(desired: Firewall, bridge: bool = False) -> Firewall:
    """The desired Firewall validated, or NetworkDriverError saying what is wrong."""
    chains: dict[str, dict[str, list[str]]] = {}
    for table, table_chains in desired.chains.items():
        _table(table, bridge)
        chains[table] = {validate.chain(name): [validate.rule(r) for r in rules]
                         for name, rules in table_chains.items()}
    jumps: dict[str, dict[str, list[str]]] = {}
    for table, builtin_jumps in desired.jumps.items():
        jumps[table] = {}
        for builtin, specs in builtin_jumps.items():
            if builtin not in _table(table, bridge):
                raise NetworkDriverError(f"{builtin!r} is not a builtin chain of {table}")
            jumps[table][builtin] = [_jump(table, s, chains) for s in specs]
    return Firewall(chains=chains, jumps=jumps)


def _table(table: str, bridge: bool = False) -> tuple[str, ...]:
    builtins = BRIDGE_BUILTIN_CHAINS if bridge else BUILTIN_CHAINS
    if table not in builtins:
        raise NetworkDriverError(f"unknown {'ebtables' if bridge else 'iptables'} table "
                                 f"{table!r}")
    return builtins[table]


def _jump(table: str, spec: str, chains: dict[str, dict[str, list[str]]]) -> str:
    spec = validate.rule(spec)
    target = jump_target(spec)
    if target is None or target not in chains.get(table, {}):
        raise NetworkDriverError(
            f"jump {spec!r} must go to one of our {table} chains {sorted(chains.get(table, {}))}")
    return spec


def restore_text(saved: str, desired: Firewall, bridge: bool = False) -> str:
    """The iptables-restore --noflush input turning `saved` (iptables-save output) into
    `desired` for our chains; empty when there is nothing of ours either side."""
    desired = check(desired, bridge)
    current = parse_save(saved)
    names = sorted(set(desired.chains) | set(desired.jumps)
                   | {t for t, s in current.items() if _has_ours(s)})
    return "".join(_table_text(t, current.get(t, SavedTable()), desired, bridge)
                   for t in names)


def _has_ours(table: SavedTable) -> bool:
    return any(_ours(c) for c in table.chains) or any(
        _ours(jump_target(spec) or "") for _, spec in table.rules)


def _table_text(table: str, current: SavedTable, desired: Firewall, bridge: bool) -> str:
    wanted = desired.chains.get(table, {})
    existing = [c for c in current.chains if _ours(c)]
    lines = [_declare(c, bridge) for c in sorted(set(wanted) | set(existing))]
    builtins = (BRIDGE_BUILTIN_CHAINS if bridge else BUILTIN_CHAINS).get(table, ())
    lines += [f"-D {chain} {spec}" for chain, spec in current.rules
              if chain in builtins and _ours(jump_target(spec) or "")]
    for builtin, specs in desired.jumps.get(table, {}).items():
        lines += [f"-I {builtin} {i} {spec}" for i, spec in enumerate(specs, 1)]
    for chain, rules in wanted.items():
        lines += [f"-A {chain} {r}" for r in rules]
    lines += [f"-X {c}" for c in sorted(set(existing) - set(wanted))]
    return f"*{table}\n" + "".join(f"{line}\n" for line in lines) + "COMMIT\n"


def delta_text(applied: Firewall, desired: Firewall, bridge: bool = False) -> str:
    """The iptables-restore --noflush input turning our chains from `applied` (what the
    last restore made them) into `desired`, rewriting only the chains and builtin jumps
    that differ; empty when nothing does."""
    applied, desired = check(applied, bridge), check(desired, bridge)
    names = sorted(set(applied.chains) | set(desired.chains) | set(applied.jumps)
                   | set(desired.jumps))
    return "".join(_delta_table(t, applied, desired, bridge) for t in names)


def _delta_table(table: str, applied: Firewall, desired: Firewall, bridge: bool) -> str:
    had, wanted = applied.chains.get(table, {}), desired.chains.get(table, {})
    changed = [c for c, rules in wanted.items() if had.get(c) != rules]
    removed = sorted(set(had) - set(wanted))
    old_jumps, new_jumps = applied.jumps.get(table, {}), desired.jumps.get(table, {})
    if not changed and not removed and old_jumps == new_jumps:
        return ""
    lines = [_declare(c, bridge) for c in sorted({*changed, *removed})]
    # Our jumps are deleted and put back first each time: when someone flushed the
    # builtin chain the delete fails, and the caller rebuilds from the saved tables.
    lines += [f"-D {builtin} {spec}" for builtin, specs in old_jumps.items()
              for spec in specs]
    lines += [f"-I {builtin} {i} {spec}" for builtin, specs in new_jumps.items()
              for i, spec in enumerate(specs, 1)]
    lines += [f"-A {c} {r}" for c in changed for r in wanted[c]]
    lines += [f"-X {c}" for c in removed]
    return f"*{table}\n" + "".join(f"{line}\n" for line in lines) + "COMMIT\n"
