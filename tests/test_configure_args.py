"""qemu_config.options, the configure half: argv -> ConfigureRequest (QEMU's spellings,
configure's own options, their implications), resolve_values, and ./configure --help.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from qemu_config import options
from qemu_config.options import arguments
from qemu_config.errors import UsageError
from qemu_config.options import ConfigureRequest, parse_configure_args, resolve_values
from recorded import shown_builtins

REPO = Path(__file__).resolve().parent.parent
# QEMU's own option declarations that these tests need (names, types, choices, defaults), kept as
# the project's test data: the tests run in any clone.
QEMU_OPTIONS = Path(__file__).parent / "data" / "qemu-options" / "meson_options.txt"


@pytest.fixture(scope="module")
def qemu() -> options.OptionTable:
    return options.load_option_table(QEMU_OPTIONS)


@pytest.fixture(scope="module")
def project() -> options.OptionTable:
    return options.load_option_table(REPO)


@pytest.fixture(scope="module")
def builtins(meson_builtins: tuple[options.MesonOption, ...]) -> tuple[options.MesonOption, ...]:
    return meson_builtins


@pytest.fixture(scope="module")
def shown(builtins: tuple[options.MesonOption, ...]) -> tuple[options.MesonOption, ...]:
    return shown_builtins(builtins)


def table_of(text: str) -> options.OptionTable:
    return options.parse_option_text(textwrap.dedent(text), "t.txt")


def parse(argv: list[str], table: options.OptionTable, builtins: tuple[options.MesonOption, ...], **kw: object) \
        -> ConfigureRequest:
    return parse_configure_args(argv, table, builtins, **kw)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------
# the acceptance cases
# ---------------------------------------------------------------------------

def test_unknown_option_names_it_suggests_and_points_to_help(qemu, builtins) -> None:
    with pytest.raises(UsageError) as info:
        parse(["--enable-kvm", "--enable-bogus"], qemu, builtins)
    err = info.value
    assert err.message == "unknown option --enable-bogus"
    assert err.details == ("Did you mean --enable-bochs?", "Try './configure --help' for more information")
    assert err.exit_code == 1
    assert err.render().startswith("ERROR: unknown option --enable-bogus\n       Did you mean")


def test_unknown_option_without_a_close_spelling(qemu, builtins) -> None:
    with pytest.raises(UsageError) as info:
        parse(["--qqqqqqqqqqqqqqqq"], qemu, builtins, argv0="../configure")
    assert info.value.details == ("Try '../configure --help' for more information",)


def test_enable_malloc_needs_a_value(qemu, builtins) -> None:
    with pytest.raises(UsageError) as info:
        parse(["--enable-malloc"], qemu, builtins)
    assert info.value.message == "unknown option --enable-malloc"
    assert "Did you mean --enable-malloc=CHOICE?" in info.value.details
    assert parse(["--enable-malloc=jemalloc"], qemu, builtins).assignments == (("malloc", "jemalloc"),)
    assert parse(["--enable-malloc-trim"], qemu, builtins).assignments == (("malloc_trim", "enabled"),)


def test_firmwarepath_is_a_path_list(qemu, builtins) -> None:
    request = parse(["--firmwarepath=/a:/b"], qemu, builtins)
    assert request.assignments == (("qemu_firmwarepath", '["""/a""","""/b""",]'),)
    assert resolve_values(qemu, builtins, request)["qemu_firmwarepath"] == ("/a", "/b")


@pytest.mark.parametrize("arg,windows,expected", [
    ("/a:/b", False, ("/a", "/b")),
    ("/only", False, ("/only",)),
    ("", False, ()),
    ("/a:", False, ("/a",)),
    ("/a::/b", False, ("/a", "", "/b")),
    (":/a", False, ("", "/a")),
    ("/with space/x:/y", False, ("/with space/x", "/y")),
    ('/q"uo\\te:/b', False, ('/q"uo\\te', "/b")),
    ("/it's", False, ("/it's",)),
    ("C:\\fw;D:\\x", True, ("C:\\fw", "D:\\x")),
    ("C:\\fw", True, ("C:\\fw",)),
])
def test_path_list_round_trips_through_meson_literal(qemu, builtins, arg: str, windows: bool,
                                                    expected: tuple[str, ...]) -> None:
    request = parse([f"--firmwarepath={arg}"], qemu, builtins, windows_host=windows)
    literal = request.assigned("qemu_firmwarepath")
    assert literal is not None and literal.startswith("[")
    assert tuple(ast.literal_eval(literal)) == expected  # what meson makes of it
    assert resolve_values(qemu, builtins, request)["qemu_firmwarepath"] == expected


def test_enable_fdt_with_and_without_choice(qemu, builtins) -> None:
    assert parse(["--enable-fdt=internal"], qemu, builtins).assignments == (("fdt", "internal"),)
    assert parse(["--enable-fdt"], qemu, builtins).assignments == (("fdt", "enabled"),)
    assert parse(["--disable-fdt"], qemu, builtins).assignments == (("fdt", "disabled"),)
    request = parse(["--enable-fdt=internal"], qemu, builtins)
    assert resolve_values(qemu, builtins, request)["fdt"] == "internal"
    with pytest.raises(UsageError, match='Value "bogus" .* for option "fdt" is not one of the choices'):
        resolve_values(qemu, builtins, parse(["--enable-fdt=bogus"], qemu, builtins))


def test_with_suffix_may_be_empty(qemu, builtins) -> None:
    request = parse(["--with-suffix="], qemu, builtins)
    assert request.assignments == (("qemu_suffix", ""),)
    assert resolve_values(qemu, builtins, request)["qemu_suffix"] == ""


def test_prefix_is_kept_verbatim(qemu, builtins) -> None:
    request = parse(["--prefix=/opt/it's"], qemu, builtins)
    assert request.assignments == (("prefix", "/opt/it's"),)
    assert resolve_values(qemu, builtins, request)["prefix"] == "/opt/it's"


def test_d_passthrough_in_command_line_order(qemu, builtins) -> None:
    request = parse(["-Dkvm=disabled", "--enable-kvm", "-Dtls_priority=A=B", "-Dsub:opt=x"], qemu, builtins)
    assert request.assignments == (("kvm", "disabled"), ("kvm", "enabled"), ("tls_priority", "A=B"),
                                   ("sub:opt", "x"))
    values = resolve_values(qemu, builtins, request)
    assert values["kvm"] == "enabled" and values["tls_priority"] == "A=B"
    assert values.passthrough == (("sub:opt", "x"),)
    for bad in ("-D", "-Dfoo", "-D=x"):
        with pytest.raises(UsageError, match="OPTION=VALUE"):
            parse([bad], qemu, builtins)


def test_enable_debug_expansion(qemu, builtins) -> None:
    request = parse(["--enable-debug"], qemu, builtins)
    assert request.debug
    assert request.assignments == (("debug_tcg", "true"), ("debug_graph_lock", "true"), ("debug_mutex", "true"),
                                   ("optimization", "0"))
    values = resolve_values(qemu, builtins, request)
    assert (values["debug_tcg"], values["debug_graph_lock"], values["debug_mutex"], values["optimization"]) == \
        (True, True, True, "0")


def test_enable_debug_only_sets_options_that_exist() -> None:
    table = table_of("option('debug_tcg', type: 'boolean', value: false)\n")
    request = parse_configure_args(["--enable-debug"], table, ())
    assert request.assignments == (("debug_tcg", "true"), ("optimization", "0"))


# ---------------------------------------------------------------------------
# QEMU's generated spellings
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("arg,assignment", [
    ("--enable-kvm", ("kvm", "enabled")),
    ("--disable-kvm", ("kvm", "disabled")),
    ("--disable-werror", ("werror", "false")),
    ("--enable-werror", ("werror", "true")),
    ("--enable-gcov", ("b_coverage", "true")),
    ("--enable-lto", ("b_lto", "true")),
    ("--disable-debug-info", ("debug", "false")),
    ("--enable-strip", ("strip", "true")),
    ("--with-coroutine=ucontext", ("coroutine_backend", "ucontext")),
    ("--enable-trace-backends=log,simple", ("trace_backends", "log,simple")),
    ("--enable-vhost-user-blk-server", ("vhost_user_blk_server", "enabled")),
    ("--with-pkgversion=-x y", ("pkgversion", "-x y")),
    ("--with-trace-file=t", ("trace_file", "t")),
    ("--x86-version=3", ("x86_version", "3")),
    ("--audio-drv-list=pa,alsa", ("audio_drv_list", "pa,alsa")),
    ("--enable-plugins", ("plugins", "true")),
    ("--disable-plugins", ("plugins", "false")),
    ("--disable-relocatable", ("relocatable", "false")),
    ("--enable-relocatable", ("relocatable", "true")),
    ("--libdir=lib64", ("libdir", "lib64")),
    ("--interp-prefix=/x=y", ("interp_prefix", "/x=y")),
    ("--enable-docs", ("docs", "enabled")),
    ("--disable-tcg", ("tcg", "disabled")),
])
def test_spelling_to_assignment(qemu, builtins, arg: str, assignment: tuple[str, str]) -> None:
    assert parse([arg], qemu, builtins).assignments == (assignment,)
    resolve_values(qemu, builtins, parse([arg], qemu, builtins))  # and meson would accept the value


@pytest.mark.parametrize("arg", [
    "--enable-kvm=yes", "--enable-gcov=true", "--prefix", "--with-coroutine", "--enable-with-coroutine=auto",
    "--disable-malloc", "--enable-trace-backends", "--default-devices", "--fuzzing-engine=x",
    "--enable-fuzzing-engine", "--disable-debug", "--enable-optimization", "--optimization=2", "--cc",
    "--with-devices", "--kvm", "--enable-x86-version", "--enable-qemu-firmwarepath=/a", "--enable_kvm",
])
def test_not_a_spelling(qemu, builtins, arg: str) -> None:
    with pytest.raises(UsageError, match=f"^unknown option {re.escape(arg)}$"):
        parse([arg], qemu, builtins)


def test_suggestions_keep_the_users_value(qemu, builtins) -> None:
    with pytest.raises(UsageError) as info:
        parse(["--prefx=/usr"], qemu, builtins)
    assert "Did you mean --prefix=/usr?" in info.value.details
    with pytest.raises(UsageError) as info:
        parse(["--enable-kvm=yes"], qemu, builtins)
    assert "Did you mean --enable-kvm?" in info.value.details
    with pytest.raises(UsageError) as info:
        parse(["--prefix"], qemu, builtins)
    assert "Did you mean --prefix=VALUE?" in info.value.details
    with pytest.raises(UsageError) as info:
        parse(["--target-lists=x86_64-softmmu"], qemu, builtins)
    assert "Did you mean --target-list=x86_64-softmmu?" in info.value.details
    with pytest.raises(UsageError) as info:
        parse(["--enable-fd=internal"], qemu, builtins)  # the value form, since a value was given
    assert "Did you mean --enable-fdt=internal?" in info.value.details
    with pytest.raises(UsageError) as info:
        parse(["--enable-fd"], qemu, builtins)
    assert "Did you mean --enable-fdt?" in info.value.details
    with pytest.raises(UsageError) as info:
        parse(["--disable-linux-usr"], qemu, builtins)
    assert "Did you mean --disable-linux-user?" in info.value.details


def test_spellings_listing(qemu, shown) -> None:
    assert options.spellings(qemu["kvm"]) == ("--enable-kvm", "--disable-kvm", "-Dkvm=VALUE")
    assert options.spellings(qemu["fdt"]) == ("--enable-fdt", "--disable-fdt", "--enable-fdt=CHOICE", "-Dfdt=VALUE")
    assert options.spellings(qemu["malloc"]) == ("--enable-malloc=CHOICE", "-Dmalloc=VALUE")
    assert options.spellings(qemu["qemu_firmwarepath"]) == ("--firmwarepath=VALUES", "-Dqemu_firmwarepath=VALUE")
    assert options.spellings(qemu["trace_backends"])[0] == "--enable-trace-backends=CHOICES"
    assert options.spellings(qemu["relocatable"])[:2] == ("--enable-relocatable", "--disable-relocatable")
    assert options.spellings(qemu["default_devices"]) == (
        "--with-default-devices", "--without-default-devices", "-Ddefault_devices=VALUE")
    assert options.spellings(qemu["fuzzing_engine"]) == ("-Dfuzzing_engine=VALUE",)
    debug = next(o for o in shown if o.name == "debug")
    assert options.spellings(debug)[:2] == ("--enable-debug-info", "--disable-debug-info")


def test_every_listed_spelling_is_accepted(qemu, builtins, shown) -> None:
    """Each spelling shown for an option parses to an assignment of that option."""
    for opt in (*qemu, *shown):
        for spelling in options.spellings(opt):
            arg = spelling.replace("VALUES", "x").replace("VALUE", "x")
            arg = arg.replace("=CHOICES", "=" + (opt.choices or ("x",))[0])
            arg = arg.replace("=CHOICE", "=" + (opt.choices or ("x",))[0])
            request = parse([arg], qemu, builtins)
            if arg.startswith("--with-default-devices") or arg.startswith("--without-default-devices"):
                assert request.assigned("default_devices") in ("true", "false")
            elif opt.name in options.CONFIGURE_HELP and not arg.startswith("-D"):
                # --gdb: configure's own (QEMU checks the gdb before passing -Dgdb)
                assert getattr(request, opt.name) == "x"
            else:
                assert request.assigned(opt.name) is not None, spelling


def test_generic_spelling_rules() -> None:
    table = table_of("""\
        option('only_enabled', type: 'combo', choices: ['enabled', 'foo'])
        option('only_disabled', type: 'combo', choices: ['disabled', 'foo'])
        option('feature_like', type: 'combo', choices: ['enabled', 'disabled'])
        option('plain', type: 'combo', choices: ['x', 'y'])
        option('num', type: 'integer', value: 3)
        option('on', type: 'boolean')
        option('list', type: 'array', choices: ['a', 'b'])
        option('paths', type: 'array')
        """)
    sp = {o.name: options.spellings(o)[:-1] for o in table}
    assert sp == {
        "only_enabled": ("--enable-only-enabled", "--enable-only-enabled=CHOICE"),
        "only_disabled": ("--disable-only-disabled", "--enable-only-disabled=CHOICE"),
        "feature_like": ("--enable-feature-like", "--disable-feature-like"),
        "plain": ("--plain=CHOICE",),
        "num": ("--num=CHOICE",),
        "on": ("--enable-on", "--disable-on"),
        "list": ("--list=CHOICES",),
        "paths": ("--paths=VALUES",),
    }
    request = parse_configure_args(["--num=7", "--list=a,b", "--paths=/x:/y", "--enable-only-disabled=foo"],
                                   table, ())
    values = resolve_values(table, (), request)
    assert (values["num"], values["list"], values["paths"], values["only_disabled"]) == \
        (7, ("a", "b"), ("/x", "/y"), "foo")


def test_first_option_in_name_order_wins_a_shared_spelling() -> None:
    table = table_of("option('foo_bar', type: 'feature')\noption('foo-bar', type: 'feature')\n")
    assert parse_configure_args(["--enable-foo-bar"], table, ()).assignments == (("foo-bar", "enabled"),)


def test_configure_s_own_options_win_over_the_table() -> None:
    table = table_of("option('cpu', type: 'string')\noption('static', type: 'boolean', value: false)\n"
                     "option('system', type: 'feature')\n")
    request = parse_configure_args(["--cpu=arm", "--static", "--disable-system"], table, ())
    assert (request.cpu, request.static, request.system) == ("arm", True, "disabled")
    assert request.assignments == (("prefer_static", "true"),)


def test_builtins_are_loaded_only_when_needed(qemu, monkeypatch: pytest.MonkeyPatch, shown) -> None:
    def refuse(**kwargs: object) -> tuple[options.MesonOption, ...]:
        raise AssertionError("builtins loaded")

    monkeypatch.setattr(arguments, "builtin_options", refuse)
    request = parse_configure_args(["--enable-kvm", "--cc=gcc", "-Dx=y", "--version"], qemu)
    assert request.assignments == (("kvm", "enabled"), ("x", "y")) and request.show_version
    with pytest.raises(AssertionError, match="builtins loaded"):
        parse_configure_args(["--prefix=/x"], qemu)
    monkeypatch.setattr(arguments, "builtin_options", lambda **kw: shown)
    assert parse_configure_args(["--prefix=/x"], qemu).assignments == (("prefix", "/x"),)


# ---------------------------------------------------------------------------
# configure's own options
# ---------------------------------------------------------------------------

def test_defaults(qemu, builtins) -> None:
    r = parse([], qemu, builtins)
    assert r == ConfigureRequest()
    assert (r.target_list, r.target_list_exclude, r.default_features, r.default_devices, r.download) == \
        (None, (), True, True, True)
    assert (r.system, r.user, r.linux_user, r.bsd_user, r.pie) == ("auto",) * 5
    with pytest.raises(AttributeError):
        r.cc = "x"  # type: ignore[misc]


def test_tool_and_value_options(qemu, builtins) -> None:
    r = parse(["--cross-prefix=aarch64-linux-gnu-", "--cc=clang", "--cxx=clang++", "--objcc=clang",
               "--host-cc=gcc", "--cpu=aarch64", "--python=/usr/bin/python3", "--ninja=samu",
               "--gdb=/usr/bin/gdb-multiarch"], qemu, builtins)
    assert (r.cross_prefix, r.cc, r.cxx, r.objcc, r.host_cc, r.cpu, r.python, r.ninja, r.gdb) == (
        "aarch64-linux-gnu-", "clang", "clang++", "clang", "gcc", "aarch64", "/usr/bin/python3", "samu",
        "/usr/bin/gdb-multiarch")
    assert r.assignments == ()  # --gdb is configure's: it passes -Dgdb only after checking gdb
    assert parse(["--cross-prefix="], qemu, builtins).cross_prefix == ""


def test_extra_flags(qemu, builtins) -> None:
    r = parse(["--extra-cflags=-DFOO=1  -O2", "--extra-cflags=-g", "--extra-cxxflags=-fno-rtti",
               "--extra-objcflags=-fobjc-arc", "--extra-ldflags=-Wl,-O1 -lm"], qemu, builtins)
    assert r.extra_cflags == ("-DFOO=1", "-O2", "-g")
    assert r.extra_cxxflags == ("-DFOO=1", "-O2", "-g", "-fno-rtti")
    assert r.extra_objcflags == ("-DFOO=1", "-O2", "-g", "-fobjc-arc")
    assert r.extra_ldflags == ("-Wl,-O1", "-lm")
    assert parse(["--extra-cflags="], qemu, builtins).extra_cflags == ()


def test_target_lists(qemu, builtins) -> None:
    assert parse([], qemu, builtins).target_list is None
    assert parse(["--target-list="], qemu, builtins).target_list == ()
    assert parse(["--target-list=a-softmmu,b-softmmu c-linux-user,,"], qemu, builtins).target_list == (
        "a-softmmu", "b-softmmu", "c-linux-user")
    assert parse(["--target-list=a", "--target-list=b"], qemu, builtins).target_list == ("b",)
    assert parse(["--target-list-exclude=x,y"], qemu, builtins).target_list_exclude == ("x", "y")


def test_target_list_mixing_is_refused_in_both_orders(qemu, builtins) -> None:
    with pytest.raises(UsageError, match="^Can't mix --target-list-exclude with --target-list$"):
        parse(["--target-list=x86_64-softmmu", "--target-list-exclude=arm-softmmu"], qemu, builtins)
    with pytest.raises(UsageError, match="^Can't mix --target-list with --target-list-exclude$"):
        parse(["--target-list-exclude=arm-softmmu", "--target-list=x86_64-softmmu"], qemu, builtins)
    # QEMU tests the earlier value for emptiness: an empty one does not conflict
    r = parse(["--target-list=", "--target-list-exclude=arm-softmmu"], qemu, builtins)
    assert (r.target_list, r.target_list_exclude) == ((), ("arm-softmmu",))
    r = parse(["--target-list-exclude=", "--target-list=x86_64-softmmu"], qemu, builtins)
    assert (r.target_list, r.target_list_exclude) == (("x86_64-softmmu",), ())


def test_with_devices(qemu, builtins) -> None:
    r = parse(["--with-devices-aarch64=minimal", "--with-devices-x86_64-x=my-set"], qemu, builtins)
    assert r.devices == (("aarch64", "minimal"), ("x86_64-x", "my-set"))
    for bad in ("--with-devices-foo.bar=x", "--with-devices-=x", "--with-devices-a/b=x"):
        with pytest.raises(UsageError, match="^Passed bad --with-devices-FOO option$"):
            parse([bad], qemu, builtins)
    with pytest.raises(UsageError, match="NAME"):
        parse(["--with-devices-aarch64"], qemu, builtins)


def test_implied_assignments(qemu, builtins) -> None:
    r = parse(["--static", "--without-default-features", "--disable-download", "--without-default-devices"],
              qemu, builtins)
    assert (r.static, r.default_features, r.download, r.default_devices) == (True, False, False, False)
    assert r.assignments == (("prefer_static", "true"), ("auto_features", "disabled"),
                             ("wrap_mode", "nodownload"), ("default_devices", "false"))
    assert parse(["--with-default-devices"], qemu, builtins).assignments == (("default_devices", "true"),)
    without = table_of("option('kvm', type: 'feature')\n")  # no default_devices option
    r = parse(["--without-default-devices", "--enable-download"], without, builtins)
    assert r.default_devices is False and r.download is True and r.assignments == ()


def test_configure_only_feature_words(qemu, builtins) -> None:
    r = parse(["--disable-user"], qemu, builtins)
    assert (r.user, r.linux_user, r.bsd_user) == ("disabled", "disabled", "disabled")
    r = parse(["--disable-user", "--enable-linux-user", "--disable-system", "--enable-pie"], qemu, builtins)
    assert (r.user, r.linux_user, r.bsd_user, r.system, r.pie) == (
        "disabled", "enabled", "disabled", "disabled", "enabled")
    r = parse(["--enable-user", "--disable-bsd-user", "--disable-pie", "--enable-system"], qemu, builtins)
    assert (r.user, r.linux_user, r.bsd_user, r.system, r.pie) == (
        "enabled", "auto", "disabled", "enabled", "disabled")
    assert r.assignments == ()


def test_ignored_like_qemu(qemu, builtins) -> None:
    ignored = ["--host=x86_64-pc-linux-gnu", "--build=x", "--disable-dependency-tracking", "--sbindir=/s",
               "--sharedstatedir=/s", "--oldincludedir=/o", "--datarootdir=/d", "--infodir=/i", "--htmldir=/h",
               "--dvidir=/d", "--pdfdir=/p", "--psdir=/p", "--make=gmake", "--install=ginstall",
               "positional", "-x", "-", "X=y"]
    r = parse(ignored, qemu, builtins)
    assert r == ConfigureRequest(argv=tuple(ignored))
    with pytest.raises(UsageError, match="unknown option --host"):
        parse(["--host"], qemu, builtins)  # the bare words are not in the list


def test_help_version_and_cache_flags(qemu, builtins) -> None:
    assert parse(["--help"], qemu, builtins).show_help and parse(["-h"], qemu, builtins).show_help
    assert parse(["-V"], qemu, builtins).show_version
    r = parse(["--version", "--bogus"], qemu, builtins)  # QEMU prints the version at once
    assert r.show_version and r.argv == ("--version", "--bogus")
    with pytest.raises(UsageError):
        parse(["--bogus", "--version"], qemu, builtins)
    with pytest.raises(UsageError):
        parse(["--help", "--bogus"], qemu, builtins)
    r = parse(["--no-cache", "--clear-cache"], qemu, builtins)
    assert r.no_cache and r.clear_cache


# ---------------------------------------------------------------------------
# resolve_values
# ---------------------------------------------------------------------------

TYPED = """\
    option('f', type: 'feature')
    option('f_off', type: 'feature', value: 'disabled')
    option('b', type: 'boolean', value: false)
    option('c', type: 'combo', choices: ['a', 'b'], value: 'b')
    option('s', type: 'string', value: 'x')
    option('arr', type: 'array', choices: ['p', 'q'], value: ['p'])
    option('paths', type: 'array')
    option('i', type: 'integer', min: 0, max: 5, value: 2)
    """


def test_resolved_defaults_are_typed() -> None:
    table = table_of(TYPED)
    values = resolve_values(table, (), ConfigureRequest())
    assert dict(values) == {"f": "auto", "f_off": "disabled", "b": False, "c": "b", "s": "x", "arr": ("p",),
                            "paths": (), "i": 2}
    assert values.explicit == frozenset() and len(values) == 8


def test_resolved_values_from_strings_last_wins() -> None:
    table = table_of(TYPED)
    request = ConfigureRequest(assignments=(
        ("b", "TRUE"), ("c", "a"), ("s", ""), ("arr", "q, p"), ("paths", '["/x", "/y"]'), ("i", " 5 "),
        ("c", "b"), ("f", "enabled")))
    values = resolve_values(table, (), request)
    assert (values["b"], values["c"], values["s"], values["arr"], values["paths"], values["i"], values["f"]) == \
        (True, "b", "", ("q", "p"), ("/x", "/y"), 5, "enabled")
    assert values.explicit == {"b", "c", "s", "arr", "paths", "i", "f"}
    assert values.record("f_off").explicit is False


@pytest.mark.parametrize("name,value,message", [
    ("b", "yes", 'Option "b" value yes is not boolean (true or false).'),
    ("c", "z", 'Value "z" (of type "string") for option "c" is not one of the choices. '
               'Possible choices are (as string): "a", "b".'),
    ("f", "on", 'Value "on" (of type "string") for option "f" is not one of the choices. '
                'Possible choices are (as string): "enabled", "disabled", "auto".'),
    ("i", "x", 'Value string "x" for option "i" is not convertible to an integer.'),
    ("i", "6", 'Value 6 for option "i" is more than maximum value 5.'),
    ("i", "-1", 'Value -1 for option "i" is less than minimum value 0.'),
    ("arr", "p,z", 'Value "z" for option "arr" is not in allowed choices: "p, q"'),
    ("arr", "z,y", 'Values "z, y" for option "arr" are not in allowed choices: "p, q"'),
    ("paths", "[1]", 'String array element "[1]" for option "paths" is not a string.'),
])
def test_resolve_refuses_with_meson_s_words(name: str, value: str, message: str) -> None:
    with pytest.raises(UsageError) as info:
        resolve_values(table_of(TYPED), (), ConfigureRequest(assignments=((name, value),)))
    assert info.value.message == message


def test_unknown_d_option_with_suggestion(qemu, builtins) -> None:
    with pytest.raises(UsageError) as info:
        resolve_values(qemu, builtins, parse(["-Dkvmm=enabled"], qemu, builtins))
    assert info.value.message == 'Unknown option: "kvmm".'
    assert 'Did you mean "kvm"?' in info.value.details


def test_auto_features_disabled_keeps_the_raw_values(qemu, builtins) -> None:
    request = parse(["--without-default-features", "--enable-kvm", "--disable-gtk"], qemu, builtins)
    values = resolve_values(qemu, builtins, request)
    assert values["kvm"] == "enabled" and values["gtk"] == "disabled"
    assert values["curl"] == "disabled" and values.requested["curl"] == "auto"
    assert values.record("curl").requested == "auto" and not values.record("curl").explicit
    assert values["tcg"] == "enabled"          # its default is not auto
    assert values["coroutine_backend"] == "auto"  # a combo, not a feature
    assert values["auto_features"] == "disabled"
    plain = resolve_values(qemu, builtins, parse([], qemu, builtins))
    assert plain["curl"] == "auto"


def test_auto_features_enabled_by_d(qemu, builtins) -> None:
    values = resolve_values(qemu, builtins, parse(["-Dauto_features=enabled", "--disable-gtk"], qemu, builtins))
    assert (values["curl"], values["gtk"]) == ("enabled", "disabled")


def test_shown_builtins_are_enough(qemu, shown, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """optimization, wrap_mode... are found among all of meson's builtins when not given."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    request = parse_configure_args(["--enable-debug", "--disable-download", "-Dbuildtype=release"], qemu, shown)
    values = resolve_values(qemu, shown, request)
    assert (values["optimization"], values["wrap_mode"], values["buildtype"]) == ("0", "nodownload", "release")
    assert values["prefix"] == "/usr/local" and values["debug_tcg"] is True


