"""What configure writes: every build-directory file, computed from the decisions.

Owns the *content* of config-host.h, config-host-keys.h, config-host.mak,
qemu-config-build.mak, the meson machine files, config.status, the build
directory's Makefile, the summary and the JSON report.  Computes text only;
:mod:`qemu_config.emit` writes it.  Output is deterministic: sorted keys, no
timestamps, canonical paths.
"""

from __future__ import annotations

import json
import os
import platform
import posixpath
import re
from typing import Sequence

from .emit import OutputFile, Quoted, QuotedList, make_command, render_header, render_template
from .rules import (ACCELERATORS, BOOLEAN_OPTIONS, FEATURES, GDB_ARCHES, OS_SYMBOLS, TARGET_KIND_SUMMARY,
                    UNPOISONED, Feature, FeatureOn)
from .fingerprint import ENGINE_DIR
from .installdirs import join
from .model import Configuration
from .summary import SummaryEntry, SummaryValue, render_summary
from .environment import RECORDED_ENVIRONMENT

REPORT_SCHEMA_VERSION = 1


def config_host_data(config: Configuration) -> dict[str, object]:
    """config-host.h as a mapping (bool -> #define/#undef, Quoted -> quoted string, else verbatim)."""
    data: dict[str, object] = {}
    for symbol, oses in OS_SYMBOLS:
        data[symbol] = config.host.os in oses
    data[f"HOST_{config.host.host_arch.upper()}"] = 1
    if "CONFIG_TCG" in config.plan.all_accelerators:
        data["CONFIG_TCG"] = 1
    for symbol, path in config.dirs.symbols().items():
        data[symbol] = Quoted(path)
    data["CONFIG_QEMU_FIRMWAREPATH"] = QuotedList(config.dirs.firmware_list())
    data["CONFIG_HOST_DSOSUF"] = Quoted(config.host.dso_suffix)
    version = config.version
    parts = (version.split(".") + ["0", "0", "0"])[:3]
    data["QEMU_VERSION"] = f'"{version}"'
    data["QEMU_VERSION_MAJOR"] = int(parts[0])
    data["QEMU_VERSION_MINOR"] = int(parts[1])
    data["QEMU_VERSION_MICRO"] = int(parts[2])
    pkgversion = str(config.values.get("pkgversion", ""))
    data["QEMU_PKGVERSION"] = Quoted(f" ({pkgversion})" if pkgversion else "")
    for decision in config.features:
        for symbol in decision.symbols:
            data[symbol] = decision.enabled
    by_name = {d.name: d for d in config.features}
    for feature in FEATURES:
        decision = by_name.get(feature.name)
        if feature.version_major_symbol and decision and decision.enabled and decision.version:
            data[feature.version_major_symbol] = _major(decision.version)
        if feature.version_symbol and decision and decision.enabled and decision.version:
            data[feature.version_symbol] = Quoted(decision.version)
    return data


def _major(version: str) -> int:
    """The major number of a version as C compares it: its leading digits (0 when it has none, as for a
    .pc file whose Version is not a number)."""
    digits = re.match(r"\d{1,9}", version.strip())
    return int(digits.group()) if digits else 0


def dependency_flags(config: Configuration) -> list[tuple[str, str]]:
    """DEP_<NAME>_CFLAGS / _LIBS for every feature (empty when it is off), for meson.build to link with,
    and DEPENDENCIES listing their names."""
    rows: list[tuple[str, str]] = [("DEPENDENCIES", " ".join(d.name for d in config.features))]
    for decision in config.features:
        cflags: list[str] = []
        libs: list[str] = []
        if decision.enabled:
            for outcome in decision.probes:
                cflags += [f for f in outcome.cflags if f not in cflags]
                libs += [f for f in outcome.libs if f not in libs]
        key = decision.name.upper()
        rows.append((f"DEP_{key}_CFLAGS", " ".join(cflags)))
        rows.append((f"DEP_{key}_LIBS", " ".join(libs)))
    return rows


