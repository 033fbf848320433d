#!/usr/bin/env python3
"""Benchmark: frames per second through the af-xdp netdev backend against an AF_PACKET raw socket.

Over a veth pair (va <-> vb) in a network namespace made for the run, with
the built qemu_core extension, every loop in C (``qemu_core.af_xdp_bench``):

* **tx**: the measured path on va sends ``--count`` frames to vb.  The
  backend copies each frame into a UMEM frame, puts it on the Tx ring and
  kicks the kernel (sendto) once per ``batch`` frames (1: every frame, as
  QEMU's backend does; 32: the kernel's Tx budget per kick); the clock stops
  when the kernel has completed every frame.  The alternative is an
  AF_PACKET raw socket on va: send() per frame, or sendmmsg() of ``batch``.
  vb's rx_packets (/proc/net/dev) confirms delivery.
* **rx**: a generator thread sends ``--count`` frames from vb with AF_PACKET
  (sendmmsg of 64); the measured path on va receives them one at a time:
  the backend from its Rx ring, the alternative with recv() on an AF_PACKET
  socket bound to the bench's ethertype (16 MiB receive buffer).  Rate =
  frames received / (generator start .. last frame received).  Both
  paths' kernel work (generic or native XDP and the copy into the UMEM, or
  packet_rcv) runs in the generator's softirq, so the rx figures are the
  kernel's receive path plus the reader, not the reader alone.

Frame sizes are 64 and 1500 bytes as handed to the socket (Ethernet header
included, no FCS).  Each figure is the best of ``--repeat`` runs, the two
paths alternating run by run; the ratio is af-xdp / AF_PACKET.

    python3 bench/af_xdp.py [--build-dir DIR] [--modes skb,native] [--count N] [--repeat N] [--json]

Needs root (a network namespace, XDP programs).  Without --build-dir it
configures (--enable-af-xdp) and builds the core in a temporary directory
first.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

from built_core import build_core, extension_path, load_extension

SIZES = (64, 1500)
TX_BATCHES = (1, 32)


def ip(*args: str) -> None:
    proc = subprocess.run(["ip", *args], capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)}: {proc.stderr.strip()}")


def rx_packets(ifname: str) -> int:
    """The interface's received-packets counter, from this network namespace's /proc/net/dev."""
    for line in Path("/proc/net/dev").read_text().splitlines()[2:]:
        name, _, counters = line.partition(":")
        if name.strip() == ifname:
            return int(counters.split()[1])
    raise KeyError(ifname)


# ---- inside the namespace ------------------------------------------------

def one_run(qc: ModuleType, direction: str, mode: str, size: int, count: int, path: str,
            batch: int) -> dict[str, Any]:
    spec = "af-xdp,id=bench,ifname=va" + ("" if mode == "auto" else f",mode={mode}")
    before = rx_packets("vb")
    r = qc.af_xdp_bench(direction, spec, "vb", size, count, path=path, batch=batch)
    r["peer_rx"] = rx_packets("vb") - before
    moved = r["sent"] if direction == "tx" else r["received"]
    if direction == "tx" and r["peer_rx"] < moved:
        moved = r["peer_rx"]                # count only what arrived
    r["moved"] = moved
    r["pps"] = moved / r["seconds"] if r["seconds"] > 0 else 0.0
    return r


def inside(args: argparse.Namespace) -> int:
    qc = load_extension(Path(args.extension))
    if not qc.af_xdp_available():
        sys.exit("this build has af-xdp compiled out: configure with --enable-af-xdp")
    results: list[dict[str, Any]] = []
    cases = [("tx", size, batch) for size in SIZES for batch in TX_BATCHES] + [("rx", size, 1) for size in SIZES]
    for direction, size, batch in cases:
        best: dict[str, dict[str, Any]] = {}
        for _ in range(args.repeat):
            for path, mode in [("af-packet", "-")] + [("af-xdp", m) for m in args.modes]:
                r = one_run(qc, direction, mode if mode != "-" else "skb", size, args.count, path, batch)
                key = f"{path}:{mode}"
                if key not in best or r["pps"] > best[key]["pps"]:
                    best[key] = dict(r, mode=mode)
        results.append({"direction": direction, "size": size, "batch": batch, "best": best})
    print(json.dumps(results))
    return 0


# ---- outside: the namespace, the table -----------------------------------

def fmt_rate(pps: float) -> str:
    return f"{pps / 1e6:.2f} M" if pps >= 1e6 else f"{pps / 1e3:.0f} k"


def print_table(results: list[dict[str, Any]], modes: list[str], count: int, repeat: int) -> None:
    print(f"frames per second over a veth pair, {count:,} frames per run, best of {repeat}; "
          f"kernel {platform.release()}, {os.cpu_count()} CPUs")
    print()
    print("| direction | frame | kick / syscall | af-xdp mode | af-xdp frames/s | AF_PACKET frames/s "
          "| af-xdp / AF_PACKET | lost: af-xdp / AF_PACKET |")
    print("| --- | ---: | --- | --- | ---: | ---: | ---: | ---: |")
    for row in results:
        pk = row["best"]["af-packet:-"]
        if row["direction"] == "rx":
            how = "recv per frame"
        else:
            how = "per frame" if row["batch"] == 1 else f"per {row['batch']} frames"
        for mode in modes:
            xdp = row["best"][f"af-xdp:{mode}"]
            used = xdp["xdp_mode"] if mode != "auto" else f"auto: {xdp['xdp_mode']}"
            ratio = xdp["pps"] / pk["pps"] if pk["pps"] else float("inf")
            print(f"| {row['direction']} | {row['size']} B | {how} | {used} | {fmt_rate(xdp['pps'])} "
                  f"| {fmt_rate(pk['pps'])} | {ratio:.2f}x | {count - xdp['moved']} / {count - pk['moved']} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", type=Path, help="a configured and built core (default: build one)")
    parser.add_argument("--modes", default="skb,native",
                        help="af-xdp modes to measure: skb, native, auto (default skb,native)")
    parser.add_argument("--count", type=int, default=200_000, help="frames per run (default 200000)")
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs (default 3)")
    parser.add_argument("--json", action="store_true", help="print the raw figures as JSON")
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--extension", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.modes = [m for m in args.modes.split(",") if m]
    if any(m not in ("skb", "native", "auto") for m in args.modes):
        parser.error("--modes takes skb, native and auto")
    if args.inside:
        return inside(args)

    if os.geteuid() != 0:
        sys.exit("bench/af_xdp.py needs root: it creates a network namespace and attaches XDP programs")
    if args.build_dir:
        build_dir = args.build_dir.resolve()
    else:
        build_dir = Path(tempfile.mkdtemp(prefix="qemu-af-xdp-bench-"))
        build_core(build_dir, "--enable-af-xdp")
    extension = extension_path(build_dir)

    ns = f"qc-axdp-bench-{os.getpid()}"
    ip("netns", "add", ns)
    try:
        ip("-n", ns, "link", "add", "va", "type", "veth", "peer", "name", "vb")
        for dev in ("va", "vb"):
            # No IPv6 on the pair: neighbour discovery would add frames the counters see.
            subprocess.run(["ip", "netns", "exec", ns, "sysctl", "-qw",
                            f"net.ipv6.conf.{dev}.disable_ipv6=1"], capture_output=True)
            ip("-n", ns, "link", "set", dev, "up")
        proc = subprocess.run(["ip", "netns", "exec", ns, sys.executable, __file__, "--inside",
                               "--extension", str(extension), "--modes", ",".join(args.modes),
                               "--count", str(args.count), "--repeat", str(args.repeat)],
                              capture_output=True, text=True)
    finally:
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)
    if proc.returncode != 0:
        sys.exit(f"the benchmark failed inside the namespace:\n{proc.stdout}\n{proc.stderr}")
    results = json.loads(proc.stdout.splitlines()[-1])
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print_table(results, args.modes, args.count, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