def test_builtin_values(qemu, builtins) -> None:
    request = parse(["-Dc_args=-O2 '-DX=a b'", "-Dinstall_umask=027", "-Dwarning_level=3", "--enable-lto"],
                    qemu, builtins)
    values = resolve_values(qemu, builtins, request)
    assert values["c_args"] == ("-O2", "-DX=a b")
    assert values["install_umask"] == 0o27
    assert (values["warning_level"], values["b_lto"]) == ("3", True)
    with pytest.raises(UsageError):
        resolve_values(qemu, builtins, parse(["-Dinstall_umask=999"], qemu, builtins))


def test_project_table_resolves(project, builtins) -> None:
    values = resolve_values(project, builtins, parse([], project, builtins))
    for opt in project:
        assert values[opt.name] == (opt.value if opt.type != "feature" or opt.value != "auto" else "auto")


# ---------------------------------------------------------------------------
# ./configure --help
# ---------------------------------------------------------------------------

TARGETS = ["aarch64-softmmu", "alpha-softmmu", "arm-softmmu", "avr-softmmu", "hppa-softmmu", "i386-softmmu",
           "loongarch64-softmmu", "m68k-softmmu", "microblaze-softmmu", "microblazeel-softmmu", "mips-softmmu",
           "x86_64-softmmu", "aarch64-linux-user", "x86_64-linux-user"]