def config_target_header(data: dict[str, str]) -> str:
    """<target>-config-target.h, converted the way QEMU's meson.build does."""
    header: dict[str, object] = {}
    for key, value in data.items():
        if not key.startswith(("TARGET_", "CONFIG_")) or key in ("TARGET_XML_FILES", "TARGET_ABI_DIR"):
            continue
        if key == "TARGET_ARCH":
            header[key] = value.upper()
        elif key == "TARGET_BASE_ARCH":
            header[f"TARGET_{value.upper()}"] = 1
        elif key in ("TARGET_NAME", "CONFIG_QEMU_INTERP_PREFIX"):
            header[key] = Quoted(value)
        elif value == "y":
            header[key] = 1
        elif value == "n":
            header[key] = 0
        else:
            header[key] = value
    header["QEMU_ARCH"] = f"QEMU_ARCH_{data['TARGET_BASE_ARCH'].upper()}"
    return render_header(header)  # type: ignore[arg-type]


def gdb_supports(config: Configuration, arch: str) -> bool:
    return any(arch in GDB_ARCHES.get(name, ()) for name in config.gdb.arches)


def config_poison(headers: Sequence[str]) -> str:
    """config-poison.h: every symbol defined for some target, poisoned for target-independent code."""
    names = set()
    for text in headers:
        for line in text.splitlines():
            if line.startswith("#define ") and not any(u in line for u in UNPOISONED):
                names.add(line.split()[1])
    return "".join(f"#pragma GCC poison {name}\n" for name in sorted(names))


def target_files(config: Configuration) -> list[OutputFile]:
    files: list[OutputFile] = []
    headers: list[str] = []
    for target in config.targets:
        data = dict(target.keys)
        mak = "".join(f"{k}={v}\n" for k, v in data.items())
        if config.gdb.path and gdb_supports(config, target.definition.arch):
            mak += f"GDB={make_command(config.gdb.path)}\n"
        target_h = config_target_header(data)
        solved = target.devices
        devices_h = render_header({sym: 1 for sym in solved.enabled})
        headers += [target_h, devices_h]
        files += [
            OutputFile(f"{target.name}-config-target.mak", "# Automatically generated by configure - do not modify\n" + mak),
            OutputFile(f"{target.name}-config-target.h", target_h),
            OutputFile(f"{target.name}-config-devices.mak", "".join(f"{sym}=y\n" for sym in solved.enabled)),
            OutputFile(f"{target.name}-config-devices.h", devices_h),
        ]
    files.append(OutputFile("config-poison.h", config_poison(headers)))
    return files


def config_host_keys(data: dict[str, object]) -> str:
    lines = ["/* Automatically generated by configure - do not modify */",
             "/* Every key of config-host.h, for code that reports the configuration. */",
             "#define QEMU_CONFIG_HOST_KEYS \\"]
    lines += [f"    QEMU_CONFIG_HOST_KEY({key}) \\" for key in sorted(data)]
    lines.append("    /* end */")
    return "\n".join(lines) + "\n"


def _needs(feature: Feature) -> str:
    """What a feature needs, from its declaration: its probes (as a static build would not see them
    differently in kind) and the features it requires."""
    parts = [probe.describe() for probe in feature.probes]
    parts += [f"{req.condition.feature} on" for req in feature.requires if isinstance(req.condition, FeatureOn)]
    if feature.debian_packages:
        parts.append("Debian: " + " ".join(feature.debian_packages))
    return ", ".join(parts)


def feature_facts_header(config: Configuration) -> str:
    """qemu-config-features.h: the project's facts the C core reports, generated from the declarations
    and this build's decisions so that no C file repeats them.

    ``QEMU_ACCELERATORS(ACCEL)`` lists the accelerators in QEMU's order as ``ACCEL(name, S)``;
    per-target code tests ``IS_ENABLED(CONFIG_S)``.  ``QEMU_FEATURE_STATUS_<NAME>`` says, for each
    decision, whether it is on and why, what it needs, and what would change it: the text a stub
    gives when the part it replaces was compiled out.
    """
    lines = ["/* Automatically generated by configure from qemu_config/rules.py and its decisions"
             " - do not modify */",
             "#ifndef QEMU_CONFIG_FEATURES_H", "#define QEMU_CONFIG_FEATURES_H", "",
             "/* The accelerators, in QEMU's order: ACCEL(name, S) for the per-target symbol CONFIG_S"
             " (named without",
             " * its prefix: CONFIG_ symbols of a target are poisoned in target-independent code). */",
             "#define QEMU_ACCELERATORS(ACCEL) \\"]
    lines += [f"    ACCEL({json.dumps(a.feature)}, {a.symbol.removeprefix('CONFIG_')}) \\" for a in ACCELERATORS]
    lines += ["    /* end */", "",
              "/* Each feature of this build: on or off, why, what it needs, what would change it. */"]
    declared = {f.name: f for f in FEATURES}
    for decision in sorted(config.features, key=lambda d: d.name):
        text = f"{decision.name} is {'on' if decision.enabled else 'off'}: {decision.reason}"
        feature = declared.get(decision.name)
        needs = _needs(feature) if feature is not None and not decision.enabled else ""
        if needs:
            text += f"; it needs {needs}"
        if not decision.enabled and decision.next_steps:
            text += "; next: " + "; ".join(decision.next_steps)
        lines.append(f"#define QEMU_FEATURE_STATUS_{decision.name.upper()} {json.dumps(text)}")
    lines += ["", "#endif", ""]
    return "\n".join(lines)


