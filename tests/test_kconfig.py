"""Tests for qemu_config.kconfig: the minikconf language, solver, errors, explain and the library API.

Expected values follow QEMU's scripts/minikconf.py (reference §8 and §10 items 51-59); the
command line and the differential comparison against QEMU's script are in test_minikconf_cli.py.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping

import pytest

from qemu_config.kconfig import (ExternalAssignment, KconfigContradictionError, KconfigCycleError, KconfigError,
                                 KconfigParseError, KconfigTree, KconfigUndefinedError, KconfigUsageError, Location,
                                 parse_kconfig)
from qemu_config.kconfig.expr import And, Or, Sym
from qemu_config.kconfig.model import Select
from qemu_config.kconfig.parser import parse_text

DATA = Path(__file__).parent / "data" / "kconfig" / "tree"
HOST = {"CONFIG_LINUX": True, "CONFIG_FDT": True, "CONFIG_PIXMAN": True, "CONFIG_VHOST_USER": True,
        "CONFIG_TCG": True, "CONFIG_TARGET_BIG_ENDIAN": False}
AARCH64 = {**HOST, "CONFIG_AARCH64": True}
X86_64 = {**HOST, "CONFIG_X86_64": True}


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def solve_text(tmp_path: Path, text: str, assignments: Mapping[str, bool] | None = None,
               mode: str = "defconfig"):
    path = write(tmp_path, "Kconfig", text)
    return parse_kconfig([path]).solve(mode, assignments or {})


def cli_like(tmp_path: Path, text: str, *args: str, mode: str = "defconfig"):
    """Solve as the command line does: the file, then CONFIG_X=y arguments (externals)."""
    path = write(tmp_path, "Kconfig", text)
    inputs: list[str | ExternalAssignment] = [str(path)]
    for arg in args:
        assignment = ExternalAssignment.from_arg(arg)
        assert assignment is not None
        inputs.append(assignment)
    return parse_kconfig(inputs).solve(mode)


# -- §10 items 51-59 -----------------------------------------------------------

IMPLY_TREE = "config A\n    bool\n    imply B\nconfig B\n    bool\n"


def test_item51_imply_defconfig_prints_implied_not_external(tmp_path: Path) -> None:
    result = cli_like(tmp_path, IMPLY_TREE, "CONFIG_A=y")
    assert result.config_text() == "CONFIG_B=y\n"
    assert result.values == {"A": True, "B": True}
    assert result.externals == frozenset({"A"})


def test_item51_imply_is_inert_under_allnoconfig(tmp_path: Path) -> None:
    assert cli_like(tmp_path, IMPLY_TREE, "CONFIG_A=y", mode="allnoconfig").config_text() == ""


def test_item51_allyesconfig_turns_unconstrained_symbols_on(tmp_path: Path) -> None:
    assert cli_like(tmp_path, IMPLY_TREE, mode="allyesconfig").config_text() == "CONFIG_A=y\nCONFIG_B=y\n"


def test_item52_select_of_symbol_whose_depends_fails(tmp_path: Path) -> None:
    text = "config A\n    select B\nconfig B\n    depends on C\nconfig C\n"
    with pytest.raises(KconfigContradictionError) as info:
        cli_like(tmp_path, text, "CONFIG_A=y")
    error = info.value
    assert error.symbol == "B"
    rendered = error.render()
    assert rendered.startswith("ERROR: contradiction between clauses when setting B\n")
    assert "The following clauses were found for B" in rendered
    kconfig = tmp_path / "Kconfig"
    assert f"    select B if A  (sets B=y, from {kconfig}:2; A=y)" in rendered
    assert f"    config B depends on C  (sets B=n, from {kconfig}:4; C=n)" in rendered
    assert error.exit_code == 1


def test_item53_or_binds_tighter_than_and(tmp_path: Path) -> None:
    text = "config A\nconfig C\nconfig D\nconfig B\n    depends on A && C || D\n"
    parsed = parse_text(text, str(tmp_path / "k"))
    depends = parsed.items[-1]
    assert str(depends.expr) == "(A && (C || D))"  # type: ignore[union-attr]
    with pytest.raises(KconfigContradictionError, match="when setting B") as info:
        cli_like(tmp_path, text, "CONFIG_B=y", "CONFIG_D=y")
    assert "config B depends on (A && (C || D))" in info.value.render()
    assert cli_like(tmp_path, text, "CONFIG_A=y", "CONFIG_D=y", "CONFIG_B=y").config_text() == ""


def test_precedence_rendering_and_parentheses() -> None:
    def expr(text: str) -> str:
        parsed = parse_text(f"config X\n    depends on {text}\n", "/k")
        return str(parsed.items[-1].expr)  # type: ignore[union-attr]

    assert expr("A || B && C") == "((A || B) && C)"
    assert expr("A && B && C") == "((A && B) && C)"
    assert expr("A || B || C") == "((A || B) || C)"
    assert expr("A && (B && C)") == "(A && (B && C))"
    assert expr("(A && B) || C") == "((A && B) || C)"
    assert expr("!A || !!B") == "(!A || !!B)"
    assert expr("!(A && B)") == "!(A && B)"


def test_select_condition_includes_owner() -> None:
    parsed = parse_text("config A\n    select B if C && D\n    select E\n", "/k")
    first, second = parsed.items[1], parsed.items[2]
    assert isinstance(first, Select) and isinstance(second, Select)
    assert first.render() == "select B if ((C && D) && A)"
    assert second.render() == "select E if A"
    assert first.condition == And((Sym("C"), Sym("D"), Sym("A")))
    assert parse_text("config X\n depends on A || B\n", "/k").items[1].expr == Or((Sym("A"), Sym("B")))  # type: ignore


def test_item54_first_satisfied_default_wins(tmp_path: Path) -> None:
    text = "config E\nconfig D\n    default n if E\n    default y\n"
    assert cli_like(tmp_path, text, "CONFIG_E=y").config_text() == ""
    assert cli_like(tmp_path, text, "CONFIG_E=n").config_text() == "CONFIG_D=y\n"


def test_item55_include_relative_to_including_file_and_depfile(tmp_path: Path) -> None:
    top = write(tmp_path, "top.mak", "include inc.kc\nCONFIG_F=y\n")
    write(tmp_path, "inc.kc", "config F\nconfig G\n    default y if F\n")
    result = parse_kconfig([top]).solve()
    assert result.config_text() == "CONFIG_F=y\nCONFIG_G=y\n"
    assert result.depfile_text("o") == f"o: {tmp_path / 'top.mak'}\no: {tmp_path / 'inc.kc'}\n"
    assert result.files_read == (tmp_path / "top.mak", tmp_path / "inc.kc")


def test_item56_undefined_symbols_all_listed_with_locations(tmp_path: Path) -> None:
    text = "config A\n    select Z\n    depends on W || Z\n"
    with pytest.raises(KconfigUndefinedError) as info:
        cli_like(tmp_path, text, "CONFIG_Q=y")
    error = info.value
    assert error.symbols == ("Z", "W", "Q")
    rendered = error.render()
    kconfig = tmp_path / "Kconfig"
    assert "there were undefined symbols" in rendered
    assert f"undefined symbol Z, referenced at {kconfig}:2, {kconfig}:3" in rendered
    assert f"undefined symbol W, referenced at {kconfig}:3" in rendered
    assert "undefined symbol Q, referenced at the command line" in rendered


def test_item57_cycle_names_its_members(tmp_path: Path) -> None:
    text = "config A\n    depends on B\nconfig B\n    depends on A\n"
    with pytest.raises(KconfigCycleError) as info:
        solve_text(tmp_path, text)
    error = info.value
    assert error.message == "cycle found including B"
    assert set(error.members) == {"A", "B"}
    rendered = error.render()
    kconfig = tmp_path / "Kconfig"
    assert f"A needs B: config A depends on B ({kconfig}:2)" in rendered
    assert f"B needs A: config B depends on A ({kconfig}:4)" in rendered


def test_cycle_through_selects_and_self_dependency(tmp_path: Path) -> None:
    with pytest.raises(KconfigCycleError, match="cycle found including") as info:
        solve_text(tmp_path, "config A\n    select B\nconfig B\n    select A\n")
    assert set(info.value.members) == {"A", "B"}
    with pytest.raises(KconfigCycleError, match="cycle found including A") as info:
        solve_text(tmp_path, "config A\n    depends on A\n")
    assert info.value.members == ("A",)


@pytest.mark.parametrize("text, message", [
    ('config A\n    bool "prompt"\n', ':2:10: invalid input before """'),
    ("FOO=y\n", ':1:1: Expected identifier starting with "CONFIG_"'),
    ("config A\ndepends A\n", ':2:9: Expected "on" before identifier'),
    ("config A\n default", ':2:9: Expected "y" or "n" before end of file'),
    ("config A\n default y if (B\nconfig B\n", ':3:1: Expected ")" before "config"'),
    ("config A\n depends on )\n", ':2:13: Expected "!" or "(" or identifier before ")"'),
    ("config\n", ":1:7: Expected identifier before end of file"),
    ("=\n", ':1:1: expected "source", "config" or identifier before "="'),
    ("CONFIG_A y\n", ':1:10: Expected "=" before "y"'),
    ("config A\n default y\n =\n",
     ':3:2: expected "source", "config", identifier, "default", "depends on", "imply" or "select" before "="'),
    ("config A\n\tdefault y if B &C\n", ':2:24: invalid input before "&"'),
    ("config _A\n", ':1:8: invalid input before "_"'),
    ("config A\n\t\t  default\tx\n", ':2:33: Expected "y" or "n" before identifier'),
])
def test_item58_parse_errors_keep_wording_and_position(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, "k.kc", text)
    with pytest.raises(KconfigParseError) as info:
        parse_kconfig([path])
    assert info.value.message == f"{path}{message}"
    assert info.value.render().startswith(f"ERROR: {path}{message}")


