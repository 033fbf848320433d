"""qemu_config.matrix.spec: the matrix spec's grammar, GitHub Actions' include/exclude rules, job names,
every error (file:line:key), and the shipped matrix.toml."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from qemu_config import options
from qemu_config.errors import UserError
from qemu_config.matrix.model import Combination, ExportSettings
from qemu_config.matrix.positions import format_path, toml_positions
from qemu_config.matrix.spec import JOB_NAME, MatrixSpec, expand, load_spec

REPO = Path(__file__).resolve().parent.parent
MARK = "# <- here"


@pytest.fixture(scope="module")
def table() -> options.OptionTable:
    return options.load_option_table(REPO)


@pytest.fixture(scope="module")
def builtins(tmp_path_factory: pytest.TempPathFactory) -> tuple[options.MesonOption, ...]:
    return options.builtin_options(include_hidden=True, cache=tmp_path_factory.mktemp("cache"))


@pytest.fixture
def read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, table: options.OptionTable,
         builtins: tuple[options.MesonOption, ...]):
    """A spec from text (dedented), read against the project's table as ``matrix.toml`` (errors name it so)."""
    monkeypatch.chdir(tmp_path)

    def reader(text: str) -> MatrixSpec:
        Path("matrix.toml").write_text(textwrap.dedent(text))
        return load_spec("matrix.toml", table, builtins)
    return reader


def combos(spec: MatrixSpec) -> list[dict[str, str]]:
    return [dict(c.axes) for c in expand(spec)]


def marked_line(text: str) -> int:
    """The line of ``text`` (dedented) that carries the marker comment."""
    lines = textwrap.dedent(text).splitlines()
    return next(number for number, line in enumerate(lines, 1) if MARK in line)


def failure(reader, text: str, *, expanding: bool = False) -> UserError:
    with pytest.raises(UserError) as caught:
        spec = reader(text)
        if expanding:
            expand(spec)
    return caught.value


def assert_placed(err: UserError, text: str, key: str) -> None:
    """One ERROR line naming the file, the marked line and the key, then indented detail with what to do."""
    rendered = err.render()
    first, *details = rendered.splitlines()
    assert first.startswith(f"ERROR: matrix.toml:{marked_line(text)}: {key}: "), rendered
    assert details and all(line.startswith("       ") for line in details), rendered
    assert any("next:" in line for line in details), rendered


# -- the positions tomllib does not give ----------------------------------------------------------------

def test_positions_name_each_key_and_array_entry_in_tomllibs_shape() -> None:
    text = textwrap.dedent('''\
        name = "x"
        [axis.pixman]
        values = [
          "enabled",
          'disabled', # a comment with ] and "quotes"
        ]
        [axis."odd name"]
        values = ["""a
        b""", 1979-05-27 07:32:00]
        [[include]]
        pixman = "enabled"
        [[include]]
        pixman = "disabled"
        exclude = [{a = 1},
          {a = 2}]
        ''')
    found = toml_positions(text)
    assert found[("name",)] == 1
    assert found[("axis",)] == 2 and found[("axis", "pixman")] == 2
    assert found[("axis", "pixman", "values", 0)] == 4
    assert found[("axis", "pixman", "values", 1)] == 5
    assert found[("axis", "odd name", "values", 1)] == 9
    assert found[("include", 0, "pixman")] == 11
    assert found[("include", 1, "pixman")] == 13
    assert found[("include", 1, "exclude", 1, "a")] == 15
    assert format_path(("axis", "odd name", "values", 1)) == 'axis."odd name".values[1]'


# -- axes: what each kind adds to configure's command line ---------------------------------------------

def test_a_feature_axis_is_spelled_enable_disable_and_auto_adds_nothing(read) -> None:
    spec = read('''\
        [axis.pixman]
        feature = "pixman"
        values = ["enabled", "disabled", "auto"]
        ''')
    assert [c.args for c in expand(spec)] == [("--enable-pixman",), ("--disable-pixman",), ()]
    assert [c.name for c in expand(spec)] == ["pixman", "no-pixman", "defaults"]