def render(table, builtins, targets=TARGETS, **kw) -> str:
    args = dict(available_targets=targets, cross_prefix="", cc="cc", host_cc="cc", static=False, cpu="x86_64")
    args.update(kw)
    return options.render_configure_help(table, builtins, **args)


def test_configure_help_layout(qemu, shown) -> None:
    text = render(qemu, shown, cross_prefix="aarch64-linux-gnu-", cc="aarch64-linux-gnu-gcc", host_cc="gcc",
                  static=True, cpu="aarch64")
    lines = text.split("\n")
    assert lines[:5] == ["", "Usage: configure [options]", "Options: [defaults in brackets after descriptions]",
                         "", "Standard options:"]
    assert lines.index("Standard options:") < lines.index("Advanced options (experts only):")
    generated = options.render_options_help(qemu, shown)
    assert generated in text
    assert text.index("Advanced options (experts only):") < text.index(generated)
    tail = text[text.index(generated) + len(generated):].split("\n")
    assert [ln.split()[0] for ln in tail[:5]] == ["system", "user", "linux-user", "bsd-user", "pie"]
    assert all(len(ln) > 18 and ln[2] != " " and ln[18] != " " and ln[17] == " " for ln in tail[:5])
    assert tail[5] == "" and tail[6].startswith("NOTE: ") and tail[7:] == [""]
    assert "[aarch64-linux-gnu-]" in text and "[aarch64-linux-gnu-gcc]" in text and "[gcc]" in text
    assert "[yes]" in text and "[aarch64]" in text
    assert "--no-cache" in text and "--clear-cache" in text
    assert "-Dfuzzing_engine=VALUE" in text and "--without-default-devices" in text and "--gdb=" in text
    targets = [ln for ln in lines if ln.startswith(" " * 27) and "softmmu" in ln or "Available targets" in ln]
    assert max(len(ln) for ln in targets) <= 27 + 53  # fold -w 53 after 27 columns, as QEMU
    assert max(len(ln) for ln in lines if ln not in targets) <= 76


