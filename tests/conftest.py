"""Builds of the core shared by the whole test session.

Two builds stand for what used to be one pair per module: ``core_on`` has every
feature the C tests exercise asked for (``--enable-X``: a missing library is an
error, not a silent skip) and ``core_off`` has them all turned off, so that the
stubs and the compiled-out paths are what runs.  Tests must not modify them; a test that needs a build of its own makes one.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from e2e import build_core
from qemu_config import options
from recorded import Decider, shown_builtins

# The features whose C code the extension tests exercise, on and off.
CORE_FEATURES = ("pixman", "hv-balloon", "af-xdp")


# core_on's targets: one with boards of its own per hw_arch kind, and one (s390x) with none.
CORE_ON_TARGETS = ("x86_64-softmmu", "aarch64-softmmu", "s390x-softmmu")
# Both install to this prefix (the relocation tests install them with DESTDIR and move them).
PREFIX = "/opt/q"


@pytest.fixture(scope="session")
def core_on(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """x86_64, aarch64 and s390x with pixman, hv-balloon and af-xdp required; relocatable, coroutine pool on."""
    return build_core(tmp_path_factory.mktemp("core-on"), f"--target-list={','.join(CORE_ON_TARGETS)}",
                      f"--prefix={PREFIX}", *(f"--enable-{f}" for f in CORE_FEATURES))


@pytest.fixture(scope="session")
def core_off(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """x86_64 with pixman, hv-balloon, af-xdp, virglrenderer, PIE, the coroutine pool and relocation off."""
    return build_core(tmp_path_factory.mktemp("core-off"), f"--prefix={PREFIX}", "--disable-relocatable",
                      "--disable-coroutine-pool", "--disable-virglrenderer", "--disable-pie",
                      *(f"--disable-{f}" for f in CORE_FEATURES))


@pytest.fixture(scope="session")
def meson_builtins(tmp_path_factory: pytest.TempPathFactory) -> tuple[options.MesonOption, ...]:
    """Every builtin option of the pinned meson, asked once per session (meson introspect)."""
    return options.builtin_options(include_hidden=True, cache=tmp_path_factory.mktemp("meson-builtins"))


@pytest.fixture(scope="session")
def decider(meson_builtins: tuple[options.MesonOption, ...]) -> Decider:
    """Decides configurations in this process (recorded.py)."""
    return Decider(shown_builtins(meson_builtins), meson_builtins)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The reliability campaigns' counts (tests/campaign.py), when any ran."""
    from campaign import FULL, summary_lines

    lines = summary_lines()
    if lines:
        terminalreporter.section(f"reliability campaigns ({'full' if FULL else 'bounded'})")
        for line in lines:
            terminalreporter.write_line(line)
