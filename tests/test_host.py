"""host.py: the host model comes from the compiler's macros, never from the Python running the engine."""

from __future__ import annotations

import shutil

import pytest

from e2e import require_cross
from qemu_config.errors import UserError
from qemu_config.host import detect_host, host_from_macros
from qemu_config.toolchain import parse_macros

LINUX_X86 = {"__linux__": "1", "__x86_64__": "1", "__BYTE_ORDER__": "__ORDER_LITTLE_ENDIAN__",
             "__ORDER_LITTLE_ENDIAN__": "1234", "__ORDER_BIG_ENDIAN__": "4321", "__SIZEOF_POINTER__": "8"}


def test_parse_macros_reads_object_and_function_like_macros() -> None:
    text = "#define __linux__ 1\n#define __GNUC__ 12\n#define __has_include(x) 1\n#define EMPTY\n"
    assert parse_macros(text) == {"__linux__": "1", "__GNUC__": "12", "__has_include": "1", "EMPTY": ""}


@pytest.mark.parametrize("macros,os_name", [
    ({"__linux__": "1"}, "linux"),
    ({"_WIN32": "1"}, "windows"),
    ({"__APPLE__": "1"}, "darwin"),
    ({"__NetBSD__": "1"}, "netbsd"),
    ({"__FreeBSD__": "1"}, "freebsd"),
    ({"__FreeBSD_kernel__": "1", "__GLIBC__": "2"}, "gnu/kfreebsd"),
    ({"__OpenBSD__": "1"}, "openbsd"),
    ({"__sun__": "1"}, "sunos"),
    ({"__linux__": "1", "_WIN32": "1"}, "linux"),  # first match wins
])
def test_host_os_first_match_wins(macros: dict[str, str], os_name: str) -> None:
    host = host_from_macros({**macros, "__x86_64__": "1", "__SIZEOF_POINTER__": "8"})
    assert host.os == os_name


def test_kfreebsd_needs_glibc_too() -> None:
    with pytest.raises(UserError, match="Unrecognized host OS"):
        host_from_macros({"__FreeBSD_kernel__": "1", "__x86_64__": "1"})


@pytest.mark.parametrize("macros,cpu,family,arch,endian", [
    ({"__x86_64__": "1"}, "x86_64", "x86_64", "x86_64", "little"),
    ({"__x86_64__": "1", "__ILP32__": "1"}, "x86_64", "x86_64", "x86_64", "little"),
    ({"__aarch64__": "1"}, "aarch64", "aarch64", "aarch64", "little"),
    ({"_ARCH_PPC64": "1", "__BYTE_ORDER__": "4321", "__ORDER_BIG_ENDIAN__": "4321"}, "ppc64", "ppc64", "ppc64", "big"),
    ({"_ARCH_PPC64": "1", "_LITTLE_ENDIAN": "1"}, "ppc64", "ppc64", "ppc64", "little"),
    ({"__s390__": "1", "__s390x__": "1", "__BYTE_ORDER__": "4321", "__ORDER_BIG_ENDIAN__": "4321"},
     "s390x", "s390x", "s390x", "big"),
    ({"__riscv": "1", "_LP64": "1"}, "riscv64", "riscv64", "riscv64", "little"),
    ({"__loongarch64": "1"}, "loongarch64", "loongarch64", "loongarch64", "little"),
    ({"__sparc__": "1"}, "sparc", "sparc", "unknown", "little"),
])
def test_cpu_table(macros: dict[str, str], cpu: str, family: str, arch: str, endian: str) -> None:
    host = host_from_macros({"__linux__": "1", **macros})
    assert (host.cpu, host.cpu_family, host.host_arch, host.endian) == (cpu, family, arch, endian)


def test_x32_and_ppc64le_cpu_cflags() -> None:
    assert host_from_macros({"__linux__": "1", "__x86_64__": "1", "__ILP32__": "1"}).cpu_cflags == ("-mx32",)
    le = host_from_macros({"__linux__": "1", "_ARCH_PPC64": "1", "_LITTLE_ENDIAN": "1"})
    assert le.cpu_cflags == ("-m64", "-mlittle-endian")


def test_cpu_override_and_aliases() -> None:
    assert host_from_macros(LINUX_X86, cpu_override="amd64").cpu == "x86_64"
    assert host_from_macros(LINUX_X86, cpu_override="aarch64").cpu == "aarch64"
    with pytest.raises(UserError, match="unknown CPU 'vax'"):
        host_from_macros(LINUX_X86, cpu_override="vax")


def test_unknown_cpu_is_an_error_naming_the_way_out() -> None:
    with pytest.raises(UserError) as exc:
        host_from_macros({"__linux__": "1"})
    assert "--cpu" in exc.value.render()


def test_native_compiler() -> None:
    host = detect_host(["cc"])
    assert host.os == "linux" and host.pointer_size == 8
    assert host.endian in ("little", "big")


def test_missing_compiler_is_one_error() -> None:
    with pytest.raises(UserError, match='C compiler "no-such-cc-xyz" either does not exist'):
        detect_host(["no-such-cc-xyz"])


def test_real_aarch64_cross_compiler() -> None:
    require_cross(shutil.which("aarch64-linux-gnu-gcc") is not None, "gcc-aarch64-linux-gnu not installed")
    host = detect_host(["aarch64-linux-gnu-gcc"])
    assert (host.os, host.cpu, host.cpu_family, host.endian) == ("linux", "aarch64", "aarch64", "little")


def test_real_mingw_cross_compiler() -> None:
    require_cross(shutil.which("x86_64-w64-mingw32-gcc") is not None, "gcc-mingw-w64-x86-64 not installed")
    host = detect_host(["x86_64-w64-mingw32-gcc"])
    assert (host.os, host.cpu, host.is_posix, host.exe_suffix, host.dso_suffix) == (
        "windows", "x86_64", False, ".exe", ".dll")


def test_failing_compiler_says_why_in_its_own_words() -> None:
    with pytest.raises(UserError) as exc:
        detect_host(["cc"], ["-include", "/nonexistent/qemu-config-test.h"])
    details = exc.value.render()
    assert "either does not exist or does not work" in details and "qemu-config-test.h" in details
    assert "search list" not in details            # the -v output of the macros run is not shown