def test_available_targets_are_folded_like_fold(qemu, shown) -> None:
    lines = render(qemu, shown).split("\n")
    start = next(i for i, ln in enumerate(lines) if ln.strip().startswith("Available targets:"))
    folded = []
    for ln in lines[start:]:
        if not ln.startswith(" " * 27) or ln.startswith(" " * 28):
            break
        folded.append(ln[27:])
    text = "Available targets: " + " ".join(TARGETS)
    assert "".join(folded) == text
    if shutil.which("fold"):
        real = subprocess.run(["fold", "-s", "-w", "53"], input=text + "\n", capture_output=True, text=True)
        assert "\n".join(folded) + "\n" == real.stdout
    assert folded[0].endswith(" ")  # fold -s keeps the blank it breaks at


def test_fold_words_matches_fold() -> None:
    if not shutil.which("fold"):
        pytest.skip("no fold(1)")
    import random
    rng = random.Random(7)
    for _ in range(150):
        words = ["".join(rng.choice("ab-_x") for _ in range(rng.choice([1, 5, 20, 52, 53, 54, 70])))
                 for _ in range(rng.randint(0, 9))]
        text = " ".join(["Available", "targets:", *words])
        real = subprocess.run(["fold", "-s", "-w", "53"], input=text + "\n", capture_output=True, text=True).stdout
        assert "\n".join(options.fold_words(text, 53)) + "\n" == real, text