def test_item59_duplicate_config_stanzas_are_merged(tmp_path: Path) -> None:
    text = "config A\n    default y\nconfig B\nconfig A\n    select B\n"
    result = solve_text(tmp_path, text)
    assert result.enabled == ("A", "B")
    tree = parse_kconfig([tmp_path / "Kconfig"])
    assert [loc.line for loc in tree.declaration("A")] == [1, 4]


# -- modes ---------------------------------------------------------------------


def test_allnoconfig_keeps_selects_and_assignments(tmp_path: Path) -> None:
    text = "config A\n    default y\n    select B\nconfig B\nconfig C\n    default y\nCONFIG_A=y\n"
    assert solve_text(tmp_path, text, mode="allnoconfig").enabled == ("A", "B")


def test_allyesconfig_respects_depends_and_explicit_n(tmp_path: Path) -> None:
    text = "config A\n    depends on H\nconfig H\nconfig N\n    default n\nconfig F\nCONFIG_F=n\n"
    result = solve_text(tmp_path, text, {"CONFIG_H": False}, mode="allyesconfig")
    # Every default (the explicit "default n" too) becomes y; depends on and assignments still hold.
    assert result.enabled == ("N",)


def test_mode_spellings_and_unknown_mode(tmp_path: Path) -> None:
    write(tmp_path, "Kconfig", "config A\n    default y\n")
    tree = parse_kconfig([tmp_path / "Kconfig"])
    assert tree.solve("--allnoconfig").enabled == ()
    assert tree.solve("defconfig").enabled == ("A",)
    with pytest.raises(KconfigUsageError, match="unknown Kconfig mode"):
        tree.solve("oldconfig")


