"""The core's device Kconfig against facts recorded from QEMU 10.2 (tests/data/qemu-kconfig-facts.toml).

Each case is decided in-process as ./configure decides it (options, features, targets and their
accelerators, host Kconfig symbols, the solve of every configured target through
qemu_config.devices), on a recorded machine: the one the reference's QEMU runs were made on.
No compiler and no probe runs.  Every fact names a symbol both trees declare; the facts file says
where each comes from.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path
from typing import Mapping, Sequence

import pytest

from qemu_config import options
from qemu_config.configure import decide
from qemu_config.kconfig import parse_kconfig
from qemu_config.model import Configuration, Environment
from qemu_config.probes import GdbProbe, Probe, ProbeOutcome
from qemu_config.rules import XEN_LIBRARIES

REPO = Path(__file__).resolve().parent.parent
FACTS = tomllib.loads((REPO / "tests" / "data" / "qemu-kconfig-facts.toml").read_text())
CASES: Mapping[str, Mapping[str, object]] = FACTS["case"]


class ReferenceMachine:
    """The machine of the reference's QEMU runs (qemu-build-behaviour.md §0): x86_64 Linux with
    glib, libfdt and pixman; no Xen libraries, and no gdb worth using (no device symbol depends on it)."""

    def predefined_macros(self, toolchain) -> Mapping[str, str]:
        return {"__linux__": "1", "__x86_64__": "1", "__LP64__": "1", "__SIZEOF_POINTER__": "8"}

    def check_compiler(self, toolchain, cpu_cflags) -> None:
        return None

    def run(self, toolchain, host, probes: Sequence[Probe], required, *, static: bool) -> dict[Probe, ProbeOutcome]:
        outcomes: dict[Probe, ProbeOutcome] = {}

        def answer(probe: Probe) -> None:
            for dependency in probe.depends_on():
                answer(dependency)
            found = probe not in XEN_LIBRARIES and not isinstance(probe, GdbProbe)
            outcomes.setdefault(probe, ProbeOutcome(probe, found, "found" if found else "missing",
                                                    "as on the reference machine"))

        for probe in probes:
            answer(probe)
        return outcomes

    def consulted(self) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
        return (), (), ()


@pytest.fixture(scope="module")
def decided(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Configuration]:
    table = options.load_option_table(REPO)
    builtins = options.builtin_options()
    env = Environment(REPO, tmp_path_factory.mktemp("never-written"), sys.executable, ("meson",), "ninja", {})
    return {name: decide(env, options.parse_configure_args(tuple(case["args"]), table, builtins), table, builtins,
                         ReferenceMachine())
            for name, case in CASES.items()}


@pytest.fixture(scope="module")
def declared() -> frozenset[str]:
    return frozenset(parse_kconfig([REPO / "Kconfig"]).symbols)


def enabled(config: Configuration, target: str) -> set[str]:
    record = next((r for r in config.targets if r.target.name == target), None)
    assert record is not None, f"{target} is not configured in this case: the fact cannot apply"
    return {symbol.removeprefix("CONFIG_") for symbol in record.devices.enabled}


def _expand(fact: Mapping[str, object]) -> list[tuple[str, str, str, bool, str]]:
    symbols = fact.get("symbols") or [fact["symbol"]]
    return [(case, target, symbol, bool(fact["value"]), str(fact["source"]))
            for case in fact["cases"] for target in fact["targets"] for symbol in symbols]  # type: ignore[union-attr]


POINTS = [point for fact in FACTS["fact"] for point in _expand(fact)]


@pytest.mark.parametrize("case, target, symbol, value, source", POINTS,
                         ids=[f"{c}-{t.removesuffix('-softmmu')}-{s}={'y' if v else 'n'}" for c, t, s, v, _ in POINTS])
def test_symbol_as_qemu_sets_it(decided, declared, case: str, target: str, symbol: str, value: bool,
                                source: str) -> None:
    assert source.strip(), "every fact says where it comes from"
    assert symbol in declared, f"{symbol} is not declared by the core's Kconfig: a fact must be about a shared symbol"
    assert (symbol in enabled(decided[case], target)) == value, \
        f"{case}: {target} has {symbol}={'n' if value else 'y'}, QEMU 10.2 has {'y' if value else 'n'} ({source})"


@pytest.mark.parametrize("selection", FACTS["selection"], ids=lambda s: f"{s['case']}-{s['target']}")
def test_whole_selection_is_qemus_for_the_shared_symbols(decided, declared, selection) -> None:
    ours = enabled(decided[selection["case"]], selection["target"])
    assert ours == set(selection["qemu"]) & declared, selection["source"]


@pytest.mark.parametrize("case", CASES)
def test_targets_qemu_drops_are_dropped(decided, case: str) -> None:
    config = decided[case]
    assert sorted(d.name for d in config.plan.dropped) == sorted(CASES[case].get("dropped", []))
    assert all(record.devices.mode == ("allnoconfig" if case == "without-default-devices" else "defconfig")
               for record in config.targets)


@pytest.mark.parametrize("case", [c for c in CASES if "qemu_host_kconfig" in CASES[c]])
def test_host_symbols_are_qemus_for_the_shared_ones(decided, declared, case: str) -> None:
    """What the solve was given: QEMU's host Kconfig symbols, as far as the core declares them."""
    qemu = {s.removeprefix("CONFIG_") for s in CASES[case]["qemu_host_kconfig"]}  # type: ignore[union-attr]
    ours = {s.removeprefix("CONFIG_") for s in decided[case].host_kconfig}
    assert ours == qemu & declared


def test_the_symbols_of_issue_15_have_facts(declared) -> None:
    """Every symbol issue 15 found different is pinned by a fact, so that none can drift back unnoticed."""
    covered = {s for _, _, s, _, _ in POINTS} | {s for sel in FACTS["selection"] for s in sel["qemu"]}
    issue = {"MICROVM", "VIRTIO_MMIO", "DEVICE_TREE", "ATI_VGA", "FW_CFG_DMA", "PTIMER", "MSI_NONBROKEN",
             "VIRTIO_VGA"}
    assert issue <= covered & declared
