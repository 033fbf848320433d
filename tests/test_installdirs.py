"""installdirs.py: meson's path joining and QEMU's derived directories."""

from __future__ import annotations

from qemu_config.installdirs import join, resolve_install_dirs

DEFAULTS = {"prefix": "/usr/local", "bindir": "bin", "datadir": "share", "includedir": "include",
            "libdir": "lib/x86_64-linux-gnu", "libexecdir": "libexec", "localedir": "share/locale",
            "localstatedir": "/var/local", "mandir": "share/man", "sysconfdir": "etc",
            "qemu_suffix": "qemu", "docdir": "share/doc", "qemu_firmwarepath": ("share/qemu-firmware", "/opt/fw")}


def test_join_absolute_right_side_wins() -> None:
    assert join("/usr/local", "bin") == "/usr/local/bin"
    assert join("/usr/local", "/var/local") == "/var/local"
    assert join("/usr/local", "") == "/usr/local"


def test_config_host_symbols() -> None:
    dirs = resolve_install_dirs(DEFAULTS)
    sym = dirs.symbols()
    assert sym["CONFIG_PREFIX"] == "/usr/local"
    assert sym["CONFIG_BINDIR"] == "/usr/local/bin"
    assert sym["CONFIG_QEMU_DATADIR"] == "/usr/local/share/qemu"
    assert sym["CONFIG_QEMU_MODDIR"] == "/usr/local/lib/x86_64-linux-gnu/qemu"
    assert sym["CONFIG_QEMU_CONFDIR"] == "/usr/local/etc/qemu"
    assert sym["CONFIG_QEMU_LOCALSTATEDIR"] == "/var/local"
    assert sym["CONFIG_QEMU_DESKTOPDIR"] == "/usr/local/share/applications"
    assert dirs.firmware_list() == ("/usr/local/share/qemu-firmware", "/opt/fw")


def test_empty_suffix_and_bindir_as_on_windows() -> None:
    dirs = resolve_install_dirs({**DEFAULTS, "qemu_suffix": "", "bindir": ""})
    assert dirs.symbols()["CONFIG_QEMU_DATADIR"] == "/usr/local/share"
    assert dirs.symbols()["CONFIG_BINDIR"] == "/usr/local"
    assert dirs.relocatable_possible()


def test_relocatable_needs_bindir_inside_prefix() -> None:
    assert resolve_install_dirs(DEFAULTS).relocatable_possible()
    assert not resolve_install_dirs({**DEFAULTS, "bindir": "/opt/bin"}).relocatable_possible()
    assert not resolve_install_dirs({**DEFAULTS, "prefix": "/usr", "bindir": "/usrbin"}).relocatable_possible()