def test_randconfig_is_reproducible_with_a_seed(tmp_path: Path) -> None:
    text = "".join(f"config S{i}\n    default y\n" for i in range(64))
    tree = parse_kconfig([write(tmp_path, "Kconfig", text)])
    first = tree.solve("randconfig", seed=1234)
    assert first.seed == 1234
    assert tree.solve("randconfig", seed=1234).enabled == first.enabled
    assert 0 < len(first.enabled) < 64
    assert any(tree.solve("randconfig", seed=seed).enabled != first.enabled for seed in range(5))
    unseeded = tree.solve("randconfig")
    assert unseeded.seed is not None
    assert tree.solve("randconfig", seed=unseeded.seed).enabled == unseeded.enabled


# -- includes ------------------------------------------------------------------


def test_inclusion_loop(tmp_path: Path) -> None:
    # QEMU's own check: "a.kc" is spelled exactly as the file that includes b.kc.
    top = write(tmp_path, "a.kc", "source b.kc\nconfig A\n")
    write(tmp_path, "b.kc", "config B\nsource a.kc\n")
    with pytest.raises(KconfigParseError) as info:
        parse_kconfig([top])
    assert info.value.message == f"{tmp_path / 'b.kc'}:2:1: Inclusion loop for a.kc"
    assert info.value.details == (
        f"In file included from {top}:1:",
        f"inclusion chain: {top} -> {tmp_path / 'b.kc'} -> a.kc",
        f"a.kc is {top}, a file still being read: remove one of the source lines in this chain")


