"""The matrix's records: what a spec expands to, what each combination decided, how they group.

Data only (frozen dataclasses), shared by the spec reader, the decider and the
writers, so that each can be built and tested on its own.
"""

from __future__ import annotations

from dataclasses import dataclass

# The version of the JSON document `qemu-config matrix --format json` writes.
MATRIX_SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Combination:
    """One configure to decide: its job name, its arguments, and the axis values it stands for."""

    name: str                                  # unique in the matrix; usable as a CI job name
    args: tuple[str, ...]                      # ./configure arguments, in order
    axes: tuple[tuple[str, str], ...] = ()     # (axis, value) as the spec wrote them, for display


@dataclass(frozen=True)
class ExportSettings:
    """What an exported CI pipeline runs around each job's ./configure (the spec's [export] table).

    A record here, not in the spec reader, because the pipeline writers take
    it without reading a spec.
    """

    build: tuple[str, ...] = ("make", "make check")  # the commands after ./configure
    github_runs_on: str = "ubuntu-latest"
    github_setup: tuple[str, ...] = ()               # commands before ./configure
    gitlab_image: str = "debian:12"
    gitlab_setup: tuple[str, ...] = ()


@dataclass(frozen=True)
class FeatureVerdict:
    name: str
    enabled: bool
    reason: str


@dataclass(frozen=True)
class TargetVerdict:
    """One configured target of a combination: the device symbols its Kconfig selected, the files it links."""

    name: str
    devices: tuple[str, ...]                   # CONFIG_X symbols of its config-devices.mak, sorted
    files: tuple[str, ...]                     # the sources its binary links (common, then specific)


@dataclass(frozen=True)
class Verdict:
    """What configure decided for one combination, or the error it would print."""

    combination: Combination
    ok: bool
    error: str | None                          # the exact text ./configure prints on stderr ("ERROR: ...")
    features: tuple[FeatureVerdict, ...] = ()
    build_digest: str | None = None            # equal digests compile the same thing (None when not ok)
    seconds: float = 0.0
    targets: tuple[TargetVerdict, ...] = ()    # each configured target (empty when not ok)
    defines: tuple[tuple[str, str], ...] = ()  # config-host.h: each key and how it reads (as --build-config does)


@dataclass(frozen=True)
class BuildClass:
    """Combinations that compile the same thing, and the one that stands for them."""

    representative: Combination
    members: tuple[Combination, ...]           # the representative included, in spec order


@dataclass(frozen=True)
class MatrixResult:
    """A whole matrix: every verdict in spec order, and the distinct builds among the ok ones."""

    spec: str                                  # the spec file, as named
    verdicts: tuple[Verdict, ...]
    classes: tuple[BuildClass, ...]
