"""sources.py: the declaration files and their evaluation (unit level, on trees the tests write)."""

from __future__ import annotations

from pathlib import Path

import pytest

from qemu_config.errors import UserError
from qemu_config.sources import load_declarations, plan_sources

REPO = Path(__file__).resolve().parent.parent


def write(root: Path, rel: str, text: str) -> None:
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    (root / rel).write_text(text)


def tree(tmp_path: Path, util: str) -> Path:
    write(tmp_path, "core/util/sources.toml", util)
    write(tmp_path, "core/hw/x/sources.toml",
          'set = "system"\n[[rule]]\nwhen = ["CONFIG_X"]\nif_true = ["x.c", "dep:feat"]\nif_false = ["x-stub.c"]\n')
    write(tmp_path, "core/hw/arm/sources.toml",
          'set = "hw_arch"\narch = "arm"\n[[rule]]\nwhen = ["CONFIG_BOARD"]\nif_true = ["board.c"]\n')
    write(tmp_path, "core/system/sources.toml", 'set = "specific"\n[[rule]]\nsources = ["main.c"]\n')
    return tmp_path


def test_the_cores_declarations_load() -> None:
    decls = load_declarations(REPO)
    kinds = {d.set_kind for d in decls}
    assert {"util", "system", "specific", "hw_arch"} <= kinds
    hyperv = next(d for d in decls if d.path == "core/hw/hyperv/sources.toml")
    balloon = hyperv.rules[-1]
    assert balloon.when == ("CONFIG_HV_BALLOON",) and balloon.if_false == ("core/hw/hyperv/hv-balloon-stub.c",)


def test_plan_per_target(tmp_path: Path) -> None:
    root = tree(tmp_path, 'set = "util"\n[[rule]]\nsources = ["u.c"]\n')
    plan = plan_sources(root, {"feat": True}, [
        ("arm-softmmu", "arm", {"CONFIG_X": "y", "CONFIG_BOARD": "y"}),
        ("s390x-softmmu", "s390x", {}),
    ])
    assert plan.util.files == ("core/util/u.c",)
    assert plan.system.files == ("core/hw/x/x.c", "core/hw/x/x-stub.c")   # all_sources: both sides
    arm, s390x = plan.targets
    assert arm.common.files == ("core/hw/x/x.c",) and arm.common.dependencies == ("feat",)
    assert arm.specific.files == ("core/system/main.c", "core/hw/arm/board.c")
    assert s390x.common.files == ("core/hw/x/x-stub.c",)                  # no hw dir of its own: still fine
    assert s390x.specific.files == ("core/system/main.c",)
    assert plan.extension.files == ("core/hw/x/x.c",)                      # the union of the targets
    assert dict(arm.common.reasons)["core/hw/x/x.c"].startswith("core/hw/x/sources.toml rule 1 (when CONFIG_X)")


def test_strict_util_names_file_and_rule(tmp_path: Path) -> None:
    root = tree(tmp_path, 'set = "util"\n[[rule]]\nsources = ["u.c"]\n[[rule]]\nwhen = ["CONFIG_Y"]\n'
                          'if_true = ["y.c"]\n')
    with pytest.raises(UserError) as exc:
        plan_sources(root, {"feat": True}, [])
    text = exc.value.render()
    assert "core/util/sources.toml rule 2" in text and "CONFIG_Y" in text
    assert "Entry CONFIG_Y not in configuration dictionary." in text


def test_dependency_conditions_are_fine_in_util(tmp_path: Path) -> None:
    root = tree(tmp_path, 'set = "util"\n[[rule]]\nwhen = ["dep:feat"]\nif_true = ["f.c"]\nif_false = ["nof.c"]\n')
    assert plan_sources(root, {"feat": False}, []).util.files == ("core/util/nof.c",)
    assert plan_sources(root, {"feat": True}, []).util.files == ("core/util/f.c",)


@pytest.mark.parametrize("text,needle", [
    ('set = "everything"\n', "is not one of"),
    ('set = "util"\n[[rule]]\nsources = ["a.c"]\nwhen = ["X"]\n', "both positional and keyword"),
    ('set = "util"\n[[rule]]\niff = ["a.c"]\n', "unknown key"),
    ('set = "util"\n[[rule]]\nsources = "a.c"\n', "must be a list of strings"),
    ('set = "util"\n[[rule]]\nsources = ["dep:nosuch"]\n', "names no feature"),
    ('set = "util"\narch = "arm"\n', "only there"),
    ('set = "util"\n[[rule\n', "sources.toml"),
])
def test_bad_declarations_are_one_error(tmp_path: Path, text: str, needle: str) -> None:
    root = tree(tmp_path, text)
    with pytest.raises(UserError, match=needle):
        plan_sources(root, {"feat": True}, [])