def test_inclusion_loop_under_another_spelling(tmp_path: Path) -> None:
    # QEMU reads a.kc again as sub/../a.kc and finds the loop on the second round; we stop at the first.
    top = write(tmp_path, "a.kc", "source sub/b.kc\nconfig A\n")
    write(tmp_path, "sub/b.kc", "config B\nsource ../a.kc\n")
    with pytest.raises(KconfigParseError) as info:
        parse_kconfig([top])
    rendered = info.value.render()
    assert f"ERROR: {tmp_path / 'sub/b.kc'}:2:1: Inclusion loop for ../a.kc" in rendered
    assert f"In file included from {top}:1:" in rendered
    assert f"../a.kc is {top}, a file still being read" in rendered


@pytest.mark.parametrize("spelling", ["./self.kc", "sub/../self.kc", "{dir}//self.kc"])
def test_file_including_itself_under_another_spelling_is_a_loop(tmp_path: Path, spelling: str) -> None:
    # QEMU never sees these as a loop nor as read before: it reads the file again without end, and dies.
    (tmp_path / "sub").mkdir()
    spelling = spelling.format(dir=tmp_path)
    top = write(tmp_path, "self.kc", f"config S\nsource {spelling}\n")
    with pytest.raises(KconfigParseError) as info:
        parse_kconfig([top])
    assert info.value.message == f"{top}:2:1: Inclusion loop for {spelling}"


def test_file_including_itself_is_skipped(tmp_path: Path) -> None:
    top = write(tmp_path, "self.kc", "source self.kc\nconfig S\n    default y\n")
    result = parse_kconfig([top]).solve()
    assert result.enabled == ("S",)
    assert result.files == (str(top),)


def test_same_spelling_twice_reads_the_file_once(tmp_path: Path) -> None:
    top = write(tmp_path, "top.kc", "source x.kc\nsource x.kc\n")
    write(tmp_path, "x.kc", "config X\n    default y\n")
    tree = parse_kconfig([top])
    assert tree.solve().files == (str(top), str(tmp_path / "x.kc"))
    assert len(tree.declaration("X")) == 1


@pytest.mark.parametrize("spelling", ["./x.kc", "sub/../x.kc", "{dir}//x.kc", "{dir}/./x.kc"])
def test_another_spelling_reads_the_file_again(tmp_path: Path, spelling: str) -> None:
    # QEMU skips an include only when the joined path, as spelled, is one it recorded (normalized).
    (tmp_path / "sub").mkdir()
    top = write(tmp_path, "top.kc", f"source x.kc\nsource {spelling.format(dir=tmp_path)}\n")
    x = write(tmp_path, "x.kc", "config X\n    default y\n")
    tree = parse_kconfig([top])
    assert tree.solve().files == (str(top), str(x), str(x))
    assert tree.declaration("X") == (Location(str(x), 1), Location(str(x), 1))  # its clauses count again


def test_normalized_spelling_after_another_one_is_skipped(tmp_path: Path) -> None:
    top = write(tmp_path, "top.kc", "source ./x.kc\nsource x.kc\nsource ./x.kc\n")
    x = write(tmp_path, "x.kc", "config X\n")
    assert parse_kconfig([top]).solve().files == (str(top), str(x), str(x))


def test_file_included_again_from_a_subdirectory_is_read_again(tmp_path: Path) -> None:
    top = write(tmp_path, "top.kc", "source x.kc\nsource x.kc\nsource sub/y.kc\n")
    write(tmp_path, "x.kc", "config X\n    default y\n")
    write(tmp_path, "sub/y.kc", "source ../x.kc\nconfig Y\n")
    result = parse_kconfig([top]).solve()
    assert result.files == (str(top), str(tmp_path / "x.kc"), str(tmp_path / "sub/y.kc"), str(tmp_path / "x.kc"))


def test_clauses_of_a_file_read_again_count_again(tmp_path: Path) -> None:
    top = write(tmp_path, "top.kc", "config A\nsource a.mak\nsource ./a.mak\nCONFIG_A=n\n")
    mak = write(tmp_path, "a.mak", "CONFIG_A=y\n")
    with pytest.raises(KconfigContradictionError) as info:
        parse_kconfig([top]).solve()
    assert info.value.details == (
        "The following clauses were found for A:",
        f"    CONFIG_A=y  (sets A=y, from {mak}:1)",
        f"    CONFIG_A=y  (sets A=y, from {mak}:1)",
        f"    CONFIG_A=n  (sets A=n, from {top}:4)")