def test_no_targets(qemu, shown) -> None:
    assert " " * 27 + "Available targets:\n" in render(qemu, shown, targets=[])


@pytest.mark.parametrize("which", ["qemu", "project"])
def test_every_option_appears_in_help(request: pytest.FixtureRequest, shown, which: str) -> None:
    table = request.getfixturevalue(which)
    text = render(table, shown)
    rows = text.split("\n")
    for opt in (*table, *shown):
        shown_as = [s.split("=")[0] for s in options.spellings(opt)]
        listed = any(re.search(rf"(^|\s){re.escape(s)}(=|\[|\s|$)", text, re.M) for s in shown_as) or \
            any(row.startswith("  " + options.cli_name(opt) + " ") or row == "  " + options.cli_name(opt)
                for row in rows)
        assert listed, opt.name


def test_default_devices_line_only_with_the_option(shown) -> None:
    table = table_of("option('x', type: 'feature')\n")
    assert "--without-default-devices" not in render(table, shown)
    with_it = table_of("option('default_devices', type: 'boolean')\n")
    assert "--without-default-devices" in render(with_it, shown)


# ---------------------------------------------------------------------------
# prefix-dependent directory defaults, against meson itself
# ---------------------------------------------------------------------------

PREFIX_DEPENDENT = ("sysconfdir", "localstatedir", "sharedstatedir")