def c_string_list(items: Sequence[str]) -> str:
    """A NULL-terminated array of C string literals, as a compound literal."""
    return "(const char *const[]) { " + "".join(f"{json.dumps(item)}, " for item in items) + "NULL }"


def extension_target_table(config: Configuration) -> str:
    """qemu-core-targets.h: each configured target's device selection and linked files, for the extension.

    The extension is built once from the union of the targets; this table is how it still knows
    what each target has: the CONFIG_ symbols of its config-devices.mak and the source files
    its binary links (common and specific), by which the extension picks that target's models.
    """
    lines = ["/* Automatically generated by configure - do not modify */",
             "/* Each configured target: {name, its config-devices symbols, the sources its binary links}. */",
             "#define QEMU_CORE_TARGET_TABLE \\"]
    for target in config.targets:
        linked = tuple(dict.fromkeys(target.sources.common.files + target.sources.specific.files))
        lines += [f"    {{ {json.dumps(target.name)}, \\",
                  f"      {c_string_list(target.devices.enabled)}, \\",
                  f"      {c_string_list(linked)} }}, \\"]
    lines.append("    /* end */")
    return "\n".join(lines) + "\n"


def executable_flags(config: Configuration) -> tuple[list[str], list[str]]:
    """The emulator binaries' own compile and link flags: what each feature declares for its outcome
    in this build (static or not).  The Python extension, a shared object, gets none of them."""
    decided = {d.name: d for d in config.features}
    cflags: list[str] = []
    ldflags: list[str] = []
    for feature in FEATURES:
        decision = decided.get(feature.name)
        if decision is None:
            continue
        for flags in feature.executable_flags:
            if flags.enabled == decision.enabled and flags.static == config.static:
                cflags += flags.cflags
                ldflags += flags.ldflags
    return cflags, ldflags


def machine_files(config: Configuration) -> list[OutputFile]:
    tc = config.toolchain
    cross = render_template(
        "config-meson.cross.j2",
        properties=[],
        c_args=list(tc.cflags),
        c_link_args=list(tc.cflags) + list(tc.ldflags),
        cpp_args=list(tc.cxxflags),
        cpp_link_args=list(tc.cxxflags) + list(tc.ldflags),
        objc_args=list(tc.objcflags),
        werror=False,
        c=list(tc.cc) + list(config.host.cpu_cflags),
        cpp=list(tc.cxx) + list(config.host.cpu_cflags),
        objc=list(tc.objc) + list(config.host.cpu_cflags),
        binutils=list(tc.binutils),
        python=config.env.python,
        host_machine=config.host if tc.cross else None,
    )
    files = [OutputFile("config-meson.cross", cross)]
    if tc.cross:
        files.append(OutputFile("config-meson.native",
                                render_template("config-meson.native.j2", host_cc=list(tc.host_cc))))
    return files