def test_feature_axes_take_configure_or_meson_names_and_combos_like_fdt(read) -> None:
    spec = read('''\
        [axis.hv-balloon]
        feature = "hv-balloon"
        values = ["disabled"]
        [axis.fdt]
        feature = "fdt"
        values = ["system", "auto", "disabled"]
        [axis.tcg]
        feature = "tcg"
        values = ["auto"]
        ''')
    assert [c.args for c in expand(spec)] == [
        ("--disable-hv-balloon", "--enable-fdt=system", "-Dtcg=auto"),  # tcg's default is enabled: auto is said
        ("--disable-hv-balloon", "-Dtcg=auto"),
        ("--disable-hv-balloon", "--disable-fdt", "-Dtcg=auto"),
    ]


def test_option_axes_use_configures_spelling_of_each_type(read) -> None:
    spec = read('''\
        [axis.plugins]
        option = "plugins"
        values = [true, false]
        [axis.devices]
        option = "default_devices"
        values = [false]
        [axis.version]
        option = "pkgversion"
        values = ["ci build"]
        [axis.firmware]
        option = "qemu_firmwarepath"
        values = ["/a:/b"]
        [axis.prefix]
        option = "prefix"
        values = ["/opt/q"]
        [axis.lto]
        option = "b_lto"
        values = [true]
        ''')
    assert expand(spec)[0].args == ("--enable-plugins", "--without-default-devices", "--with-pkgversion=ci build",
                                    "--firmwarepath=/a:/b", "--prefix=/opt/q", "--enable-lto")
    assert expand(spec)[1].args[0] == "--disable-plugins"


def test_define_word_switch_and_argument_axes(read) -> None:
    spec = read('''\
        [axis.opt]
        define = "optimization"
        values = ["s"]
        [axis.pie]
        word = "pie"
        values = ["disabled", "enabled", "auto"]
        [axis.static]
        switch = "--static"
        values = [true, false]
        [axis.minimal]
        switch = "--without-default-features"
        values = [true]
        [axis.targets]
        argument = "--target-list"
        values = ["x86_64-softmmu,aarch64-softmmu"]
        [axis.devices]
        argument = "--with-devices-x86_64"
        values = ["default"]
        [axis.host]
        argument = "--cross-prefix"
        values = ["native", "aarch64-linux-gnu-"]
        absent = "native"
        ''')
    found = expand(spec)
    assert found[0].args == ("-Doptimization=s", "--disable-pie", "--static", "--without-default-features",
                             "--target-list=x86_64-softmmu,aarch64-softmmu", "--with-devices-x86_64=default")
    assert found[1].args[-1] == "--cross-prefix=aarch64-linux-gnu-"
    assert ("--enable-pie" in found[4].args and not any("pie" in a for a in found[8].args)
            and "--static" not in found[2].args)
    assert len(found) == 3 * 2 * 2


def test_every_argument_of_a_spec_is_taken_by_configures_parser(read, table, builtins) -> None:
    spec = read('''\
        [axis.a]
        feature = "af_xdp"
        values = ["enabled", "disabled", "auto"]
        [axis.b]
        option = "coroutine_pool"
        values = [false, true]
        [axis.c]
        word = "system"
        values = ["disabled", "auto"]
        [axis.d]
        switch = "--enable-debug"
        values = [true, false]
        ''')
    for combination in expand(spec):
        request = options.parse_configure_args(combination.args, table, builtins)
        options.resolve_values(table, builtins, request)   # raises if configure would refuse a value
    assert len(expand(spec)) == 24


# -- GitHub Actions' include and exclude, case by case ---------------------------------------------------

# GitHub's documented example, with configure arguments as the variables: fruit and animal are
# crossed, color and shape only come from include entries.
FRUIT = '''\
    [axis.fruit]
    argument = "--cpu"
    values = ["apple", "pear"]
    [axis.animal]
    argument = "--extra-cflags"
    values = ["cat", "dog"]
    [axis.color]
    option = "pkgversion"
    values = ["green", "pink"]
    cross = false
    [axis.shape]
    option = "docdir"
    values = ["circle"]
    cross = false
    '''