@pytest.mark.parametrize("spelling, reason", [("sub/../x.kc", "No such file or directory"),
                                              ("x.kc/", "Not a directory")])
def test_path_is_opened_as_spelled(tmp_path: Path, spelling: str, reason: str) -> None:
    # No sub/ directory: the OS cannot step back out of it, whatever the normalized path says.
    top = write(tmp_path, "top.kc", f"source {spelling}\n")
    write(tmp_path, "x.kc", "config X\n")
    with pytest.raises(KconfigParseError) as info:
        parse_kconfig([top])
    assert info.value.message == f"{top}:1:1: {reason}: {spelling}"
    assert info.value.details == (f"the name is opened as spelled, {tmp_path}/{spelling}, not normalized:"
                                  f" write x.kc to read {tmp_path / 'x.kc'}",)


def test_file_named_twice_on_the_command_line_is_read_twice(tmp_path: Path) -> None:
    path = write(tmp_path, "x.kc", "source y.mak\nconfig X\n    default y\n")
    write(tmp_path, "y.mak", "CONFIG_X=y\n")
    # Its include is skipped the second time: y.mak was read.
    assert parse_kconfig([path, path]).solve().files == (str(path), str(tmp_path / "y.mak"), str(path))


def test_missing_include_and_missing_file(tmp_path: Path) -> None:
    top = write(tmp_path, "m.kc", "config A\nsource nope.kc\n")
    with pytest.raises(KconfigParseError, match=r"m\.kc:2:1: No such file or directory: nope\.kc"):
        parse_kconfig([top])
    with pytest.raises(KconfigParseError, match="No such file or directory: .*absent.kc"):
        parse_kconfig([tmp_path / "absent.kc"])


def test_error_in_included_file_names_the_chain(tmp_path: Path) -> None:
    top = write(tmp_path, "top.kc", "config T\nsource sub/err.kc\n")
    write(tmp_path, "sub/err.kc", "config Q\n  select (\n")
    with pytest.raises(KconfigParseError) as info:
        parse_kconfig([top])
    assert info.value.message == f"{tmp_path / 'sub/err.kc'}:2:10: Expected identifier before \"(\""
    assert info.value.details == (f"In file included from {top}:2:",)


def test_include_processed_before_a_later_syntax_error(tmp_path: Path) -> None:
    # As in the original, an include is followed at once: its own error is met first.
    top = write(tmp_path, "top.kc", "source inc.kc\nconfig A\n  default x\n")
    write(tmp_path, "inc.kc", "config B\n  bogus\n")
    with pytest.raises(KconfigParseError, match='inc.kc:2:3: Expected identifier starting with "CONFIG_"'):
        parse_kconfig([top])


def test_source_takes_the_rest_of_the_line(tmp_path: Path) -> None:
    top = write(tmp_path, "t.kc", "source   x.kc   \n")
    write(tmp_path, "x.kc", "config X\n")
    with pytest.raises(KconfigParseError, match=r"No such file or directory: x\.kc   $") as info:
        parse_kconfig([top])
    assert info.value.details == ("the file name is the rest of the line, 'x.kc   ':"
                                  " trailing blanks and comments are part of it",)


# -- scanner details -------------------------------------------------------------


def test_unicode_identifiers_and_whitespace(tmp_path: Path) -> None:
    text = "config Ä1\n\f default y\u00a0\nconfig é_x\n select Ä1\nconfig 9P\n default y\n"
    assert solve_text(tmp_path, text).enabled == ("9P", "Ä1")


def test_keyword_prefixes_are_identifiers(tmp_path: Path) -> None:
    text = "config defaults\n default y\nconfig ifx\n select defaults\nconfig iff\n"
    assert solve_text(tmp_path, text).enabled == ("defaults",)


def test_crlf_and_cr_newlines_and_comments(tmp_path: Path) -> None:
    path = tmp_path / "Kconfig"
    path.write_bytes(b"config A\r\n default y # comment\r\nconfig B\r select A\r# end")
    assert parse_kconfig([path]).solve().enabled == ("A",)


