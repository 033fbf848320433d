"""features.py: which probes a request needs (unit level; the decisions against real probes are in
test_features_e2e.py)."""

from __future__ import annotations

from qemu_config.features import FeatureContext, probes_needed, requested_state
from qemu_config.host import host_from_macros
from qemu_config.rules import DLLTOOL, FEATURES, PKG_LIBBPF

LINUX = host_from_macros({"__linux__": "1", "__x86_64__": "1"})
WINDOWS = host_from_macros({"_WIN32": "1", "__x86_64__": "1"})
BY_NAME = {f.name: f for f in FEATURES}
DEFAULTS = {"pixman": "auto", "virglrenderer": "auto", "rutabaga_gfx": "auto", "bpf": "auto", "af_xdp": "auto",
            "hv_balloon": "auto", "libkeyutils": "auto", "fdt": "auto", "plugins": False, "tcg": "enabled"}


def ctx(host=LINUX, explicit=(), without_default_features=False, **values: object) -> FeatureContext:
    return FeatureContext(values={**DEFAULTS, **values}, explicit=frozenset(explicit), host=host, static=False,
                          without_default_features=without_default_features)


def test_disabled_features_are_not_probed() -> None:
    wanted, _ = probes_needed(ctx(pixman="disabled"))
    assert not any(getattr(p, "package", "") == "pixman-1" for p in wanted)
    wanted, _ = probes_needed(ctx())
    assert any(getattr(p, "package", "") == "pixman-1" for p in wanted)


def test_dependants_of_a_disabled_requirement_are_not_probed() -> None:
    wanted, _ = probes_needed(ctx(bpf="disabled"))
    assert not any(getattr(p, "package", "") == "libxdp" for p in wanted)
    assert PKG_LIBBPF not in wanted


def test_required_probes_are_those_of_enabled_features() -> None:
    _, required = probes_needed(ctx(pixman="enabled"))
    assert [getattr(p, "package", None) for p in required] == ["pixman-1"]
    _, required = probes_needed(ctx(fdt="system"))
    assert BY_NAME["fdt"].probes[0] in required


def test_plugins_default_is_auto_unless_without_default_features() -> None:
    plugins = BY_NAME["plugins"]
    assert requested_state(plugins, ctx()) == "auto"
    assert requested_state(plugins, ctx(without_default_features=True)) == "disabled"
    assert requested_state(plugins, ctx(explicit={"plugins"}, plugins=True)) == "enabled"


def test_dlltool_is_probed_only_for_windows_hosts() -> None:
    assert DLLTOOL not in probes_needed(ctx())[0]
    assert DLLTOOL in probes_needed(ctx(host=WINDOWS))[0]


def test_objc_only_on_darwin() -> None:
    darwin = host_from_macros({"__APPLE__": "1", "__aarch64__": "1"})
    objc = BY_NAME["objc"].probes[0]
    assert objc not in probes_needed(ctx())[0]
    assert objc in probes_needed(ctx(host=darwin))[1]   # required there