def test_include_follows_githubs_documented_example(read) -> None:
    spec = read(FRUIT + '''\
        [[include]]
        color = "green"
        [[include]]
        color = "pink"
        animal = "cat"
        [[include]]
        fruit = "apple"
        shape = "circle"
        [[include]]
        fruit = "banana"
        [[include]]
        fruit = "banana"
        animal = "cat"
        ''')
    assert combos(spec) == [
        {"fruit": "apple", "animal": "cat", "color": "pink", "shape": "circle"},
        {"fruit": "apple", "animal": "dog", "color": "green", "shape": "circle"},
        {"fruit": "pear", "animal": "cat", "color": "pink"},
        {"fruit": "pear", "animal": "dog", "color": "green"},
        {"fruit": "banana"},                   # fits no original combination without overwriting: a new one
        {"fruit": "banana", "animal": "cat"},  # not added to {fruit: banana}, which is not an original
    ]
    banana = expand(spec)[4]
    assert banana.args == ("--cpu=banana",) and banana.name == "fruit-banana"


def test_include_never_overwrites_a_crossed_value_but_may_overwrite_an_added_one(read) -> None:
    spec = read(FRUIT + '''\
        [[include]]
        fruit = "apple"
        color = "green"
        [[include]]
        fruit = "apple"
        animal = "dog"
        color = "pink"
        ''')
    assert combos(spec) == [
        {"fruit": "apple", "animal": "cat", "color": "green"},
        {"fruit": "apple", "animal": "dog", "color": "pink"},   # the second entry replaced green
        {"fruit": "pear", "animal": "cat"},
        {"fruit": "pear", "animal": "dog"},
    ]
    assert expand(spec)[1].args == ("--cpu=apple", "--extra-cflags=dog", "--with-pkgversion=pink")


def test_an_include_of_added_axes_only_extends_every_combination(read) -> None:
    spec = read(FRUIT + '''\
        [[include]]
        shape = "circle"
        ''')
    assert all(c["shape"] == "circle" for c in combos(spec)) and len(combos(spec)) == 4


def test_exclude_matches_partial_combinations(read) -> None:
    # GitHub's example: 12 combinations, less the one matching all three values and the two
    # matching {os: windows, version: 16}.
    spec = read('''\
        [axis.os]
        argument = "--cpu"
        values = ["macos", "windows"]
        [axis.version]
        argument = "--extra-ldflags"
        values = [12, 14, 16]
        [axis.environment]
        argument = "--extra-cxxflags"
        values = ["staging", "production"]
        [[exclude]]
        os = "macos"
        version = 12
        environment = "production"
        [[exclude]]
        os = "windows"
        version = 16
        ''')
    found = combos(spec)
    assert len(found) == 9
    assert {"os": "macos", "version": "12", "environment": "production"} not in found
    assert not [c for c in found if c["os"] == "windows" and c["version"] == "16"]
    assert {"os": "macos", "version": "12", "environment": "staging"} in found


def test_include_is_applied_after_exclude_and_can_add_an_excluded_combination_back(read) -> None:
    spec = read(FRUIT + '''\
        [[exclude]]
        fruit = "apple"
        animal = "cat"
        [[include]]
        fruit = "apple"
        animal = "cat"
        color = "pink"
        [[include]]
        animal = "cat"
        shape = "circle"
        ''')
    assert combos(spec) == [
        {"fruit": "apple", "animal": "dog"},
        {"fruit": "pear", "animal": "cat", "shape": "circle"},
        {"fruit": "pear", "animal": "dog"},
        {"fruit": "apple", "animal": "cat", "color": "pink"},   # back, at the end, not extended later
    ]


def test_without_crossed_axes_each_include_entry_is_a_combination(read) -> None:
    spec = read('''\
        [axis.pixman]
        feature = "pixman"
        values = ["enabled", "disabled"]
        cross = false
        [axis.static]
        switch = "--static"
        values = [true]
        cross = false
        [[include]]
        pixman = "enabled"
        [[include]]
        pixman = "disabled"
        static = true
        ''')
    assert [c.args for c in expand(spec)] == [("--enable-pixman",), ("--disable-pixman", "--static")]
    assert [c.name for c in expand(spec)] == ["pixman", "no-pixman-static"]


def test_an_include_value_outside_the_axiss_list_is_spelled_and_checked_like_the_others(read) -> None:
    spec = read('''\
        [axis.pixman]
        feature = "pixman"
        values = ["enabled", "disabled"]
        [[include]]
        pixman = "auto"
        ''')
    assert [c.args for c in expand(spec)] == [("--enable-pixman",), ("--disable-pixman",), ()]