def test_long_chains_and_deep_nesting(tmp_path: Path) -> None:
    names = [f"S{i}" for i in range(3000)]
    text = "".join(f"config {n}\n default y\n" for n in names)
    text += "config ALL\n default y if " + " && ".join(names) + "\n"
    assert "ALL" in solve_text(tmp_path, text).enabled
    deep = "config A\n depends on " + "(" * 400 + "A" + ")" * 400 + "\n"
    with pytest.raises(KconfigParseError, match="nested more than"):
        parse_kconfig([write(tmp_path, "deep.kc", deep)])


def test_config_prefix_is_stripped_and_empty_name(tmp_path: Path) -> None:
    assert solve_text(tmp_path, "config A\nCONFIG_A=y\n").enabled == ("A",)
    with pytest.raises(KconfigUndefinedError) as info:
        solve_text(tmp_path, "CONFIG_=y\n")
    assert 'undefined symbol "", referenced at' in info.value.render()


# -- the data tree (QEMU-shaped) ---------------------------------------------------


@pytest.fixture(scope="module")
def tree() -> KconfigTree:
    return parse_kconfig([DATA / "Kconfig"])


def mak(target: str, name: str = "default") -> Path:
    return DATA / "configs" / "devices" / f"{target}-softmmu" / f"{name}.mak"


def test_tree_aarch64_defconfig(tree: KconfigTree) -> None:
    result = tree.solve("defconfig", AARCH64, [mak("aarch64")])
    assert result.enabled == ("ARM", "ARM_COMPATIBLE_SEMIHOSTING", "ARM_VIRT", "EDU", "MSI_NONBROKEN", "PCI",
                              "PCI_DEVICES", "PCI_EXPRESS", "PVPANIC", "SEMIHOSTING", "TEST_DEVICES", "VGA",
                              "VGA_PCI", "VHOST_USER_GPU", "VIRTIO_GPU")
    assert result.values["MUSICPAL"] is False  # CONFIG_MUSICPAL=n in the included arm-softmmu/default.mak
    assert result.values["AARCH64"] is True and "AARCH64" in result.externals
    assert [p.relative_to(DATA).as_posix() for p in result.files_read[:3]] == [
        "configs/devices/aarch64-softmmu/default.mak", "configs/devices/arm-softmmu/default.mak", "Kconfig"]
    assert len(result.files_read) == 2 + len(tree.files)


def test_tree_x86_64_defconfig_and_allnoconfig(tree: KconfigTree) -> None:
    assert tree.solve("defconfig", X86_64, [mak("x86_64")]).enabled == (
        "EDU", "I386", "ISAPC", "MSI_NONBROKEN", "PC", "PCI", "PCI_DEVICES", "PCI_EXPRESS", "Q35",
        "TEST_DEVICES", "VGA", "VGA_PCI", "VHOST_USER_GPU", "VIRTIO_GPU")
    # Assignments from .mak files are printed; command-line ones are not.
    assert tree.solve("allnoconfig", X86_64, [mak("x86_64")]).enabled == ("I386", "TEST_DEVICES")


def test_tree_minimal_allnoconfig(tree: KconfigTree) -> None:
    result = tree.solve("allnoconfig", {"CONFIG_LINUX": True, "CONFIG_FDT": True, "CONFIG_TCG": True,
                                        "CONFIG_AARCH64": True}, [mak("aarch64", "minimal")])
    assert result.enabled == ("ARM", "ARM_COMPATIBLE_SEMIHOSTING", "ARM_VIRT", "MSI_NONBROKEN", "PCI",
                              "PCI_EXPRESS", "PVPANIC", "SEMIHOSTING")


@pytest.mark.parametrize("mode", ["defconfig", "allnoconfig", "allyesconfig"])
@pytest.mark.parametrize("target, assignments", [("aarch64", AARCH64), ("x86_64", X86_64)])
def test_reused_tree_equals_a_fresh_command_line_parse(tree: KconfigTree, mode: str, target: str,
                                                       assignments: Mapping[str, bool]) -> None:
    reused = tree.solve(mode, assignments, [mak(target)])
    inputs: list[str | ExternalAssignment] = [str(mak(target)), str(DATA / "Kconfig")]
    inputs += [ExternalAssignment(name, value) for name, value in assignments.items()]
    fresh = parse_kconfig(inputs).solve(mode)
    assert reused.enabled == fresh.enabled
    assert dict(reused.values) == dict(fresh.values)
    assert reused.files == fresh.files


