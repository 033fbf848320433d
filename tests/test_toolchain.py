"""toolchain.py: compiler checks with meson 1.12.1's semantics, proven against meson itself."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable

import pytest

from e2e import tool_env
from qemu_config import toolchain as t
from qemu_config.environment import RECORDED_ENVIRONMENT
from qemu_config.errors import UserError

HAVE_CLANG = shutil.which("clang") is not None
HAVE_MINGW = shutil.which("x86_64-w64-mingw32-gcc") is not None
needs_clang = pytest.mark.skipif(not HAVE_CLANG, reason="clang not installed (apt-get install clang)")


def toolchain(cc: str = "gcc", cross_prefix: str | None = None, **environ: str) -> t.Toolchain:
    return t.select_toolchain(cross_prefix=cross_prefix, cc=cc, cxx=None, objcc=None, host_cc=None,
                              environ=environ)


GCC = toolchain("gcc")
MAIN = "int main(void) { return 0; }\n"


def run(check: t.Check, tc: t.Toolchain = GCC) -> t.CheckResult:
    with tempfile.TemporaryDirectory(prefix="test-toolchain-") as tmp:
        return check.run(tc, Path(tmp))


def commands(result: t.CheckResult) -> list[str]:
    return [line[2:] for line in result.log.splitlines() if line.startswith("$ ")]


# --- 1. each check against the real gcc ---------------------------------------------------------------


def test_links_and_its_log() -> None:
    good = run(t.Links(MAIN))
    assert good.ok and good.value is None
    assert MAIN in good.log and "exit status 0" in good.log
    bad = run(t.Links("this is not C"))
    assert not bad.ok and "exit status 1" in bad.log and "error" in bad.log


def test_links_uses_the_check_args_then_the_checks_own() -> None:
    src = "#ifndef FOO\n#error FOO is not defined\n#endif\n" + MAIN
    assert not run(t.Links(src)).ok
    res = run(t.Links(src, args=("-DFOO", "-Iinc", "-DBAR", "-DFOO", "-lm"), link_args=("-lm",)))
    assert res.ok
    # meson's argument list rules: -I to the front, a repeated -D replaces the earlier one, -lm once.
    cmd = re.sub(r"\S*/(testfile\.c|output\.exe)", r"\1", commands(res)[0])
    assert cmd == "gcc -Iinc testfile.c -o output.exe -D_FILE_OFFSET_BITS=64 -O0 -U_FORTIFY_SOURCE -DBAR -DFOO -lm"


def test_cflags_reach_checks_but_linker_words_do_not() -> None:
    tc = toolchain("gcc", CFLAGS="-DFROM_CFLAGS -Wl,--as-needed -L/nowhere", LDFLAGS="-Wl,-O1")
    guard = "#ifndef FROM_CFLAGS\n#error no\n#endif\n"
    src = guard + "int main(void) { return 0; }\n"
    preprocessed = run(t.HasHeader("stdio.h", prefix=guard), tc)
    assert preprocessed.ok
    assert "-Wl,--as-needed" not in commands(preprocessed)[0] and "-L/nowhere" not in commands(preprocessed)[0]
    linked = run(t.Links(src), tc)
    assert linked.ok and commands(linked)[0].endswith("-Wl,-O1")


def test_cppflags_precede_each_language_s_flags() -> None:
    cpp = "-DFROM_CPPFLAGS -Wdate-time"   # dpkg-buildflags' CPPFLAGS have this shape
    tc = t.select_toolchain(cross_prefix=None, cc="gcc", cxx=None, objcc=None, host_cc=None,
                            extra_cflags=("-DX",), environ={"CPPFLAGS": cpp, "CFLAGS": "-O2", "CXXFLAGS": "-O1",
                                                            "OBJCFLAGS": "-O3"})
    assert tc.cflags == ("-DFROM_CPPFLAGS", "-Wdate-time", "-O2", "-DX")
    assert tc.cxxflags == ("-DFROM_CPPFLAGS", "-Wdate-time", "-O1")
    assert tc.objcflags == ("-DFROM_CPPFLAGS", "-Wdate-time", "-O3")
    guard = "#ifndef FROM_CPPFLAGS\n#error CPPFLAGS did not reach the check\n#endif\n"
    assert run(t.HasHeader("stdio.h", prefix=guard), tc).ok


def test_links_positive_and_negative() -> None:
    assert run(t.Links("int main(void) { return 0; }")).ok
    missing = "extern int nosuch_symbol_xyz(void);\nint main(void) { return nosuch_symbol_xyz(); }\n"
    assert not run(t.Links(missing)).ok
    cos = "#include <math.h>\nint main(int argc, char **argv) { (void)argv; return (int)cos((double)argc); }\n"
    assert run(t.Links(cos, link_args=("-lm",))).ok


def test_several_libraries_are_grouped_for_gnu_ld() -> None:
    res = run(t.Links("int main(void) { return 0; }", link_args=("-lm", "-lpthread", "-lm")))
    assert res.ok
    assert commands(res)[0].endswith("-Wl,--start-group -lm -lpthread -Wl,--end-group")


def test_has_header() -> None:
    assert run(t.HasHeader("stdio.h")).ok
    assert run(t.HasHeader("sys/mman.h")).ok
    res = run(t.HasHeader("nosuch/header.h"))
    assert not res.ok and "__has_include" in res.log


def test_has_function_getloadavg_found_bogus_not() -> None:
    assert run(t.HasFunction("getloadavg")).ok
    assert run(t.HasFunction("getloadavg", prefix="#include <stdlib.h>")).ok
    bogus = run(t.HasFunction("nosuch_function_xyz"))
    assert not bogus.ok
    assert "trying it as a compiler builtin" in bogus.log and "__has_builtin" in bogus.log


def test_has_function_declared_only_in_prefix_is_not_found() -> None:
    # No #include in the prefix: autoconf-style call with our own prototype; nothing defines it.
    assert not run(t.HasFunction("my_only_declared", prefix="int my_only_declared(void);")).ok
    # With an #include the prefix's declaration is used: a definition in the prefix links.
    defined = "#include <stdio.h>\nstatic int my_static_fn(void) { return 0; }"
    assert run(t.HasFunction("my_static_fn", prefix=defined)).ok


def test_has_function_stub_and_builtin_cases() -> None:
    assert not run(t.HasFunction("gtty")).ok             # glibc __stub_gtty
    assert run(t.HasFunction("alloca")).ok               # no libc symbol: found as __builtin_alloca
    assert run(t.HasFunction("alloca", prefix="#include <alloca.h>")).ok
    assert run(t.HasFunction("__builtin_expect")).ok


@pytest.mark.skipif(not HAVE_MINGW, reason="x86_64-w64-mingw32-gcc not installed")
def test_windows_link_defaults() -> None:
    mingw = toolchain("x86_64-w64-mingw32-gcc", cross_prefix="x86_64-w64-mingw32-")
    # meson links Windows checks with its default c_winlibs (user32 here).
    box = '#include <windows.h>\nint main(void) { return MessageBoxA(0, "", "", 0); }\n'
    res = run(t.Links(box), mingw)
    assert res.ok and "-luser32" in commands(res)[0]
    assert "-D_FILE_OFFSET_BITS=64" in commands(res)[0]


def test_find_library() -> None:
    m = run(t.FindLibrary("m"))
    assert m.ok and m.value == ("-lm",)
    assert "-Wl,--allow-shlib-undefined" in commands(m)[0]
    missing = run(t.FindLibrary("nosuchlib"))
    assert not missing.ok and missing.value is None
    assert any("--print-search-dirs" in c for c in commands(missing))
    # meson also tries '<name>.so' in the compiler's directories: find_library('libm') finds libm.so.
    libm = run(t.FindLibrary("libm"))
    assert libm.ok and str(libm.value[0]).endswith("/libm.so")       # type: ignore[index]


def test_supported_arguments_gcc() -> None:
    flags = ("-Wshadow=local", "-Wno-psabi", "-Wnon-virtual-dtor", "-Wbogus-flag-xyz", "-Wno-bogus-flag-xyz",
             "-Wno-frame-larger-than", "-Wimplicit-fallthrough=2")
    res = run(t.SupportedArguments(flags))
    assert res.value == ("-Wshadow=local", "-Wno-psabi", "-Wno-frame-larger-than", "-Wimplicit-fallthrough=2")
    assert not res.ok
    cmds = commands(res)
    assert any(c.endswith("-Wbogus-flag-xyz -Wno-bogus-flag-xyz") for c in cmds)      # -Wno-X tested with -WX
    assert any(c.endswith("-Wframe-larger-than=1000 -Wno-frame-larger-than") for c in cmds)
    assert "is valid for C++/ObjC++" in res.log                                    # rejected despite exit 0
    assert run(t.SupportedArguments(())).value == ()


# Flags that must never share a compile: each can make a compile pass that another flag fails alone.
SILENCERS = ("-Wno-unknown-warning-option", "-Wno-everything", "-Wno-error", "-Wno-error=unknown-warning-option",
             "-Wno-unused-command-line-argument", "-Wno-invalid-command-line-argument", "-Wno-implicit", "-Werror")


def compile_count(result: t.CheckResult) -> int:
    return len(commands(result))


@pytest.mark.parametrize("cc", ["gcc", pytest.param("clang", marks=needs_clang)])
def test_batched_flags_answer_like_one_flag_at_a_time(cc: str) -> None:
    from qemu_config.rules import WARNING_FLAGS
    tc = toolchain(cc)
    # QEMU's list alone, then with unsupported flags, flags that are always tested alone and
    # silencers mixed in, so that the first compile fails and the set is split.
    mixed = ("-Wbogus-flag-xyz", *SILENCERS[:4], *OTHER_FLAGS, *WARNING_FLAGS, "-Wno-bogus-flag-xyz", *SILENCERS[4:])
    for flags in (WARNING_FLAGS, mixed):
        alone = run(t.SupportedArguments(flags), tc)
        batched = run(t.SupportedArguments(flags, batched=True), tc)
        assert batched.value == alone.value
        assert batched.ok == alone.ok
        assert compile_count(alone) == len(dict.fromkeys(flags))
        assert compile_count(batched) < compile_count(alone)
        if flags == WARNING_FLAGS:
            assert compile_count(batched) <= 8          # 1 compile of all 28, then the few gcc or clang lacks
    assert any("-Wbogus-flag-xyz" in c and "-Wvla" in c for c in commands(batched))
    for flag in SILENCERS:                                # never in a compile with other flags
        assert any(c.endswith(" " + flag) and "-Wvla" not in c for c in commands(batched)), flag


def test_batched_flags_split_in_halves_when_no_flag_is_named() -> None:
    # gcc's complaint names "-Wformat=", not the flag given: the failing set is halved.
    flags = ("-Wall", "-Wextra", "-Wvla", "-Wformat=abc", "-Wundef", "-Wshadow")
    res = run(t.SupportedArguments(flags, batched=True))
    assert res.value == run(t.SupportedArguments(flags)).value == ("-Wall", "-Wextra", "-Wvla", "-Wundef", "-Wshadow")
    assert any(c.endswith("-Wall -Wextra -Wvla") for c in commands(res))
    assert any(c.endswith("-Wformat=abc -Wundef -Wshadow") for c in commands(res))


# --- identity, keys, mistakes ------------------------------------------------------------------------


def test_compiler_identity_is_memoised_and_describes_the_compiler() -> None:
    first = t.compiler_identity(GCC)
    assert t.compiler_identity(GCC) is first
    real = os.path.realpath(shutil.which("gcc") or "")
    assert first[0] == real and first[1] == str(os.stat(real).st_mtime_ns)
    assert first[3].startswith("gcc")
    assert t.compiler_identity(toolchain("gcc", CFLAGS="-O2")) != first


def test_compiler_identity_of_a_missing_compiler_is_a_user_error() -> None:
    with pytest.raises(UserError, match="not found"):
        t.compiler_identity(toolchain("no-such-cc-xyz"))
    with pytest.raises(UserError, match="either does not exist or does not work"):
        run(t.Links(MAIN), toolchain("no-such-cc-xyz"))


def test_ccache_is_bypassed_like_meson() -> None:
    res = run(t.Links(MAIN), toolchain("ccache gcc"))
    assert commands(res)[0].startswith("gcc ")


def test_key_parts_and_describe() -> None:
    a = t.Links("int main(void){return 0;}", ("-DA",), (), title="GTree node API")
    assert a.describe() == 'link test "GTree node API"'
    assert a.key_parts() == t.Links("int main(void){return 0;}", ("-DA",)).key_parts()
    # Moving a word between args and link_args is a different check.
    assert t.Links("x", ("-la",)).key_parts() != t.Links("x", (), ("-la",)).key_parts()
    assert t.HasFunction("getloadavg").describe() == "has_function getloadavg"
    assert t.HasFunction("getloadavg").kind == "has_function"
    assert all(isinstance(p, str) for p in t.SupportedArguments(("-Wall",)).key_parts())
    assert hash(t.HasHeader("stdio.h", args=["-DX"])) == hash(t.HasHeader("stdio.h", args=("-DX",)))  # type: ignore[arg-type]


@pytest.mark.parametrize("make", [
    lambda: t.Links(MAIN, args="-DFOO"),                 # type: ignore[arg-type]
    lambda: t.HasFunction("not a name"),
    lambda: t.HasHeader("<stdio.h>"),
    lambda: t.FindLibrary("-lm"),
])
def test_declaration_mistakes_are_user_errors(make: Callable[[], object]) -> None:
    with pytest.raises(UserError):
        make()


# --- 3. -Wshadow=local: kept by gcc 12, dropped by clang (as in QEMU) --------------------------------


@needs_clang
def test_wshadow_local_gcc_yes_clang_no() -> None:
    check = t.SupportedArguments(("-Wshadow=local",))
    assert run(check, GCC).value == ("-Wshadow=local",)
    clang = run(check, toolchain("clang"))
    assert clang.value == ()
    assert "-Werror=unknown-warning-option" in commands(clang)[0]


# --- 2. differential test against meson 1.12.1 ------------------------------------------------------

QEMU_WARN_FLAGS = (
    "-Wempty-body", "-Wendif-labels", "-Wexpansion-to-defined", "-Wformat-security", "-Wformat-y2k",
    "-Wignored-qualifiers", "-Wimplicit-fallthrough=2", "-Winit-self", "-Wmissing-format-attribute",
    "-Wmissing-prototypes", "-Wnested-externs", "-Wold-style-declaration", "-Wold-style-definition",
    "-Wredundant-decls", "-Wshadow=local", "-Wstrict-prototypes", "-Wtype-limits", "-Wundef", "-Wvla",
    "-Wwrite-strings", "-Wno-gnu-variable-sized-type-not-at-end", "-Wno-initializer-overrides",
    "-Wno-missing-include-dirs", "-Wno-psabi", "-Wno-shift-negative-value", "-Wno-string-plus-int",
    "-Wno-tautological-type-limit-compare", "-Wno-typedef-redefinition",
)
OTHER_FLAGS = (
    "-Wthread-safety", "-Wbogus-flag-xyz", "-Wno-bogus-flag-xyz", "-fbogus-option-xyz", "-mno-such-thing",
    "-Wnon-virtual-dtor", "-Wctor-dtor-privacy", "-Wold-style-cast", "-fno-rtti", "-std=c++17",
    "-Wno-frame-larger-than", "-Wno-attributes=foo::bar", "-Wl,--as-needed", "-fstack-protector-strong",
    "-ftrivial-auto-var-init=zero", "-fzero-call-used-regs=used-gpr", "-mcx16", "-msse4.2", "-fno-pie",
    "-no-pie", "-std=gnu11", "-pthread",
)

DIFF_CHECKS: tuple[t.Check, ...] = (
    t.Links(MAIN),
    t.Links("extern int nosuch_symbol_xyz(void);\nint main(void) { return nosuch_symbol_xyz(); }\n"),
    t.Links("#include <math.h>\nint main(int argc, char **argv) { (void)argv; return (int)cos((double)argc); }\n"),
    t.Links("#include <math.h>\nint main(int argc, char **argv) { (void)argv; return (int)cos((double)argc); }\n",
            ("-lm",)),
    t.Links(MAIN, ("-Wbogus-flag-xyz",)),                # clang only warns when linking
    t.Links("int main(void) { return undeclared_function_xyz(); }\n"),
    t.HasHeader("stdio.h"),
    t.HasHeader("sys/mman.h"),
    t.HasHeader("linux/kvm.h"),
    t.HasHeader("nosuch/header.h"),
    t.HasHeader("nosuch.h", prefix="#include <stdio.h>"),
    t.HasFunction("getloadavg"),
    t.HasFunction("getloadavg", prefix="#include <stdlib.h>"),
    t.HasFunction("nosuch_function_xyz"),
    t.HasFunction("nosuch_function_xyz", prefix="#include <stdlib.h>"),
    t.HasFunction("my_only_declared", prefix="int my_only_declared(void);"),
    t.HasFunction("my_static_fn", prefix="#include <stdio.h>\nstatic int my_static_fn(void) { return 0; }"),
    t.HasFunction("alloca"),
    t.HasFunction("alloca", prefix="#include <alloca.h>"),
    t.HasFunction("gtty"),
    t.HasFunction("revoke"),
    t.HasFunction("memcpy"),
    t.HasFunction("memcpy", prefix="#include <string.h>"),
    t.HasFunction("strlcat"),
    t.HasFunction("clock_gettime", prefix="#include <time.h>"),
    t.HasFunction("__builtin_expect"),
    t.HasFunction("__builtin_unreachable", prefix="#include <stddef.h>"),
    t.HasFunction("cos", args=("-DUNUSED",), link_args=("-lm",)),
    t.FindLibrary("m"),
    t.FindLibrary("nosuchlib"),
    t.FindLibrary("pthread"),
    t.FindLibrary("dl"),
    t.FindLibrary("rt"),
    t.FindLibrary("c"),
    t.FindLibrary("libm"),
    t.FindLibrary("z"),
    t.SupportedArguments(QEMU_WARN_FLAGS + OTHER_FLAGS, batched=True),   # fewer compiles, meson's answer
    t.SupportedArguments(QEMU_WARN_FLAGS + OTHER_FLAGS),
)


def _meson_str(text: str) -> str:
    """A meson string literal; multi-line strings (no escape processing) for anything with quotes or newlines."""
    if "\n" in text or "'" in text:
        assert "'''" not in text
        return f"'''{text}'''"
    return "'" + text.replace("\\", "\\\\") + "'"


def _meson_list(items: tuple[str, ...]) -> str:
    return "[" + ", ".join(_meson_str(i) for i in items) + "]"


def _meson_expression(check: t.Check) -> str:
    """The meson 1.12.1 call equivalent to ``check``, evaluating to a one-line string."""
    if isinstance(check, t.Links):
        args = _meson_list(check.args + check.link_args)
        return f"cc.links({_meson_str(check.source)}, args: {args}).to_string()"
    if isinstance(check, t.HasHeader):
        return (f"cc.has_header({_meson_str(check.header)}, prefix: {_meson_str(check.prefix)}, "
                f"args: {_meson_list(check.args)}).to_string()")
    if isinstance(check, t.HasFunction):
        return (f"cc.has_function({_meson_str(check.name)}, prefix: {_meson_str(check.prefix)}, "
                f"args: {_meson_list(check.args + check.link_args)}).to_string()")
    if isinstance(check, t.FindLibrary):
        return f"cc.find_library({_meson_str(check.name)}, required: false).found().to_string()"
    if isinstance(check, t.SupportedArguments):
        return f"' '.join(cc.get_supported_arguments({_meson_list(check.flags)}))"
    raise TypeError(check)


def _our_answer(check: t.Check, res: t.CheckResult) -> str:
    if isinstance(check, t.SupportedArguments):
        return " ".join(res.value)                                   # type: ignore[arg-type]
    return "true" if res.ok else "false"


def _meson_build(checks: tuple[t.Check, ...]) -> str:
    lines = ["project('qemu-config-difftest', 'c')", "cc = meson.get_compiler('c')"]
    for index, check in enumerate(checks):
        lines.append(f"message('QCDIFF {index} ' + {_meson_expression(check)})")
    return "\n".join(lines) + "\n"


def _meson_command() -> list[str]:
    candidates = [Path(sys.executable).parent / "meson", Path(shutil.which("meson") or "/nonexistent")]
    for meson in candidates:
        if meson.is_file():
            version = subprocess.run([str(meson), "--version"], capture_output=True, text=True).stdout.strip()
            if version == "1.12.1":
                return [str(meson)]
    pytest.skip("meson 1.12.1 not found next to the test interpreter or on PATH")


def _normalise_command(cmd: str) -> str:
    return re.sub(r"\S*/(testfile\.c|output\.(?:exe|obj))\b", r"\1", cmd)


@pytest.mark.slow
@pytest.mark.parametrize("cc", ["gcc", pytest.param("clang", marks=needs_clang)])
def test_checks_answer_like_meson(cc: str, tmp_path: Path) -> None:
    meson = _meson_command()
    src = tmp_path / "src"
    src.mkdir()
    (src / "meson.build").write_text(_meson_build(DIFF_CHECKS), encoding="utf-8")
    env = {k: v for k, v in tool_env().items() if k not in RECORDED_ENVIRONMENT or k == "PATH"}
    env["CC"] = cc
    tc = toolchain(cc)

    def meson_setup() -> subprocess.CompletedProcess[str]:
        return subprocess.run([*meson, "setup", str(tmp_path / "build"), str(src)], capture_output=True,
                              text=True, env=env, timeout=900)

    with ThreadPoolExecutor(max_workers=(os.cpu_count() or 2) + 1) as pool:
        meson_job = pool.submit(meson_setup)
        ours = list(pool.map(lambda check: run(check, tc), DIFF_CHECKS))
        proc = meson_job.result()
    assert proc.returncode == 0, proc.stdout + proc.stderr

    theirs: dict[int, str] = {}
    for line in proc.stdout.splitlines():
        if line.startswith("Message: QCDIFF "):
            index, _, answer = line[len("Message: QCDIFF "):].partition(" ")
            theirs[int(index)] = answer
    assert len(theirs) == len(DIFF_CHECKS)
    mismatches = [f"{check.describe()} [{', '.join(check.key_parts()[2:])}]: meson {theirs[i]!r}, "
                  f"ours {_our_answer(check, res)!r}"
                  for i, (check, res) in enumerate(zip(DIFF_CHECKS, ours))
                  if theirs[i] != _our_answer(check, res)]
    assert not mismatches, "\n".join(mismatches)

    # The command lines themselves: every compiler command we ran, meson ran too (but the
    # batched flag test's compiles of several flags at once, which are ours alone).
    log = (tmp_path / "build" / "meson-logs" / "meson-log.txt").read_text(encoding="utf-8", errors="replace")
    meson_cmds = {_normalise_command(m) for m in re.findall(r"^Command line: `(.*)` -> -?\d+$", log, re.M)}
    our_cmds = {_normalise_command(c) for check, res in zip(DIFF_CHECKS, ours) for c in commands(res)
                if c.startswith(cc + " ") and not getattr(check, "batched", False)}
    assert our_cmds - meson_cmds == set()

    # QEMU's -Wshadow=local: kept by GCC, dropped by clang.
    flags = theirs[len(DIFF_CHECKS) - 1].split()
    assert ("-Wshadow=local" in flags) == (cc == "gcc")