def test_arguments_follow_the_axes_order_whatever_the_entry_order(read) -> None:
    spec = read(FRUIT + '''\
        [[include]]
        shape = "circle"
        color = "green"
        ''')
    assert expand(spec)[0].args == ("--cpu=apple", "--extra-cflags=cat", "--with-pkgversion=green",
                                    "--docdir=circle")


# -- job names -----------------------------------------------------------------------------------------

def test_default_names_come_from_the_crossed_values_and_are_ci_job_ids(read) -> None:
    spec = read(FRUIT + '''\
        [axis.static]
        switch = "--static"
        values = [false, true]
        [[include]]
        color = "pink"
        ''')
    names = [c.name for c in expand(spec)]
    assert names[:2] == ["fruit-apple-animal-cat", "fruit-apple-animal-cat-static"]
    assert all(JOB_NAME.fullmatch(n) for n in names) and len(set(names)) == len(names)


def test_a_name_template_places_values_and_is_made_job_id_safe(read) -> None:
    spec = read('name = "build {fruit}/{animal} {{x}}"\n' + textwrap.dedent(FRUIT))
    assert [c.name for c in expand(spec)] == ["build-apple-cat-x", "build-apple-dog-x", "build-pear-cat-x",
                                              "build-pear-dog-x"]


# -- errors: one ERROR line that names the file, line and key, with what to do next ---------------------

def test_an_unknown_feature(read) -> None:
    text = '''\
        [axis.pixman]
        feature = "pixmann"   # <- here
        values = ["enabled"]
        '''
    err = failure(read, text)
    assert_placed(err, text, "axis.pixman.feature")
    assert "unknown feature 'pixmann'" in err.message and "did you mean 'pixman'?" in err.render()


def test_an_unknown_axis_value(read) -> None:
    text = '''\
        [axis.pixman]
        feature = "pixman"
        values = [
            "enabled",
            "enabeld",   # <- here
        ]
        '''
    err = failure(read, text)
    assert_placed(err, text, "axis.pixman.values[1]")
    assert "'enabeld' is not a value of feature pixman" in err.message
    assert "pixman takes enabled, disabled, auto" in err.render()


@pytest.mark.parametrize("kind, subject, value, says", [
    ("option", "plugins", '"yes"', "plugins is a boolean"),
    ("word", "pie", '"on"', "pie takes enabled, disabled, auto"),
    ("switch", "--static", '"enabled"', "a switch is true (given) or false (not given)"),
    ("define", "optimization", '"9"', "configure refuses -Doptimization=9"),
    ("argument", "--with-devices-x86_64", '""', "configure refuses --with-devices-x86_64="),
])
def test_values_each_kind_refuses(read, kind: str, subject: str, value: str, says: str) -> None:
    text = f'''\
        [axis.it]
        {kind} = "{subject}"
        values = [{value}]   # <- here
        '''
    err = failure(read, text)
    assert_placed(err, text, "axis.it.values[0]")
    assert says in err.render()


@pytest.mark.parametrize("kind, subject, says", [
    ("option", "pixman", "pixman is a feature"),
    ("feature", "plugins", "plugins is a boolean option"),
    ("word", "pei", "'pei' is not one of configure's own words"),
    ("switch", "--enable-pie", 'write word = "pie"'),
    ("switch", "--enable-plugins", "sets the option plugins"),
    ("switch", "--help", "not one of configure's own switches"),
    ("argument", "--target-lists", "did you mean '--target-list'?"),
    ("argument", "-Doptimization", 'write define = "optimization"'),
    ("define", "optimisation", "unknown meson option 'optimisation'"),
])
def test_subjects_each_kind_refuses(read, kind: str, subject: str, says: str) -> None:
    text = f'''\
        [axis.it]
        {kind} = "{subject}"   # <- here
        values = ["x"]
        '''
    err = failure(read, text)
    assert_placed(err, text, f"axis.it.{kind}")
    assert says in err.render()


def test_an_include_that_names_an_axis_that_does_not_exist(read) -> None:
    text = '''\
        [axis.pixman]
        feature = "pixman"
        values = ["enabled", "disabled"]
        [[include]]
        pixman = "enabled"
        [[include]]
        static = true   # <- here
        '''
    err = failure(read, text)
    assert_placed(err, text, "include[1].static")
    assert "include names the axis 'static', which the spec does not declare" in err.message