def meson_directories(prefix: str, workdir: Path) -> dict[str, str]:
    """What meson 1.12.1 sets the prefix-dependent directories to for ``prefix``."""
    import json
    import sys

    from qemu_config import bootstrap

    (workdir / "meson.build").write_text("project('x', 'c')\n")
    build = workdir / "b"
    proc = subprocess.run([*bootstrap.meson_command(), "setup", str(build), str(workdir), f"--prefix={prefix}"],
                          capture_output=True, text=True, cwd=workdir, env={"PATH": "/usr/bin:/bin",
                                                                            "PYTHONPATH": ":".join(sys.path)})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = json.loads((build / "meson-info" / "intro-buildoptions.json").read_text())
    return {o["name"]: o["value"] for o in data if o["name"] in PREFIX_DEPENDENT}


@pytest.mark.parametrize("prefix", ["/usr", "/usr/local", "/opt/q", "/usr/"])
def test_prefix_dependent_directories_are_meson_s(qemu, builtins, tmp_path: Path, prefix: str) -> None:
    ours = resolve_values(qemu, builtins, parse([f"--prefix={prefix}"], qemu, builtins))
    theirs = meson_directories(prefix, tmp_path)
    assert {name: ours[name] for name in PREFIX_DEPENDENT if name in ours} == \
        {name: theirs[name] for name in PREFIX_DEPENDENT if name in ours}
    explicit = resolve_values(qemu, builtins, parse([f"--prefix={prefix}", "--sysconfdir=/srv/etc"], qemu, builtins))
    assert explicit["sysconfdir"] == "/srv/etc"    # what the command line sets is never replaced