def test_extra_file_with_declarations_takes_the_general_path(tree: KconfigTree, tmp_path: Path) -> None:
    extra = write(tmp_path, "extra.mak", "config LOCAL_BOARD\n    default y\n    select PTIMER\nCONFIG_EDU=n\n")
    result = tree.solve("defconfig", X86_64, [mak("x86_64"), extra])
    assert {"LOCAL_BOARD", "PTIMER"} <= set(result.enabled)
    assert "EDU" not in result.enabled
    # The tree itself is unchanged for the next target.
    assert "LOCAL_BOARD" not in tree.solve("defconfig", X86_64, [mak("x86_64")]).values


def test_extra_file_sharing_a_file_with_the_tree(tree: KconfigTree, tmp_path: Path) -> None:
    extra = write(tmp_path, "extra.mak", f"include {DATA / 'hw/misc/Kconfig'}\nCONFIG_EDU=n\n")
    result = tree.solve("defconfig", X86_64, [extra])
    assert result.files[:2] == (str(extra), str(DATA / "hw/misc/Kconfig"))
    assert result.files.count(str(DATA / "hw/misc/Kconfig")) == 1
    assert "EDU" not in result.enabled


def test_extra_file_reading_a_file_twice_keeps_the_shared_tree(tree: KconfigTree, tmp_path: Path) -> None:
    extra = write(tmp_path, "extra.mak", "include sub.mak\ninclude ./sub.mak\n")
    sub = write(tmp_path, "sub.mak", "CONFIG_EDU=n\n")
    reused = tree.solve("defconfig", X86_64, [extra])
    assert reused.files == (str(extra), str(sub), str(sub), *map(str, tree.files))
    inputs: list[str | ExternalAssignment] = [str(extra), str(DATA / "Kconfig")]
    inputs += [ExternalAssignment(name, value) for name, value in X86_64.items()]
    fresh = parse_kconfig(inputs).solve("defconfig")
    assert (reused.files, reused.enabled) == (fresh.files, fresh.enabled)
    assert "EDU" not in reused.enabled


def test_contradiction_from_a_mak_file_names_file_line_and_command_line(tree: KconfigTree, tmp_path: Path) -> None:
    board = write(tmp_path, "board.mak", "# boards\nCONFIG_ISAPC=y\n")
    with pytest.raises(KconfigContradictionError) as info:
        tree.solve("defconfig", {**X86_64, "CONFIG_KVM": True}, [board])
    rendered = info.value.render()
    assert "contradiction between clauses when setting ISAPC" in rendered
    assert f"CONFIG_ISAPC=y  (sets ISAPC=y, from {board}:2)" in rendered
    assert (f"config ISAPC depends on (I386 && !KVM)  (sets ISAPC=n, from {DATA / 'hw/i386/Kconfig'}:18; KVM=y)"
            in rendered)
    assert "KVM=y" in rendered and "set on the command line: CONFIG_KVM=y" in rendered


def test_assignment_keys_need_the_config_prefix(tree: KconfigTree) -> None:
    with pytest.raises(KconfigUsageError, match="assigned variable should start with CONFIG_"):
        tree.solve("defconfig", {"TCG": True})


def test_undefined_symbol_in_a_mak_file(tree: KconfigTree, tmp_path: Path) -> None:
    extra = write(tmp_path, "bad.mak", "CONFIG_NO_SUCH_BOARD=y\n")
    with pytest.raises(KconfigUndefinedError, match="NO_SUCH_BOARD") as info:
        tree.solve("defconfig", {**X86_64, "CONFIG_NOPE": True}, [extra])
    assert info.value.symbols == ("NO_SUCH_BOARD", "NOPE")
    assert f"referenced at {extra}:1" in info.value.render()


def test_tree_properties(tree: KconfigTree) -> None:
    assert tree.files[0] == DATA / "Kconfig"
    assert len(tree.files) == 12
    assert "ARM_VIRT" in tree.symbols and "LINUX" in tree.symbols


# -- explain ---------------------------------------------------------------------


def test_explain_default_with_depends_held(tree: KconfigTree) -> None:
    text = tree.solve("defconfig", AARCH64, [mak("aarch64")]).explain("ARM_VIRT")
    lines = text.splitlines()
    assert lines[0] == "ARM_VIRT=y"
    assert f"  default y ({DATA / 'hw/arm/Kconfig'}:3)" in lines
    assert f"  depends on (ARM && FDT) ({DATA / 'hw/arm/Kconfig'}:4): holds" in lines