def test_exclude_of_an_unlisted_value_and_of_an_added_axis(read) -> None:
    text = '''\
        [axis.pixman]
        feature = "pixman"
        values = ["enabled", "disabled"]
        [axis.static]
        switch = "--static"
        values = [true]
        cross = false
        [[exclude]]
        pixman = "auto"   # <- here
        '''
    err = failure(read, text)
    assert_placed(err, text, "exclude[0].pixman")
    assert "unknown value 'auto' of the axis 'pixman'" in err.message
    text = text.replace('pixman = "auto"   # <- here', 'static = true   # <- here')
    err = failure(read, text)
    assert_placed(err, text, "exclude[0].static")
    assert "not crossed" in err.message


def test_a_duplicate_job_name_from_a_template(read) -> None:
    text = '''\
        name = "{fruit}"   # <- here
        [axis.fruit]
        argument = "--cpu"
        values = ["apple", "pear"]
        [axis.animal]
        argument = "--extra-cflags"
        values = ["cat", "dog"]
        '''
    err = failure(read, text, expanding=True)
    assert_placed(err, text, "name")
    assert "two combinations are both named 'apple'" in err.message
    assert "combination 1: fruit = apple, animal = cat" in err.render()


def test_a_duplicate_default_name_points_at_the_value_that_collides(read) -> None:
    text = '''\
        [axis.targets]
        argument = "--target-list"
        values = [
            "x86_64-softmmu,aarch64-softmmu",
            "x86_64-softmmu aarch64-softmmu",   # <- here
        ]
        '''
    err = failure(read, text, expanding=True)
    assert_placed(err, text, "axis.targets.values[1]")
    assert "both named 'targets-x86_64-softmmu-aarch64-softmmu'" in err.message


@pytest.mark.parametrize("template, says", [
    ("{n}", "starts with a letter"),
    ("stages", "GitLab CI reads it as a keyword"),
    ("x" + "{n}" * 255, "at most 255 characters"),
])
def test_job_names_ci_cannot_use(read, template: str, says: str) -> None:
    text = f'''\
        name = "{template}"   # <- here
        [axis.n]
        argument = "--extra-ldflags"
        values = [1]
        '''
    err = failure(read, text, expanding=True)
    assert_placed(err, text, "name")
    assert says in err.message


def test_a_template_placeholder_that_is_not_an_axis(read) -> None:
    text = '''\
        name = "{pixmann}"   # <- here
        [axis.pixman]
        feature = "pixman"
        values = ["enabled"]
        '''
    err = failure(read, text)
    assert_placed(err, text, "name")
    assert "did you mean 'pixman'?" in err.render()


def test_an_empty_matrix(read) -> None:
    text = '''\
        [axis.pixman]
        feature = "pixman"
        values = ["enabled", "disabled"]
        [[exclude]]   # <- here
        pixman = "enabled"
        [[exclude]]
        pixman = "disabled"
        '''
    err = failure(read, text, expanding=True)
    assert_placed(err, text, "exclude")
    assert "the matrix is empty" in err.message


def test_a_spec_without_axes(read) -> None:
    err = failure(read, 'name = "x"\n')
    assert err.message.startswith("matrix.toml:1: axis: the spec declares no axis")


@pytest.mark.parametrize("text, key, says", [
    ('axes = 1   # <- here\n', "axes", "unknown key 'axes' in a matrix spec"),
    ('[axis.p]\nfeature = "pixman"\nvalue = ["enabled"]   # <- here\n', "axis.p.value", "did you mean 'values'?"),
    ('[axis.p]   # <- here\nfeature = "pixman"\nword = "pie"\nvalues = ["enabled"]\n', "axis.p",
     "names feature and word"),
    ('[axis.p]   # <- here\nvalues = ["enabled"]\n', "axis.p", "does not say what it varies"),
    ('[axis.p]\nfeature = "pixman"\nvalues = []   # <- here\n', "axis.p.values", "non-empty list of values"),
    ('[axis.p]\nfeature = "pixman"\nvalues = ["enabled", "enabled"]   # <- here\n', "axis.p.values[1]",
     "listed twice"),
    ('[axis.p]\nfeature = "pixman"\nvalues = ["enabled"]\nabsent = "enabled"   # <- here\n', "axis.p.absent",
     "absent belongs to argument axes"),
    ('[axis.h]\nargument = "--cpu"\nvalues = ["x"]\nabsent = "y"   # <- here\n', "axis.h.absent",
     "is not one of the axis's values"),
    ('[axis.a]\nfeature = "pixman"\nvalues = ["enabled"]\n[axis.b]   # <- here\ndefine = "pixman"\nvalues = ["auto"]\n',
     "axis.b", "axes 'a' and 'b' both vary pixman"),
    ('[axis."two words"]   # <- here\nfeature = "pixman"\nvalues = ["enabled"]\n', 'axis."two words"',
     "cannot name an axis"),
    ('[axis.p]\nfeature = "pixman"\nvalues = ["enabled"]\n[export]\nbuild = "make"   # <- here\n', "export.build",
     "a list of shell commands"),
    ('[axis.p]\nfeature = "pixman"\nvalues = ["enabled"]\n[export.github]\nimage = "x"   # <- here\n',
     "export.github.image", "unknown key 'image' in [export.github]"),
])
def test_structural_mistakes(read, text: str, key: str, says: str) -> None:
    err = failure(read, text)
    assert_placed(err, text, key)
    assert says in err.render()


