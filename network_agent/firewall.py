"""iptables-restore text that makes the agent's chains exactly a desired Firewall.

Pure functions: given what `iptables-save` printed and the desired Firewall, the text for
one `iptables-restore --noflush` that touches only our chains and our jumps into them.
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


def check(desired: Firewall) -> Firewall:
    """The desired Firewall validated, or NetworkDriverError saying what is wrong."""
    chains: dict[str, dict[str, list[str]]] = {}
    for table, table_chains in desired.chains.items():
        _table(table)
        chains[table] = {validate.chain(name): [validate.rule(r) for r in rules]
                         for name, rules in table_chains.items()}
    jumps: dict[str, dict[str, list[str]]] = {}
    for table, builtin_jumps in desired.jumps.items():
        jumps[table] = {}
        for builtin, specs in builtin_jumps.items():
            if builtin not in _table(table):
                raise NetworkDriverError(f"{builtin!r} is not a builtin chain of {table}")
            jumps[table][builtin] = [_jump(table, s, chains) for s in specs]
    return Firewall(chains=chains, jumps=jumps)


def _table(table: str) -> tuple[str, ...]:
    if table not in BUILTIN_CHAINS:
        raise NetworkDriverError(f"unknown iptables table {table!r}")
    return BUILTIN_CHAINS[table]


def _jump(table: str, spec: str, chains: dict[str, dict[str, list[str]]]) -> str:
    spec = validate.rule(spec)
    target = jump_target(spec)
    if target is None or target not in chains.get(table, {}):
        raise NetworkDriverError(
            f"jump {spec!r} must go to one of our {table} chains {sorted(chains.get(table, {}))}")
    return spec


def restore_text(saved: str, desired: Firewall) -> str:
    """The iptables-restore --noflush input turning `saved` (iptables-save output) into
    `desired` for our chains; empty when there is nothing of ours either side."""
    desired = check(desired)
    current = parse_save(saved)
    names = sorted(set(desired.chains) | set(desired.jumps)
                   | {t for t, s in current.items() if _has_ours(s)})
    return "".join(_table_text(t, current.get(t, SavedTable()), desired) for t in names)


def _has_ours(table: SavedTable) -> bool:
    return any(_ours(c) for c in table.chains) or any(
        _ours(jump_target(spec) or "") for _, spec in table.rules)


def _table_text(table: str, current: SavedTable, desired: Firewall) -> str:
    wanted = desired.chains.get(table, {})
    existing = [c for c in current.chains if _ours(c)]
    # Declaring a chain in --noflush mode creates it, or flushes it when it exists.
    lines = [f":{c} - [0:0]" for c in sorted(set(wanted) | set(existing))]
    builtins = BUILTIN_CHAINS.get(table, ())
    lines += [f"-D {chain} {spec}" for chain, spec in current.rules
              if chain in builtins and _ours(jump_target(spec) or "")]
    for builtin, specs in desired.jumps.get(table, {}).items():
        lines += [f"-I {builtin} {i} {spec}" for i, spec in enumerate(specs, 1)]
    for chain, rules in wanted.items():
        lines += [f"-A {chain} {r}" for r in rules]
    lines += [f"-X {c}" for c in sorted(set(existing) - set(wanted))]
    return f"*{table}\n" + "".join(f"{line}\n" for line in lines) + "COMMIT\n"