def summary_entries(config: Configuration) -> list[SummaryEntry]:
    dirs = config.dirs
    tc = config.toolchain
    s = SummaryEntry
    rows = [
        s("Build environment", "Build directory", str(config.env.build_dir)),
        s("Build environment", "Source path", str(config.env.source_dir)),
        s("Build environment", "Download dependencies", config.request.download),
        s("Directories", "Install prefix", dirs.prefix),
        s("Directories", "BIOS directory", dirs.derived("datadir", "{suffix}")),
        s("Directories", "firmware path", ":".join(dirs.firmware_list())),
        s("Directories", "binary directory", dirs.absolute("bindir")),
        s("Directories", "library directory", dirs.absolute("libdir")),
        s("Directories", "module directory", dirs.derived("libdir", "{suffix}")),
        s("Directories", "libexec directory", dirs.absolute("libexecdir")),
        s("Directories", "include directory", dirs.absolute("includedir")),
        s("Directories", "config directory", dirs.absolute("sysconfdir")),
        s("Directories", "local state directory", dirs.absolute("localstatedir")),
        s("Directories", "Manual directory", dirs.absolute("mandir")),
        s("Directories", "Doc directory", dirs.docdir),
        s("Host binaries", "python", f"{config.env.python} (version: {platform.python_version()})"),
        s("Host binaries", "ninja", config.env.ninja),
        s("Compilation", "host CPU", config.host.cpu),
        s("Compilation", "host endianness", config.host.endian),
        s("Compilation", "C compiler", " ".join(tc.cc + config.host.cpu_cflags)),
        s("Compilation", "Host C compiler", " ".join(tc.host_cc if tc.cross else tc.cc)),
        s("Compilation", "CFLAGS", " ".join(tc.cflags)),
        s("Compilation", "LDFLAGS", " ".join(tc.ldflags)),
        s("Compilation", "Python extension", config.python_extension),
        s("Compilation", "static build", config.static),
    ]
    if config.python_extension:
        where = config.python_dir
        rows.append(s("Directories", "Python extension dir", where.absolute(dirs.prefix) + (
            "" if where.searched else " (the host Python does not search it: set PYTHONPATH, or --python-sitedir)")))
    kinds = {t.definition.kind for t in config.targets}
    for kind_suffixes, row in TARGET_KIND_SUMMARY:
        rows.append(s(row.section, row.key, bool(kinds & set(kind_suffixes))))
    by_option = {d.name: d for d in config.features}
    accel_symbol = {a.feature: a.symbol for a in ACCELERATORS}
    for feature in FEATURES:
        decision = by_option.get(feature.name)
        if feature.summary is None or decision is None:
            continue
        if feature.summary_shows == "accelerator":
            # QEMU reports the accelerators some configured target got (config_all_accel).
            value: object = accel_symbol[feature.name] in config.plan.all_accelerators
        elif feature.only_on is not None and config.host.os not in feature.only_on:
            value = False
        elif decision.enabled and feature.summary_shows == "version" and decision.version:
            value = f"YES {decision.version}"
        elif decision.enabled and feature.summary_shows == "objc-compiler":
            value = " ".join(config.toolchain.objc)
        else:
            value = decision.enabled
        rows.append(s(feature.summary.section, feature.summary.key, value))  # type: ignore[arg-type]
    for decl in BOOLEAN_OPTIONS:
        if decl.summary and decl.option in by_option:
            rows.append(s(decl.summary.section, decl.summary.key, by_option[decl.option].enabled))
    if config.gdb.path:
        rows.append(s("Host binaries", "gdb", config.gdb.path))
    rows.append(s("Targets and accelerators", "target list", " ".join(t.name for t in config.targets)))
    rows.append(s("Targets and accelerators", "default devices", config.default_devices))
    canonical = ["Build environment", "Directories", "Host binaries", "Configurable features", "Compilation",
                 "Targets and accelerators", "Block layer support", "Crypto", "User interface",
                 "Graphics backends", "Audio backends", "Network backends", "Dependencies"]
    rank = {name: i for i, name in enumerate(canonical)}
    rows.sort(key=lambda r: rank.get(r.section, len(canonical)))
    explicit = [(name, value) for name, value in config.request.assignments]
    if tc.cross:
        rows.append(s("User defined options", "Cross files", "config-meson.cross"))
        rows.append(s("User defined options", "Native files", "config-meson.native"))
    else:
        rows.append(s("User defined options", "Native files", "config-meson.cross"))
    for name, value in sorted(dict(explicit).items()):
        rows.append(s("User defined options", name, _user_option_value(config, name, value)))
    return rows


def _user_option_value(config: Configuration, name: str, given: str) -> SummaryValue:
    """An option the user set, as the summary shows it: an array option its items, one a line, not
    the meson list literal of triple-quoted strings configure builds from ``--firmwarepath=/a:/b``."""
    value = config.values.get(name)
    if isinstance(value, (list, tuple)):
        return tuple(str(item) for item in value)
    return given