def test_arguments_configure_refuses_together_are_placed_at_the_value_that_makes_it_refuse(read) -> None:
    text = '''\
        [axis.targets]
        argument = "--target-list"
        values = ["x86_64-softmmu"]
        [axis.exclude]
        argument = "--target-list-exclude"
        values = ["aarch64-softmmu"]   # <- here
        '''
    err = failure(read, text, expanding=True)
    assert_placed(err, text, "axis.exclude.values[0]")
    assert "Can't mix --target-list-exclude with --target-list" in err.message


def test_not_valid_toml_names_the_line(read) -> None:
    err = failure(read, '[axis.p]\nfeature = "pixman"\nvalues = = ["enabled"]\n')
    assert err.message.startswith("matrix.toml:3: not valid TOML: ")
    err = failure(read, '[axis.p]\nfeature = "pixman"\nvalues = ["enabled"\n')
    assert err.message.startswith("matrix.toml:4: not valid TOML: ")  # the end of the document


def test_a_missing_spec(table, tmp_path: Path) -> None:
    with pytest.raises(UserError, match="cannot read the matrix spec"):
        load_spec(tmp_path / "nope.toml", table, ())


def test_combinations_configure_refuses_at_decision_time_are_not_spec_errors(read) -> None:
    spec = read('''\
        [axis.af-xdp]
        feature = "af_xdp"
        values = ["enabled"]
        [axis.bpf]
        feature = "bpf"
        values = ["disabled"]
        ''')
    assert expand(spec) == (Combination("af-xdp-no-bpf", ("--enable-af-xdp", "--disable-bpf"),
                                        (("af-xdp", "enabled"), ("bpf", "disabled"))),)


# -- the shipped matrix.toml -----------------------------------------------------------------------------

def test_the_shipped_matrix_has_128_combinations_whose_arguments_all_parse(table, builtins) -> None:
    spec = load_spec(REPO / "matrix.toml", table, builtins)
    found = expand(spec)
    assert len(found) == 128
    assert len({c.name for c in found}) == 128 and all(JOB_NAME.fullmatch(c.name) for c in found)
    assert len({c.args for c in found}) == 128
    for combination in found:
        request = options.parse_configure_args(combination.args, table, builtins)
        options.resolve_values(table, builtins, request)
    cannot = [c for c in found if "--enable-af-xdp" in c.args and "--disable-bpf" in c.args]
    assert len(cannot) == 32
    assert all("--enable-plugins" in c.args for c in found if "--static" not in c.args)
    assert spec.export != ExportSettings() and spec.export.github_runs_on


def test_the_readmes_example_spec_reads_and_expands(read) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("### The spec's grammar\n", 1)[1].split("\nThe file is TOML.", 1)[0]
    spec = read(textwrap.dedent(block))
    found = expand(spec)
    assert [c.name for c in found] == ["native-pixman-enabled", "aarch64-linux-gnu-pixman-enabled",
                                       "native-pixman-disabled"]
    assert found[0].args == ("--enable-pixman", "--enable-plugins")
    assert found[1].args == ("--enable-pixman", "--cross-prefix=aarch64-linux-gnu-")
    assert spec.export.github_runs_on == "ubuntu-24.04" and spec.export.gitlab_setup[0] == "apt-get update"