def test_explain_select_chain_to_the_command_line(tree: KconfigTree) -> None:
    text = tree.solve("defconfig", AARCH64, [mak("aarch64")]).explain("CONFIG_SEMIHOSTING")
    assert text.splitlines()[:6] == [
        "SEMIHOSTING=y",
        f"  selected by ARM_COMPATIBLE_SEMIHOSTING: select SEMIHOSTING ({DATA / 'hw/misc/Kconfig'}:6)",
        "    ARM_COMPATIBLE_SEMIHOSTING=y",
        f"      selected by ARM: select ARM_COMPATIBLE_SEMIHOSTING if TCG ({DATA / 'target/arm/Kconfig'}:3)",
        "        TCG=y",
        "          set on the command line: CONFIG_TCG=y",
    ]


def test_explain_failed_depends_down_to_a_missing_host_symbol(tree: KconfigTree) -> None:
    host = {k: v for k, v in AARCH64.items() if k != "CONFIG_PIXMAN"}
    text = tree.solve("defconfig", host, [mak("aarch64")]).explain("VIRTIO_GPU")
    assert "VIRTIO_GPU=n" in text
    assert f"depends on (PCI && (PIXMAN || OPENGL)) ({DATA / 'hw/display/Kconfig'}:13): does not hold" in text
    assert "PIXMAN=n" in text and "OPENGL=n" in text
    assert "nothing in the Kconfig files sets it (declared at" in text
    assert "PCI=" not in text  # PCI held: only the failing operands are followed


def test_explain_mak_assignment_and_mode_note(tree: KconfigTree) -> None:
    result = tree.solve("defconfig", AARCH64, [mak("aarch64")])
    assert (f"set by CONFIG_MUSICPAL=n at {mak('arm')}:5" in result.explain("MUSICPAL"))
    allno = tree.solve("allnoconfig", X86_64, [mak("x86_64")])
    text = allno.explain("Q35")
    assert "Q35=n" in text and "turned into n by --allnoconfig" in text


def test_explain_unselected_symbol_lists_candidates(tree: KconfigTree) -> None:
    text = tree.solve("defconfig", X86_64, [mak("x86_64")]).explain("PTIMER")
    assert "not selected by MUSICPAL: select PTIMER" in text
    assert "no assignment, select or default set it: implicit default n" in text


def test_explain_unknown_symbol_suggests(tree: KconfigTree) -> None:
    result = tree.solve("defconfig", X86_64, [mak("x86_64")])
    with pytest.raises(KconfigUsageError, match="unknown Kconfig symbol ARM_VIRTT") as info:
        result.explain("ARM_VIRTT")
    assert "did you mean ARM_VIRT" in info.value.render()


def test_explain_depth_is_bounded(tmp_path: Path) -> None:
    chain = "".join(f"config S{i}\n    select S{i + 1}\n" for i in range(20)) + "config S20\n"
    result = cli_like(tmp_path, chain, "CONFIG_S0=y")
    shallow = result.explain("S20", depth=2)
    assert "S18=y" in shallow and "S17=y" in shallow and "S16" not in shallow


# -- errors never escape as other exception types ------------------------------------


@pytest.mark.parametrize("text", [
    "config A\n  select B\nconfig B\n  depends on C\nconfig C\nCONFIG_A=y\n",
    "config A\n  depends on A\n",
    "config A\n  select Z\n",
    'config A\n  bool "x"\n',
    "source missing.kc\n",
])
def test_every_error_is_a_kconfig_error_with_exit_status_1(tmp_path: Path, text: str) -> None:
    with pytest.raises(KconfigError) as info:
        solve_text(tmp_path, text)
    assert info.value.exit_code == 1
    assert info.value.render().startswith("ERROR: ")


def test_undecodable_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.kc"
    path.write_bytes(b"config \xff\n")
    with pytest.raises(KconfigParseError, match="not valid UTF-8"):
        parse_kconfig([path])


def test_relative_paths_are_resolved_against_the_working_directory(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "dir/top.kc", "source inc.kc\n")
    write(tmp_path, "dir/inc.kc", "config I\n    default y\n")
    monkeypatch.chdir(tmp_path)
    result = parse_kconfig([os.path.join("dir", "top.kc")]).solve()
    assert result.files == (str(tmp_path / "dir/top.kc"), str(tmp_path / "dir/inc.kc"))
    assert result.enabled == ("I",)