def render_config_summary(config: Configuration) -> str:
    return render_summary("qemu", config.version, summary_entries(config))


def report(config: Configuration) -> str:
    from . import __version__ as engine_version

    doc = {
        "schema_version": REPORT_SCHEMA_VERSION,
        "engine_version": engine_version,
        "version": config.version,
        "host": {"os": config.host.os, "cpu": config.host.cpu, "cpu_family": config.host.cpu_family,
                 "endian": config.host.endian, "cross": config.toolchain.cross},
        "source_dir": str(config.env.source_dir),
        "targets": {t.name: {"accelerators": list(t.accelerators), "mode": t.devices.mode,
                             "device_file": t.devices.device_file,
                             "externals": [[k, v] for k, v in t.devices.externals], "devices": list(t.devices.enabled)}
                    for t in config.targets},
        "dropped_targets": {t.name: t.reason for t in config.plan.dropped},
        "sources": {
            "util": dict(config.sources.util.reasons),
            "system (all_sources)": dict(config.sources.system.reasons),
            "extension": dict(config.sources.extension.reasons),
            **{t.name: {**dict(t.sources.common.reasons), **dict(t.sources.specific.reasons)} for t in config.targets},
        },
        "features": {d.name: {"requested": d.requested, "resolved": "enabled" if d.enabled else "disabled",
                              "value": d.value, "version": d.version,
                              "reason": d.reason, "cause": d.cause, "next": list(d.next_steps),
                              "symbols": list(d.symbols), "host_kconfig": list(d.host_kconfig),
                              "probes": [{"probe": o.probe.describe(), "ok": o.ok, "status": o.status,
                                          "detail": o.detail, "version": o.version} for o in d.probes]}
                     for d in config.features},
        "host_kconfig": list(config.host_kconfig),
        "warning_flags": list(config.warning_flags),
        "gdb": {"path": config.gdb.path, "arches": list(config.gdb.arches)},
        "warnings": list(config.warnings),
    }
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


def source_lists(config: Configuration) -> list[tuple[str, str]]:
    """The file and dependency lists meson.build compiles, from the sourcesets."""
    plan = config.sources
    rows = [
        ("UTIL_SOURCES", plan.util.files), ("UTIL_DEPS", plan.util.dependencies),
        ("SYSTEM_SOURCES", plan.system.files), ("SYSTEM_DEPS", plan.system.dependencies),
        ("EXTENSION_SOURCES", plan.extension.files), ("EXTENSION_DEPS", plan.extension.dependencies),
    ]
    for target in config.targets:
        linked = target.sources
        rows += [
            (f"TARGET_{target.name}_COMMON", linked.common.files),
            (f"TARGET_{target.name}_SPECIFIC", linked.specific.files),
            (f"TARGET_{target.name}_DEPS", tuple(dict.fromkeys(linked.common.dependencies
                                                             + linked.specific.dependencies))),
        ]
    return [(key, " ".join(values)) for key, values in rows]


def reconfigure_inputs(config: Configuration) -> list[str]:
    """Source files whose change makes `make` re-run configure: the option table and every Kconfig and
    device file a target's solve read.  (The Makefile finds the sourceset declarations and the target
    files itself when it runs, so that a new one counts too.)"""
    src = config.env.source_dir
    files = [str(src / p) for p in ("configure", "meson_options.txt", "VERSION")]
    for target in config.targets:
        files += [f for f in target.devices.files_read if f not in files]
    return files


def path_map_flags(config: Configuration) -> list[str]:
    """The path-mapping flags (rules.PATH_MAP_FLAG or its fallbacks, as the compiler has them) with the pairs a
    reproducible build needs: the source tree, absolute and as meson names it (relative to the build
    directory, which is how __FILE__ spells it), to nothing, so that files are named as in the tree
    (core/hw/...); and the build directory to '.', last, so that it wins where it lies inside the tree."""
    source, build = str(config.env.source_dir), str(config.env.build_dir)
    relative = os.path.relpath(source, build)
    pairs = [(source + "/", ""), (relative + "/", ""), (build, ".")]
    # The compiler splits OLD=NEW at the first '=', and meson's keyval ends a value at '#': a path holding
    # either cannot be mapped (it still builds).
    return [f"{flag}={old}={new}" for flag in config.path_map_flags for old, new in pairs
            if "=" not in old and "#" not in old]


