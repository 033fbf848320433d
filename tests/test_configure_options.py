"""qemu_config.options.configure_options: configure's own options, one table.

Each entry is checked against what reads it: the argv parser sets what the
entry says (fields, implied meson assignments), ``--help`` shows the entry's
line where the entry says, and an unknown option is matched against the
entry's spellings.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from qemu_config import options
from qemu_config.errors import UsageError
from qemu_config.options import CONFIGURE_OPTIONS, ConfigureOption, ConfigureRequest, parse_configure_args
from recorded import shown_builtins

REPO = Path(__file__).resolve().parent.parent
QEMU_OPTIONS = Path(__file__).parent / "data" / "qemu-options" / "meson_options.txt"
TARGETS = ["aarch64-softmmu", "x86_64-softmmu"]
REQUEST_FIELDS = {f.name: f for f in dataclasses.fields(ConfigureRequest)}


@pytest.fixture(scope="module")
def qemu() -> options.OptionTable:
    return options.load_option_table(QEMU_OPTIONS)


@pytest.fixture(scope="module")
def shown(meson_builtins: tuple[options.MesonOption, ...]) -> tuple[options.MesonOption, ...]:
    return shown_builtins(meson_builtins)


def help_text(table: options.OptionTable, builtins: tuple[options.MesonOption, ...], **kw: object) -> str:
    args: dict[str, object] = dict(available_targets=TARGETS, cross_prefix="", cc="cc", host_cc="cc", static=False,
                                   cpu="x86_64")
    args.update(kw)
    return options.render_configure_help(table, builtins, **args)  # type: ignore[arg-type]


def option_id(option: ConfigureOption) -> str:
    return option.spellings()[0]


LISTED = [o for o in CONFIGURE_OPTIONS if o.help]


def test_every_field_named_by_the_table_is_a_request_field() -> None:
    for option in CONFIGURE_OPTIONS:
        for name in option.fields():
            assert name in REQUEST_FIELDS, (option.name, name)


def test_every_request_field_is_set_by_some_option() -> None:
    """A field no option sets would be one nothing fills: argv is the only one."""
    named = {name for option in CONFIGURE_OPTIONS for name in option.fields()}
    implied_only = {"assignments"}  # also filled by the generated spellings
    assert set(REQUEST_FIELDS) - named - implied_only == {"argv"}


def test_spellings_are_unambiguous() -> None:
    flags = [f.text for o in CONFIGURE_OPTIONS for f in o.flags]
    assert len(flags) == len(set(flags))
    prefixes = [o.prefix for o in CONFIGURE_OPTIONS if o.argument is not None]
    assert len(prefixes) == len(set(prefixes))
    for flag in flags:  # no flag is also read as some prefix option's argument
        assert not any(flag.startswith(p) for p in prefixes), flag


@pytest.mark.parametrize("option", LISTED, ids=option_id)
def test_every_listed_option_has_its_help_line_in_its_section(qemu, shown, option: ConfigureOption) -> None:
    text = help_text(qemu, shown)
    lines = text.split("\n")
    indent = 18 if option.section == "features" else 27
    label = "  " + option.help_label
    found = [i for i, line in enumerate(lines)
             if line == label or line.startswith(label.ljust(indent)) and line[indent - 1] == " "]
    assert len(found) == 1, option.help_label
    at = found[0]
    first_words = " ".join(option.help.split()[:2])
    assert first_words in lines[at] or first_words in lines[at + 1]
    advanced = lines.index("Advanced options (experts only):")
    generated = text.index(options.render_options_help(qemu, shown))
    position = len("\n".join(lines[:at]))
    if option.section == "standard":
        assert at < advanced
    elif option.section == "advanced":
        assert advanced < at and position < generated
    else:
        assert position > generated


def test_help_shows_the_defaults_the_table_names(qemu, shown) -> None:
    text = help_text(qemu, shown, cross_prefix="riscv64-linux-gnu-", cc="clang-17", host_cc="gcc-12", static=True,
                     cpu="riscv64")
    flat = " ".join(text.split())
    shown_values = {"cross_prefix": "riscv64-linux-gnu-", "cc": "clang-17", "host_cc": "gcc-12", "static": "yes",
                    "cpu": "riscv64"}
    with_default = [o for o in LISTED if o.shows_default]
    assert {o.field for o in with_default} == set(shown_values)
    for option in with_default:
        assert f"{' '.join(option.help.split())} [{shown_values[str(option.field)]}]" in flat, option.name


def test_shown_with_follows_the_option_table(shown) -> None:
    without = options.parse_option_text("option('kvm', type: 'feature')\n", "t.txt")
    for option in LISTED:
        listed = re.search(rf"^  {re.escape(option.help_label)}(\s|$)", help_text(without, shown), re.M)
        assert (listed is not None) == (option.shown_with is None), option.name


def test_options_without_help_are_not_listed(qemu, shown) -> None:
    text = help_text(qemu, shown)
    for option in CONFIGURE_OPTIONS:
        for spelling in option.spellings():
            if option.help and (option.flags == () or any(f.text == spelling and f.in_help for f in option.flags)):
                continue
            assert not re.search(rf"^\s+{re.escape(spelling)}(\s|$)", text, re.M), spelling


@pytest.mark.parametrize("option", [o for o in CONFIGURE_OPTIONS if o.flags], ids=option_id)
@pytest.mark.parametrize("declared", [True, False], ids=["declared", "undeclared"])
def test_every_flag_sets_what_the_table_says(qemu, option: ConfigureOption, declared: bool) -> None:
    table = qemu if declared else options.parse_option_text("option('kvm', type: 'feature')\n", "t.txt")
    for flag in option.flags:
        request = parse_configure_args([flag.text], table, ())
        expected = {name: value for name, value in flag.sets}
        for name, field in REQUEST_FIELDS.items():
            if name in ("argv", "assignments"):
                continue
            assert getattr(request, name) == expected.get(name, field.default), (flag.text, name)
        implied = tuple((i.option, i.value) for i in flag.implies if not i.if_declared or i.option in table)
        assert request.assignments == implied, flag.text


def test_the_test_table_declares_what_is_implied_if_declared(qemu) -> None:
    """So that the "declared" runs above make those assignments, and the "undeclared" ones leave them out."""
    conditional = [i.option for o in CONFIGURE_OPTIONS for f in o.flags for i in f.implies if i.if_declared]
    assert conditional
    assert all(name in qemu for name in conditional)


SAMPLE_ARGUMENT = {
    "text": ("x y", lambda fields: {f: "x y" for f in fields}),
    "words": ("-O2  -g", lambda fields: {f: ("-O2", "-g") for f in fields}),
    "list": ("a-softmmu,b-softmmu c", lambda fields: {f: ("a-softmmu", "b-softmmu", "c") for f in fields}),
    "device-set": ("aarch64=minimal", lambda fields: {f: (("aarch64", "minimal"),) for f in fields}),
    "define": ("kvm=disabled", lambda fields: {"assignments": (("kvm", "disabled"),)}),
    "ignored": ("anything", lambda fields: {}),
}


@pytest.mark.parametrize("option", [o for o in CONFIGURE_OPTIONS if o.argument is not None], ids=option_id)
def test_every_argument_goes_where_the_table_says(qemu, option: ConfigureOption) -> None:
    assert option.argument is not None
    sample, expect = SAMPLE_ARGUMENT[option.argument.form]
    request = parse_configure_args([option.prefix + sample], qemu, ())
    expected = expect(option.argument.fields)
    for name, field in REQUEST_FIELDS.items():
        if name == "argv":
            continue
        assert getattr(request, name) == expected.get(name, field.default), (option.prefix, name)


@pytest.mark.parametrize("option", [o for o in CONFIGURE_OPTIONS if o.argument is not None
                                    and o.argument.excludes is not None], ids=option_id)
def test_exclusive_lists_are_refused_after_a_non_empty_other(qemu, option: ConfigureOption) -> None:
    assert option.argument is not None
    other = next(o for o in CONFIGURE_OPTIONS if o.argument is not None and option.argument.excludes
                 in o.argument.fields)
    with pytest.raises(UsageError, match=f"^Can't mix {re.escape(option.name)} with {re.escape(other.name)}$"):
        parse_configure_args([other.prefix + "a", option.prefix + "b"], qemu, ())
    request = parse_configure_args([other.prefix, option.prefix + "b"], qemu, ())
    assert getattr(request, option.argument.fields[0]) == ("b",)


def test_parsing_stops_after_a_stopping_option(qemu) -> None:
    stopping = [o for o in CONFIGURE_OPTIONS if o.stops]
    assert stopping
    for option in stopping:
        for flag in option.flags:
            request = parse_configure_args([flag.text, "--no-such-option", "--static"], qemu, ())
            assert not request.static and all(getattr(request, n) == v for n, v in flag.sets)


# Words that do not start with "--" are not options to QEMU (ignored, never refused); ARCH=NAME
# has no one spelling to mistype.
SUGGESTED = [(o, s) for o in CONFIGURE_OPTIONS if not o.ignored and
             (o.argument is None or o.argument.form not in ("define", "device-set"))
             for s in o.spellings() if s.startswith("--")]


@pytest.mark.parametrize("option,spelling", SUGGESTED, ids=[s for _, s in SUGGESTED])
def test_a_mistyped_spelling_is_suggested_as_the_table_spells_it(qemu, option: ConfigureOption,
                                                                 spelling: str) -> None:
    head, sep, _ = spelling.partition("=")
    typo = head + head[-1] + ("=v" if sep else "")
    with pytest.raises(UsageError) as info:
        parse_configure_args([typo], qemu, ())
    assert f"Did you mean {head}{'=v' if sep else ''}?" in info.value.details, typo
    if sep:
        with pytest.raises(UsageError) as info:
            parse_configure_args([head], qemu, ())
        assert f"Did you mean {spelling}?" in info.value.details, head


def test_ignored_words_are_never_suggested(qemu) -> None:
    for option in (o for o in CONFIGURE_OPTIONS if o.ignored):
        head = option.spellings()[0].partition("=")[0]
        with pytest.raises(UsageError) as info:
            parse_configure_args([head + head[-1]], qemu, ())
        hints = [d.removeprefix("Did you mean ").removesuffix("?") for d in info.value.details
                 if d.startswith("Did you mean ")]
        assert all(hint.partition("=")[0] != head for hint in hints), hints


def test_feature_words_map_to_request_fields() -> None:
    request = ConfigureRequest(system="disabled", linux_user="enabled")
    words = request.configure_words()
    assert words == {"system": "disabled", "user": "auto", "linux-user": "enabled", "bsd-user": "auto",
                     "pie": "auto"}
    assert set(words) == {o.word for o in CONFIGURE_OPTIONS if o.section == "features"}


def test_a_malformed_entry_is_refused() -> None:
    with pytest.raises(ValueError):
        ConfigureOption(prefix="--x=")
    with pytest.raises(ValueError):
        ConfigureOption(flags=(options.Flag("--x"),), prefix="--y=", argument=options.Argument("Y", "text", ("cc",)))
    with pytest.raises(ValueError):
        ConfigureOption(flags=(options.Flag("--x"), options.Flag("--y")), help="two flags, none shown")
    with pytest.raises(ValueError):
        ConfigureOption(flags=(options.Flag("--enable-x"),), help="a feature", section="features")


def test_help_names_every_option_of_the_project(shown) -> None:
    """./configure --help (this text: configure() returns it) names each option of meson_options.txt."""
    text = help_text(options.load_option_table(REPO), shown)
    for opt in options.load_option_table(REPO).options:
        assert opt.name.replace("_", "-") in text or any(s.split("=")[0] in text for s in options.spellings(opt)), \
            opt.name
    assert "--cross-prefix" in text and "--target-list" in text