def paths_mak(flags: Sequence[str]) -> str:
    """qemu-config-paths.mak: the path-mapping flags, one a key (a path may hold blanks)."""
    return ("# Automatically generated by configure - do not modify\n"
            "# Reproducible builds: the build directory's and the source tree's paths kept out of what is\n"
            "# compiled (debug info, __FILE__), by the path-mapping flags the compiler has, one a key.\n"
            f"PATH_MAP_FLAG_COUNT={len(flags)}\n"
            + "".join(f"PATH_MAP_FLAG_{i}={flag}\n" for i, flag in enumerate(flags)))


def install_paths(config: Configuration) -> dict[str, str]:
    """The install directories meson.build needs besides meson's own options (relative to the prefix or
    absolute), and the way from the extension's directory to bindir."""
    dirs = config.dirs
    sitedir = config.python_dir.absolute(dirs.prefix)
    return {
        "datadir": dirs.derived("datadir", "{suffix}"),
        "docdir": join(dirs.docdir, dirs.qemu_suffix),
        "python_sitedir": config.python_dir.path,
        "sitedir_to_bindir": posixpath.relpath(dirs.absolute("bindir") or "/", sitedir or "/"),
    }


def reconfigure_command(config: Configuration, argv: Sequence[str]) -> list[str]:
    """What config.status runs: the source tree's ./configure when the engine is that tree's, else the
    installed engine itself (``qemu-config configure --source-dir``, run by the same interpreter)."""
    env = config.env
    if ENGINE_DIR == env.source_dir / "qemu_config":
        return [str(env.source_dir / "configure"), *argv]
    return [env.python, "-m", "qemu_config", "configure", "--source-dir", str(env.source_dir), "--", *argv]


def build_outputs(config: Configuration, argv: Sequence[str]) -> list[OutputFile]:
    from . import __version__ as engine_version

    env = config.env
    host_data = config_host_data(config)
    targets = [t.name for t in config.targets]
    meson_program = env.meson
    files = [
        OutputFile("config-host.h", render_header(host_data)),
        OutputFile("config-host-keys.h", config_host_keys(host_data)),
        OutputFile("qemu-config-features.h", feature_facts_header(config)),
        OutputFile("qemu-core-targets.h", extension_target_table(config)),
        OutputFile("config-host.mak", render_template(
            "config-host.mak.j2", src_path=str(env.source_dir), target_dirs=targets,
            gdb=config.gdb.path, python=env.python, meson=meson_program, ninja=env.ninja,
            exesuf=config.host.exe_suffix, default_targets=config.plan.default_targets)),
        *target_files(config),
        OutputFile("qemu-config-build.mak", render_template(
            "qemu-config-build.mak.j2", engine_version=engine_version, host=config.host,
            cross=config.toolchain.cross, python_extension=config.python_extension,
            softmmu_targets=[t for t in targets if t.endswith("-softmmu")],
            warning_flags=list(config.warning_flags),
            features_on=[d.name for d in config.features if d.enabled], install=install_paths(config),
            dependencies=dependency_flags(config),
            executable_flags=executable_flags(config), lists=source_lists(config))),
        # Apart from qemu-config-build.mak: the same build in another directory compiles the same thing.
        OutputFile("qemu-config-paths.mak", paths_mak(path_map_flags(config))),
        OutputFile("host-kconfig.mak", "".join(f"{sym}=y\n" for sym in list(config.host_kconfig))),
        *machine_files(config),
        OutputFile("config.status", render_template(
            "config.status.j2",
            environment=[(name, env.environ.get(name)) for name in RECORDED_ENVIRONMENT],
            command=reconfigure_command(config, argv)), executable=True),
        OutputFile("Makefile", ""),    # rendered below: it lists every file written (distclean)
        OutputFile(".qemu-config-stamp", "configure inputs stamp: make re-runs config.status when this is older\n"),
        OutputFile("qemu-config-summary.txt", render_config_summary(config)),
        OutputFile("qemu-config-report.json", report(config)),
    ]
    makefile = render_template("Makefile.j2", src_path=str(env.source_dir), engine_dir=str(ENGINE_DIR),
                               python=env.python, meson=meson_program,
                               ninja=env.ninja, version=config.version, reconfigure_inputs=reconfigure_inputs(config),
                               generated=[f.path for f in files])
    return [OutputFile(f.path, makefile) if f.path == "Makefile" else f for f in files]
