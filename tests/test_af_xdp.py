"""The af-xdp netdev backend: its validator, the build with and without it, and real frames.

End to end: configure and build the core into temporary directories (with
--enable-af-xdp and with --disable-af-xdp, once per module), then load the
qemu_core extension each build produced.

* The validator tests need no privileges: parse_netdev() with check_host=False
  checks the string alone; with the host check they use ``lo``, which every
  network namespace has.
* The packet tests create their own network namespace with a veth pair (or a
  bridge), run a Python child inside it (``ip netns exec``) that loads the
  extension by path, and move frames between the backend on one end and an
  AF_PACKET raw socket on the other.  They need root (CAP_NET_ADMIN,
  CAP_NET_RAW, CAP_BPF); where the kernel or the privileges refuse, they skip
  with the reason.  The namespace is deleted in a finalizer.  Two of them
  drop capabilities on purpose (setpriv) to see the kernel's refusals
  reported, and inhibit=on working without them.
"""

from __future__ import annotations

import errno
import inspect
import itertools
import json
import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from e2e import REPO, extension_path, load_extension, parse_config_header, run

pytestmark = pytest.mark.slow

ETHERTYPE = 0x88B5                      # IEEE 802 local experimental


def frame(tag: int, i: int, size: int) -> bytes:
    """Frame i of a test direction (tag): broadcast, ETHERTYPE, size bytes, a distinct payload."""
    header = b"\xff" * 6 + bytes([0x02, 0, 0, 0, tag, i & 0xFF]) + struct.pack("!H", ETHERTYPE)
    body = struct.pack("!HI", tag, i) + bytes((i * 7 + j) & 0xFF for j in range(size - 20))
    return header + body


@pytest.fixture(scope="module")
def enabled(core_on: Path) -> Path:
    return core_on


@pytest.fixture(scope="module")
def disabled(core_off: Path) -> Path:
    return core_off


@pytest.fixture(scope="module")
def qc(enabled: Path) -> ModuleType:
    return load_extension(enabled)


# ---- the validator ------------------------------------------------------

def test_minimal_string_gets_the_defaults(qc: ModuleType) -> None:
    opts = qc.parse_netdev("af-xdp,id=net0,ifname=lo")
    assert opts == {"type": "af-xdp", "id": "net0", "ifname": "lo", "mode": None, "queues": 1,
                    "start-queue": 0, "force-copy": False, "inhibit": False, "sock-fds": None,
                    "ifindex": opts["ifindex"], "channels": None}
    assert opts["ifindex"] == 1          # lo is always the first interface of a namespace


def test_every_option(qc: ModuleType) -> None:
    spec = "af-xdp,id=n0,ifname=veth0,mode=skb,queues=2,start-queue=3,force-copy=on,inhibit=on,sock-fds=3:4"
    assert qc.parse_netdev(spec, check_host=False) == {
        "type": "af-xdp", "id": "n0", "ifname": "veth0", "mode": "skb", "queues": 2, "start-queue": 3,
        "force-copy": True, "inhibit": True, "sock-fds": (3, 4)}


@pytest.mark.parametrize("spec", [
    "type=af-xdp,id=n0,ifname=eth0",
    "id=n0,type=af-xdp,ifname=eth0",
    "af-xdp,ifname=eth0,id=n0",
])
def test_type_spellings(qc: ModuleType, spec: str) -> None:
    opts = qc.parse_netdev(spec, check_host=False)
    assert (opts["type"], opts["id"], opts["ifname"]) == ("af-xdp", "n0", "eth0")


@pytest.mark.parametrize("value, expected", [("on", True), ("yes", True), ("true", True),
                                             ("off", False), ("no", False), ("false", False)])
def test_booleans(qc: ModuleType, value: str, expected: bool) -> None:
    opts = qc.parse_netdev(f"af-xdp,id=n0,ifname=eth0,force-copy={value}", check_host=False)
    assert opts["force-copy"] is expected


def test_modes_and_escaped_comma(qc: ModuleType) -> None:
    assert qc.parse_netdev("af-xdp,id=n0,ifname=e,mode=native", check_host=False)["mode"] == "native"
    assert qc.parse_netdev("af-xdp,id=n0,ifname=e,mode=skb", check_host=False)["mode"] == "skb"
    # ",," is a comma inside a value (the kernel allows commas in interface names)
    assert qc.parse_netdev("af-xdp,id=n0,ifname=a,,b,queues=2", check_host=False)["ifname"] == "a,b"


def test_queue_limits(qc: ModuleType) -> None:
    assert qc.parse_netdev("af-xdp,id=n,ifname=e,queues=64", check_host=False)["queues"] == 64
    assert qc.parse_netdev("af-xdp,id=n,ifname=e,start-queue=0", check_host=False)["start-queue"] == 0
    fds = ":".join(str(i) for i in range(10, 18))
    opts = qc.parse_netdev(f"af-xdp,id=n,ifname=e,queues=8,inhibit=on,sock-fds={fds}", check_host=False)
    assert opts["sock-fds"] == tuple(range(10, 18))


# (netdev string, fragments the message must contain): each names the option and what to do.
REFUSED = [
    ("af-xdp,ifname=eth0", ["needs an id", "id=<name>"]),
    ("af-xdp,id=n0", ["needs the host interface", "ifname=<interface>"]),
    ("af-xdp", ["needs an id"]),
    ("af-xdp,id=n0,ifname=eth0,foo=1", ["'foo' is not an option", "ifname, mode, queues"]),
    ("af-xdp,id=n0,ifname=eth0,start_queue=1", ["did you mean 'start-queue'"]),
    ("af-xdp,id=n0,ifname=eth0,queue=2", ["did you mean 'queues'"]),
    ("af-xdp,id=n0,ifname=eth0,forcecopy=on", ["did you mean 'force-copy'"]),
    ("af-xdp,id=n0,ifname=eth0,queues=1,queues=2", ["'queues' is given twice", "queues=1, then queues=2",
                                                   "once"]),
    ("af-xdp,id=n0,id=n1,ifname=eth0", ["'id' is given twice"]),
    ("af-xdp,id=n0,ifname=eth0,queues=two", ["'queues=two' is not a number", "1 to 64"]),
    ("af-xdp,id=n0,ifname=eth0,queues=", ["'queues' has an empty value"]),
    ("af-xdp,id=n0,ifname=eth0,queues=0", ["'queues=0' is out of range", "1 to 64"]),
    ("af-xdp,id=n0,ifname=eth0,queues=65", ["'queues=65' is out of range"]),
    ("af-xdp,id=n0,ifname=eth0,queues=-1", ["'queues=-1' is negative"]),
    ("af-xdp,id=n0,ifname=eth0,queues=0x2", ["'queues=0x2' is not a number", "decimal"]),
    ("af-xdp,id=n0,ifname=eth0,queues=2k", ["'queues=2k' is not a number"]),
    ("af-xdp,id=n0,ifname=eth0,queues= 1", ["'queues= 1' is not a number"]),
    ("af-xdp,id=n0,ifname=eth0,start-queue=-1", ["'start-queue=-1' is negative", "0 to"]),
    ("af-xdp,id=n0,ifname=eth0,start-queue=99999999999", ["'start-queue=99999999999' is out of range"]),
    ("af-xdp,id=n0,ifname=eth0,start-queue=2147483647,queues=2", ["goes past queue"]),
    ("af-xdp,id=n0,ifname=eth0,force-copy=maybe", ["'force-copy=maybe' is not a boolean",
                                                   "force-copy=on or force-copy=off"]),
    ("af-xdp,id=n0,ifname=eth0,inhibit=1", ["'inhibit=1' is not a boolean"]),
    ("af-xdp,id=n0,ifname=eth0,force-copy", ["'force-copy' has no value", "force-copy=on"]),
    ("af-xdp,id=n0,ifname=eth0,queues", ["'queues' has no value", "queues=<value>"]),
    ("af-xdp,id=n0,ifname=eth0,mode=generic", ["'mode=generic' is not a mode", "mode=native", "mode=skb",
                                               "fall back"]),
    ("af-xdp,id=n0,ifname=eth0,mode=", ["'mode=' is not a mode"]),
    ("af-xdp,id=n0,ifname=eth0,inhibit=on", ["'inhibit=on' needs 'sock-fds'", "one per queue"]),
    ("af-xdp,id=n0,ifname=eth0,sock-fds=3", ["'sock-fds' is only valid with 'inhibit=on'", "add inhibit=on"]),
    ("af-xdp,id=n0,ifname=eth0,inhibit=off,sock-fds=3", ["only valid with 'inhibit=on'"]),
    ("af-xdp,id=n0,ifname=eth0,inhibit=on,sock-fds=3:4", ["'sock-fds' lists 2 descriptors but queues=1",
                                                          "one socket per queue", "queues=2"]),
    ("af-xdp,id=n0,ifname=eth0,queues=3,inhibit=on,sock-fds=3:4", ["lists 2 descriptors but queues=3"]),
    ("af-xdp,id=n0,ifname=eth0,queues=2,inhibit=on,sock-fds=3", ["lists 1 descriptor but queues=2"]),
    ("af-xdp,id=n0,ifname=eth0,inhibit=on,sock-fds=", ["'sock-fds' has an empty value"]),
    ("af-xdp,id=n0,ifname=eth0,inhibit=on,sock-fds=3:x", ["'x' is not a descriptor number", "separated by ':'"]),
    ("af-xdp,id=n0,ifname=eth0,queues=2,inhibit=on,sock-fds=3::4", ["'sock-fds=3::4' has an empty descriptor"]),
    ("af-xdp,id=n0,ifname=eth0,inhibit=on,sock-fds=-1", ["'-1' is not a descriptor number"]),
    ("af-xdp,id=n0,ifname=eth0,inhibit=on,sock-fds=3:", ["'sock-fds=3:' has an empty descriptor"]),
    ("af-xdp,id=n0,ifname=eth0,queues=2,inhibit=on,sock-fds=3:3", ["names descriptor 3 twice",
                                                                  "its own socket"]),
    ("af-xdp,id=1n,ifname=eth0", ["'id=1n' is not a valid id", "start with a letter"]),
    ("af-xdp,id=n 0,ifname=eth0", ["'id=n 0' is not a valid id"]),
    ("af-xdp,id=n0,ifname=", ["'ifname' has an empty value"]),
    ("af-xdp,id=n0,ifname=abcdefghijklmnop", ["'ifname=abcdefghijklmnop' is too long", "at most 15"]),
    ("af-xdp,id=n0,ifname=a/b", ["'ifname=a/b' is not an interface name"]),
    ("af-xdp,id=n0,ifname=..", ["'ifname=..' is not an interface name"]),
    ("af-xdp,id=n0,ifname=eth0,", ["empty option", "',,'"]),
    ("af-xdp,,id=n0,ifname=eth0", ["names no backend type"]),   # ',,' escaped the comma
    ("type=tap,id=n0,ifname=eth0", ["netdev type 'tap' is not a backend of this build", "types: af-xdp"]),
    ("tap,id=n0", ["netdev type 'tap' is not a backend of this build"]),
    ("", ["names no backend type", "-netdev help"]),
    ("id=n0,ifname=eth0", ["names no backend type"]),
]


@pytest.mark.parametrize("spec, fragments", REFUSED, ids=[s or "<empty>" for s, _ in REFUSED])
def test_refused_with_a_clear_message(qc: ModuleType, spec: str, fragments: list[str]) -> None:
    with pytest.raises(ValueError) as info:
        qc.parse_netdev(spec, check_host=False)
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, message


def test_the_backend_refuses_what_the_validator_refuses(qc: ModuleType) -> None:
    with pytest.raises(ValueError, match="'inhibit=on' needs 'sock-fds'"):
        qc.AfXdpNetdev("af-xdp,id=n0,ifname=lo,inhibit=on")
    with pytest.raises(ValueError, match="not a backend of this build"):
        qc.AfXdpNetdev("tap,id=n0,ifname=lo")


def test_interface_must_exist(qc: ModuleType) -> None:
    with pytest.raises(ValueError, match=r"ifname=nosuchif0: no such network interface in this network "
                                         r"namespace \(list them with 'ip link'\)"):
        qc.parse_netdev("af-xdp,id=n0,ifname=nosuchif0")
    # without the host check the same string is well formed
    assert qc.parse_netdev("af-xdp,id=n0,ifname=nosuchif0", check_host=False)["ifname"] == "nosuchif0"


def test_lo_reports_no_channels_so_the_range_is_left_to_the_kernel(qc: ModuleType) -> None:
    # lo has no ETHTOOL_GCHANNELS: the queue range cannot be read and is not checked here.
    opts = qc.parse_netdev("af-xdp,id=n0,ifname=lo,queues=4,start-queue=7")
    assert (opts["channels"], opts["queues"], opts["start-queue"]) == (None, 4, 7)


def test_sock_fds_must_be_open_af_xdp_sockets(qc: ModuleType, tmp_path: Path) -> None:
    r, w = os.pipe()
    os.close(w)
    closed = os.open(tmp_path, os.O_RDONLY)
    os.close(closed)
    try:
        with pytest.raises(ValueError, match=f"sock-fds: descriptor {closed} is not open in this process"):
            qc.parse_netdev(f"af-xdp,id=n0,ifname=lo,inhibit=on,sock-fds={closed}")
        with pytest.raises(ValueError, match=f"sock-fds: descriptor {r} is not an AF_XDP socket"):
            qc.parse_netdev(f"af-xdp,id=n0,ifname=lo,inhibit=on,sock-fds={r}")
    finally:
        os.close(r)


# ---- the build: compiled in, or the stub --------------------------------

def netdev_help(build_dir: Path) -> list[str]:
    out = run([str(build_dir / "qemu-system-x86_64"), "-netdev", "help"])
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "Available netdev backend types:"
    return lines[1:]


def target_sources(build_dir: Path) -> list[str]:
    out = run([sys.executable, "-m", "qemu_config", "sources", "--target", "x86_64-softmmu"], cwd=build_dir,
              env={**os.environ, "PYTHONPATH": str(REPO)})
    assert out.returncode == 0, out.stderr
    return out.stdout.split()


def linked_libraries(path: Path) -> str:
    out = run(["ldd", str(path)])
    return out.stdout if out.returncode == 0 else ""


def test_enabled_build_has_the_backend(enabled: Path, qc: ModuleType) -> None:
    assert parse_config_header(enabled / "config-host.h")["CONFIG_AF_XDP"] is True
    assert qc.build_config()["CONFIG_AF_XDP"] is True
    assert qc.netdev_backends() == ("af-xdp",)
    assert qc.af_xdp_available() is True
    assert qc.af_xdp_implementation().startswith("af-xdp:")
    assert netdev_help(enabled) == ["af-xdp"]
    sources = target_sources(enabled)
    assert "core/net/af-xdp.c" in sources and "core/net/af-xdp-stub.c" not in sources
    assert "core/net/net.c" in sources
    if shutil.which("ldd"):
        assert "libxdp" in linked_libraries(enabled / "qemu-system-x86_64")
        assert "libxdp" in linked_libraries(extension_path(enabled))


def test_disabled_build_has_the_stub(disabled: Path) -> None:
    assert parse_config_header(disabled / "config-host.h")["CONFIG_AF_XDP"] is False
    assert netdev_help(disabled) == []
    sources = target_sources(disabled)
    assert "core/net/af-xdp-stub.c" in sources and "core/net/af-xdp.c" not in sources
    if shutil.which("ldd"):
        assert "libxdp" not in linked_libraries(disabled / "qemu-system-x86_64")
        assert "libxdp" not in linked_libraries(extension_path(disabled))
    # The extension in a child: the enabled build's module of the same name is loaded in this process.
    code = """
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("qemu_core", sys.argv[1])
qc = importlib.util.module_from_spec(spec)
spec.loader.exec_module(qc)
result = {"backends": list(qc.netdev_backends()), "available": qc.af_xdp_available(),
          "implementation": qc.af_xdp_implementation(), "config": qc.build_config()["CONFIG_AF_XDP"]}
for name, call in (("parse", lambda: qc.parse_netdev("af-xdp,id=n0,ifname=lo")),
                   ("open", lambda: qc.AfXdpNetdev("af-xdp,id=n0,ifname=lo")),
                   ("other", lambda: qc.parse_netdev("tap,id=n0"))):
    try:
        call()
        result[name] = None
    except Exception as e:
        result[name] = [type(e).__name__, str(e)]
print(json.dumps(result))
"""
    out = run([sys.executable, "-c", code, str(extension_path(disabled))])
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["backends"] == [] and result["available"] is False and result["config"] is False
    assert result["implementation"].startswith("stub:")
    for name in ("parse", "open"):
        kind, message = result[name]
        assert kind == "RuntimeError"
        assert message.startswith("the af-xdp netdev backend was not compiled in: af_xdp is off: "
                                  "--disable-af-xdp was given; it needs pkg-config libxdp >=1.2.0, bpf on")
        assert message.endswith("; next: drop --disable-af-xdp")
    assert result["other"] == ["ValueError", "netdev type 'tap' is not a backend of this build "
                                             "(it has no netdev backend)"]


def netdev_check(build_dir: Path, spec: str) -> subprocess.CompletedProcess[str]:
    return run([str(build_dir / "qemu-system-x86_64"), "-netdev", spec])


def test_binary_checks_a_netdev_as_it_would_open_it(enabled: Path) -> None:
    ok = netdev_check(enabled, "af-xdp,id=n0,ifname=lo,mode=skb,queues=2,start-queue=1,force-copy=on")
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout == ("netdev n0: af-xdp on lo (ifindex 1), queues 1..2, mode skb, "
                         "force-copy on, inhibit off\n")
    auto = netdev_check(enabled, "af-xdp,id=n1,ifname=lo")
    assert "mode native (skb if refused)" in auto.stdout
    for spec, message in [
        ("af-xdp,id=n0,ifname=lo,queues=0", "'queues=0' is out of range"),
        ("af-xdp,id=n0,ifname=nosuch0", "ifname=nosuch0: no such network interface"),
        ("af-xdp,id=n0,ifname=lo,inhibit=on,sock-fds=987", "descriptor 987 is not open"),
        ("user,id=u0", "Parameter 'type' expects a netdev backend type: 'user' is not one of this build"),
    ]:
        bad = netdev_check(enabled, spec)
        assert bad.returncode == 1 and bad.stdout == ""
        first, *rest = bad.stderr.splitlines()
        assert first.startswith(f"{enabled / 'qemu-system-x86_64'}: -netdev {spec}: ") and message in first
        assert rest == []


def test_binary_without_the_backend_says_how_to_get_it(disabled: Path) -> None:
    bad = netdev_check(disabled, "af-xdp,id=n0,ifname=lo")
    assert bad.returncode == 1
    assert "af-xdp netdev backend was not compiled in: af_xdp is off: --disable-af-xdp was given" in bad.stderr
    assert "next: drop --disable-af-xdp" in bad.stderr
    none = netdev_check(disabled, "user,id=u0")
    assert none.returncode == 1 and "see -netdev help (it has none)" in none.stderr


# ---- packets, in a network namespace of the test's own ------------------

CHILD = r'''
import errno, importlib.util, json, os, socket, struct, subprocess, sys, time

ETHERTYPE = 0x88B5
SKIP_ERRNOS = {errno.EPERM, errno.EACCES, errno.EAFNOSUPPORT}

spec = importlib.util.spec_from_file_location("qemu_core", sys.argv[1])
qc = importlib.util.module_from_spec(spec)
spec.loader.exec_module(qc)


def raw_socket(ifname):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETHERTYPE))
    s.bind((ifname, ETHERTYPE))
    s.settimeout(2)
    return s


def or_skip(what, call):
    """call(), or a skip when the kernel or the privileges refuse it."""
    try:
        return call()
    except OSError as e:
        if e.errno in SKIP_ERRNOS:
            print(json.dumps({"skip": f"the kernel refused {what}: {e}"}))
            sys.exit(0)
        raise


def open_netdev(spec):
    return or_skip("the AF_XDP backend", lambda: qc.AfXdpNetdev(spec))


def receive_backend(nd, n):
    got, deadline = [], time.monotonic() + 5
    while len(got) < n and time.monotonic() < deadline:
        f = nd.recv(200)
        if f is not None and f[12:14] == struct.pack("!H", ETHERTYPE):
            got.append(f.hex())
    return got


def receive_raw(s, n):
    got = []
    try:
        while len(got) < n:
            got.append(s.recv(4096).hex())
    except socket.timeout:
        pass
    return got


def send_backend(nd, f, queue=0):
    for _ in range(1000):
        try:
            return nd.send(f, queue=queue)
        except BlockingIOError:
            nd.kick(queue=queue)
            time.sleep(0.001)
    raise TimeoutError("the backend never had a free Tx frame")


def exchange(nd, raw, n, sizes, tx_queue=0):
    """n frames from the raw socket (on the peer) to the backend, then n frames back."""
    for i in range(n):
        raw.send(frame(1, i, sizes[i % len(sizes)]))
    rx = receive_backend(nd, n)
    for i in range(n):
        send_backend(nd, frame(2, i, sizes[i % len(sizes)]), tx_queue)
    tx = receive_raw(raw, n)
    return {"rx": rx, "tx": tx}


def xdp_attached(ifname):
    out = subprocess.run(["ip", "-j", "link", "show", ifname], capture_output=True, text=True, check=True)
    return "xdp" in json.loads(out.stdout)[0]


def prepare_sockets(ifname):
    """The helper's side of inhibit=on."""
    return or_skip("the helper's XDP program or socket", lambda: qc.af_xdp_prepare_sockets(ifname))


def rx_packets(ifname):
    for line in open("/proc/net/dev").read().splitlines()[2:]:
        name, _, counters = line.partition(":")
        if name.strip() == ifname:
            return int(counters.split()[1])
    raise KeyError(ifname)


def error(e):
    return {"error": type(e).__name__, "errno": getattr(e, "errno", None), "message": str(e)}


def main(scenario, args):
    if scenario == "exchange":
        nd = open_netdev(args["spec"])
        result = {"mode": nd.mode, "queues": nd.queues}
        result.update(exchange(nd, raw_socket(args["peer"]), args["n"], args["sizes"], args.get("tx_queue", 0)))
        result["stats"] = nd.stats()
        result["attached_while_open"] = xdp_attached(nd.ifname)
        ifname = nd.ifname
        nd.close()
        result["attached_after_close"] = xdp_attached(ifname)
        return result
    if scenario == "open":
        try:
            with open_netdev(args["spec"]) as nd:
                return {"mode": nd.mode, "stats": nd.stats()}
        except OSError as e:
            return error(e)
    if scenario == "two":
        first = open_netdev(args["spec"])
        try:
            qc.AfXdpNetdev(args["spec"])
            return {"second": "opened"}
        except OSError as e:
            return error(e)
        finally:
            first.close()
    if scenario == "reopen":
        fds_before = len(os.listdir("/proc/self/fd"))
        modes = []
        for _ in range(args["times"]):
            nd = open_netdev(args["spec"])
            modes.append(nd.mode)
            nd.close()
        return {"modes": modes, "fds_before": fds_before, "fds_after": len(os.listdir("/proc/self/fd")),
                "attached_after_close": xdp_attached(args["ifname"])}
    if scenario == "inhibit":
        fds = prepare_sockets(args["ifname"])
        attached_by_helper = xdp_attached(args["ifname"])
        nd = open_netdev(f"af-xdp,id=h0,ifname={args['ifname']},inhibit=on,sock-fds={fds[0]}")
        result = {"mode": nd.mode, "attached_by_helper": attached_by_helper}
        result.update(exchange(nd, raw_socket(args["peer"]), args["n"], args["sizes"]))
        nd.close()
        try:
            os.fstat(fds[0])
            result["fd_closed"] = False
        except OSError:
            result["fd_closed"] = True
        result["attached_after_close"] = xdp_attached(args["ifname"])
        qc.af_xdp_detach_program(args["ifname"])
        result["attached_after_detach"] = xdp_attached(args["ifname"])
        return result
    if scenario == "unprivileged":
        # The helper (this process, root) prepares the socket and a raw socket on the peer; the
        # backend runs in a child with only the capabilities given (setpriv), under a 1 MiB
        # locked-memory limit.
        import resource
        fds = prepare_sockets(args["ifname"])
        raw = raw_socket(args["peer"])
        results = {}
        def limit():
            resource.setrlimit(resource.RLIMIT_MEMLOCK, (1 << 20, 1 << 20))
        for caps in args["capabilities"]:
            grandchild = dict(args, sock_fd=fds[0], raw_fd=raw.fileno())
            out = subprocess.run(["setpriv", "--bounding-set", caps, "--inh-caps", caps, sys.executable,
                                  __file__, sys.argv[1], "without-capabilities", json.dumps(grandchild)],
                                 pass_fds=(fds[0], raw.fileno()), preexec_fn=limit, capture_output=True,
                                 text=True, timeout=120)
            if out.returncode != 0:
                raise SystemExit(f"the unprivileged child failed:\n{out.stdout}\n{out.stderr}")
            results[caps] = json.loads(out.stdout.splitlines()[-1])
        qc.af_xdp_detach_program(args["ifname"])
        return results
    if scenario == "without-capabilities":
        status = open("/proc/self/status").read()
        cap_eff = int(status.split("CapEff:")[1].split()[0], 16)
        raw = socket.socket(fileno=args["raw_fd"])
        raw.settimeout(2)
        try:
            nd = qc.AfXdpNetdev(f"af-xdp,id=u0,ifname={args['ifname']},inhibit=on,sock-fds={args['sock_fd']}")
        except OSError as e:
            return dict(error(e), cap_eff=cap_eff)
        result = {"mode": nd.mode, "cap_eff": cap_eff}
        result.update(exchange(nd, raw, args["n"], args["sizes"]))
        nd.close()
        return result
    if scenario == "bench":
        runs = []
        for direction in ("tx", "rx"):
            for path in ("af-xdp", "af-packet"):
                before = rx_packets(args["peer"])
                r = qc.af_xdp_bench(direction, args["spec"], args["peer"], args["size"], args["count"],
                                    path=path, batch=args["batch"])
                r["peer_rx"] = rx_packets(args["peer"]) - before
                runs.append(r)
        return {"runs": runs}
    raise SystemExit(f"unknown scenario {scenario}")


print(json.dumps(main(sys.argv[2], json.loads(sys.argv[3]))))
'''

_namespaces = itertools.count()


class Netns:
    """A network namespace of the test's own, and commands inside it."""

    def __init__(self, name: str, child: Path, extension: Path) -> None:
        self.name = name
        self.child = child
        self.extension = extension

    def ip(self, *args: str) -> None:
        out = run(["ip", "-n", self.name, *args])
        if out.returncode != 0:
            pytest.skip(f"'ip -n {self.name} {' '.join(args)}' failed: {out.stderr.strip()}")

    def veth(self, a: str, b: str, queues: int = 1) -> None:
        q = ["numtxqueues", str(queues), "numrxqueues", str(queues)]
        self.ip("link", "add", a, *q, "type", "veth", "peer", "name", b, *q)
        for dev in (a, b):
            # No IPv6 neighbour discovery: the only frames on the pair are the test's.
            run(["ip", "netns", "exec", self.name, "sysctl", "-qw", f"net.ipv6.conf.{dev}.disable_ipv6=1"])
            self.ip("link", "set", dev, "up")

    def child_run(self, scenario: str, **args: Any) -> dict[str, Any]:
        out = subprocess.run(["ip", "netns", "exec", self.name, sys.executable, str(self.child),
                              str(self.extension), scenario, json.dumps(args)],
                             capture_output=True, text=True, timeout=300)
        assert out.returncode == 0, f"child {scenario} failed:\n{out.stdout}\n{out.stderr}"
        result = json.loads(out.stdout.splitlines()[-1])
        if "skip" in result:
            pytest.skip(result["skip"])
        return result

    def parse(self, spec: str) -> dict[str, Any]:
        code = ("import importlib.util, json, sys\n"
                "s = importlib.util.spec_from_file_location('qemu_core', sys.argv[1])\n"
                "qc = importlib.util.module_from_spec(s); s.loader.exec_module(qc)\n"
                "try:\n    print(json.dumps(qc.parse_netdev(sys.argv[2])))\n"
                "except ValueError as e:\n    print(json.dumps({'ValueError': str(e)}))\n")
        out = subprocess.run(["ip", "netns", "exec", self.name, sys.executable, "-c", code,
                              str(self.extension), spec], capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout)


@pytest.fixture(scope="module")
def child_script(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("af-xdp-child") / "child.py"
    path.write_text(inspect.getsource(frame) + CHILD)
    return path


@pytest.fixture
def netns(request: pytest.FixtureRequest, enabled: Path, child_script: Path) -> Netns:
    if os.geteuid() != 0:
        pytest.skip(f"the packet tests need root to create a network namespace and attach XDP programs "
                    f"(running as uid {os.geteuid()})")
    if not shutil.which("ip"):
        pytest.skip("the packet tests need iproute2's ip")
    name = f"qc-axdp-{os.getpid()}-{next(_namespaces)}"
    out = run(["ip", "netns", "add", name])
    if out.returncode != 0:
        pytest.skip(f"'ip netns add {name}' failed: {out.stderr.strip()}")
    request.addfinalizer(lambda: run(["ip", "netns", "del", name]))
    return Netns(name, child_script, extension_path(enabled))


SIZES = [60, 64, 128, 512, 1000, 1514]


def expected(tag: int, n: int, sizes: list[int] = SIZES) -> list[str]:
    return [frame(tag, i, sizes[i % len(sizes)]).hex() for i in range(n)]


def test_skb_mode_moves_frames_both_ways(netns: Netns) -> None:
    netns.veth("xa", "xb")
    r = netns.child_run("exchange", spec="af-xdp,id=t0,ifname=xa,mode=skb", peer="xb", n=64, sizes=SIZES)
    assert r["mode"] == "skb"
    assert r["rx"] == expected(1, 64)       # all 64, in order, byte for byte
    assert r["tx"] == expected(2, 64)
    (stats,) = r["stats"]
    assert stats["queue_id"] == 0
    assert stats["rx_packets"] == 64
    assert stats["tx_packets"] == 64 and stats["tx_in_flight"] == 0
    assert stats["rx_ring_full"] == 0 and stats["tx_invalid_descs"] == 0
    assert r["attached_while_open"] and not r["attached_after_close"]


def test_no_mode_on_veth(netns: Netns) -> None:
    # veth has had native XDP since Linux 4.19, so without mode= the first try (native) is expected to
    # succeed there; a kernel whose veth refuses it would fall back to skb.  Either way frames move.
    netns.veth("xa", "xb")
    r = netns.child_run("exchange", spec="af-xdp,id=t0,ifname=xa", peer="xb", n=32, sizes=SIZES)
    assert r["mode"] in ("native", "skb")
    assert r["rx"] == expected(1, 32) and r["tx"] == expected(2, 32)


def test_native_mode_and_force_copy_on_veth(netns: Netns) -> None:
    netns.veth("xa", "xb")
    r = netns.child_run("open", spec="af-xdp,id=t0,ifname=xa,mode=native")
    if "error" in r:
        # A refusal must say what to do.
        assert r["errno"] == errno.EOPNOTSUPP and "use mode=skb" in r["message"], r
        return
    assert r["mode"] == "native"
    r = netns.child_run("exchange", spec="af-xdp,id=t0,ifname=xa,mode=native,force-copy=on", peer="xb",
                        n=16, sizes=SIZES)
    assert r["mode"] == "native"
    assert r["rx"] == expected(1, 16) and r["tx"] == expected(2, 16)


def test_native_falls_back_to_skb_on_a_bridge(netns: Netns) -> None:
    # A bridge has no native XDP (no ndo_bpf): without mode= the backend must fall back to skb,
    # and mode=native must be refused with EOPNOTSUPP and a message that says what to do.
    netns.ip("link", "add", "br0", "type", "bridge")
    netns.veth("pa", "pb")
    netns.ip("link", "set", "pa", "master", "br0")
    netns.ip("link", "set", "br0", "up")
    r = netns.child_run("open", spec="af-xdp,id=b0,ifname=br0,mode=native")
    assert r["error"] == "OSError" and r["errno"] == errno.EOPNOTSUPP, r
    assert "native mode" in r["message"] and "use mode=skb" in r["message"]
    # Broadcast frames sent into the bridge port reach br0's own receive path, where generic XDP runs.
    r = netns.child_run("exchange", spec="af-xdp,id=b0,ifname=br0", peer="pb", n=16, sizes=SIZES)
    assert r["mode"] == "skb"
    assert r["rx"] == expected(1, 16) and r["tx"] == expected(2, 16)
    assert not r["attached_after_close"]


def test_inhibit_uses_the_helpers_program_and_sockets(netns: Netns) -> None:
    netns.veth("xa", "xb")
    r = netns.child_run("inhibit", ifname="xa", peer="xb", n=32, sizes=SIZES)
    assert r["attached_by_helper"]
    assert r["mode"] in ("native", "skb")    # the helper's program's mode, as the kernel reports it
    assert r["rx"] == expected(1, 32) and r["tx"] == expected(2, 32)
    assert r["fd_closed"]                    # the backend owned the socket it was given
    assert r["attached_after_close"]         # ... but not the program: that is the helper's
    assert not r["attached_after_detach"]


def test_inhibit_lets_a_backend_without_capabilities_move_frames(netns: Netns) -> None:
    # What inhibit=on is for: a privileged helper attaches the program and creates the socket; the
    # backend, without CAP_NET_RAW, CAP_BPF or CAP_NET_ADMIN, registers its UMEM on it and binds it.
    # The 16 MiB UMEM is pinned memory: with no capability at all, under a 1 MiB locked-memory
    # limit, the kernel refuses (ENOBUFS) and the message says what to do; with CAP_IPC_LOCK
    # alone frames move.
    if not shutil.which("setpriv"):
        pytest.skip("needs util-linux's setpriv to run the backend without capabilities")
    netns.veth("xa", "xb")
    r = netns.child_run("unprivileged", ifname="xa", peer="xb", n=32, sizes=SIZES,
                        capabilities=["-all", "-all,+ipc_lock"])
    refused, moved = r["-all"], r["-all,+ipc_lock"]
    assert refused["cap_eff"] == 0
    assert refused["error"] == "OSError" and refused["errno"] in (errno.ENOBUFS, errno.ENOMEM), refused
    assert "could not set up the AF_XDP socket" in refused["message"]
    assert "ulimit -l" in refused["message"] and "CAP_IPC_LOCK" in refused["message"]
    assert moved["cap_eff"] == 1 << 14, moved          # CAP_IPC_LOCK, nothing else
    assert moved["mode"] in ("native", "skb")
    assert moved["rx"] == expected(1, 32) and moved["tx"] == expected(2, 32)


def test_without_capabilities_and_without_inhibit_the_kernel_refuses(netns: Netns) -> None:
    if not shutil.which("setpriv"):
        pytest.skip("needs util-linux's setpriv to run the backend without capabilities")
    netns.veth("xa", "xb")
    code = """
import importlib.util, json, sys
s = importlib.util.spec_from_file_location('qemu_core', sys.argv[1])
qc = importlib.util.module_from_spec(s); s.loader.exec_module(qc)
try:
    qc.AfXdpNetdev('af-xdp,id=t0,ifname=xa')
    print(json.dumps(None))
except OSError as e:
    print(json.dumps([type(e).__name__, e.errno, str(e)]))
"""
    out = subprocess.run(["ip", "netns", "exec", netns.name, "setpriv", "--bounding-set", "-all", "--inh-caps",
                          "-all", sys.executable, "-c", code, str(netns.extension)],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    kind, err, message = json.loads(out.stdout)
    assert (kind, err) == ("PermissionError", errno.EPERM)
    assert "could not load libxdp's XSK program" in message
    assert "CAP_BPF and CAP_NET_ADMIN" in message and "inhibit=on,sock-fds=" in message


def test_queues_and_channels(netns: Netns) -> None:
    netns.veth("xa", "xb", queues=4)
    assert netns.parse("af-xdp,id=q,ifname=xa")["channels"] == 4
    refused = netns.parse("af-xdp,id=q,ifname=xa,start-queue=3,queues=2")
    assert refused["ValueError"] == ("start-queue=3,queues=2 asks for queues 3..4 of xa, which has 4 queues "
                                     "(see 'ethtool -l xa'): lower start-queue or queues, or add channels "
                                     "with 'ethtool -L xa combined N'")
    assert "asks for queues 4..4" in netns.parse("af-xdp,id=q,ifname=xa,start-queue=4")["ValueError"]
    # Every queue bound: whichever queue the peer's frames land on, the backend receives them.
    r = netns.child_run("exchange", spec="af-xdp,id=q,ifname=xa,queues=4", peer="xb", n=32, sizes=SIZES,
                        tx_queue=3)
    assert r["queues"] == 4
    assert [s["queue_id"] for s in r["stats"]] == [0, 1, 2, 3]
    assert r["rx"] == expected(1, 32) and r["tx"] == expected(2, 32)
    assert sum(s["tx_packets"] for s in r["stats"]) == r["stats"][3]["tx_packets"] == 32
    # A range inside the channels: queues 2 and 3, sending through the second (the interface's 3).
    r = netns.child_run("exchange", spec="af-xdp,id=q,ifname=xa,start-queue=2,queues=2", peer="xb", n=0,
                        sizes=SIZES)
    assert [s["queue_id"] for s in r["stats"]] == [2, 3]


def test_single_queue_veth_refuses_a_second_queue(netns: Netns) -> None:
    netns.veth("xa", "xb")
    assert netns.parse("af-xdp,id=q,ifname=xa")["channels"] == 1
    assert "which has 1 queue " in netns.parse("af-xdp,id=q,ifname=xa,queues=2")["ValueError"]


def test_close_releases_everything_for_an_immediate_reopen(netns: Netns) -> None:
    # A closed socket releases its queue asynchronously; the backend waits for it rather than
    # failing with EBUSY.  No descriptor may leak across open/close.
    netns.veth("xa", "xb")
    r = netns.child_run("reopen", spec="af-xdp,id=t0,ifname=xa,mode=skb", ifname="xa", times=5)
    assert r["modes"] == ["skb"] * 5
    assert r["fds_after"] == r["fds_before"]
    assert not r["attached_after_close"]


def test_a_second_backend_on_the_same_interface_is_refused(netns: Netns) -> None:
    netns.veth("xa", "xb")
    r = netns.child_run("two", spec="af-xdp,id=t0,ifname=xa,mode=skb")
    assert r["error"] == "OSError" and r["errno"] in (errno.EBUSY, errno.EEXIST), r
    assert "could not attach the XDP program to xa" in r["message"]
    assert "inhibit=on" in r["message"]


def test_send_refuses_bad_frames_and_queues(netns: Netns) -> None:
    # Checked before anything reaches the kernel, but on an open backend: inside the namespace.
    netns.veth("xa", "xb")
    code = """
import importlib.util, json, sys
s = importlib.util.spec_from_file_location('qemu_core', sys.argv[1])
qc = importlib.util.module_from_spec(s); s.loader.exec_module(qc)
out = []
with qc.AfXdpNetdev('af-xdp,id=t0,ifname=xa,mode=skb') as nd:
    for call in (lambda: nd.send(b'x' * 4097), lambda: nd.send(b'x' * 10), lambda: nd.send(b'x' * 60, queue=1),
                 lambda: nd.fileno(queue=2)):
        try:
            call(); out.append(None)
        except ValueError as e:
            out.append(str(e))
    out.append(nd.fileno() >= 0)
try:
    nd.recv()
except ValueError as e:
    out.append(str(e))
out.append(nd.closed)
print(json.dumps(out))
"""
    proc = subprocess.run(["ip", "netns", "exec", netns.name, sys.executable, "-c", code, str(netns.extension)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    if out[0] is None:
        pytest.fail(f"a 4097-byte frame was accepted: {out}")
    assert out[0] == "a frame of 4097 bytes cannot be sent: frames are 14 to 4096 bytes"
    assert out[1] == "a frame of 10 bytes cannot be sent: frames are 14 to 4096 bytes"
    assert out[2] == "queue 1 is not one of this netdev's 1 queues (0 .. 0)"
    assert out[3] == "queue 2 is not one of this netdev's 1 queues (0 .. 0)"
    assert out[4] is True
    assert out[5] == "the af-xdp netdev is closed" and out[6] is True


def test_bench_moves_every_frame(netns: Netns) -> None:
    # The benchmark's C loops: every frame sent arrives (tx: vb's counter), every frame sent to
    # the path is received or counted as dropped by the kernel (rx), in order.
    netns.veth("xa", "xb")
    r = netns.child_run("bench", spec="af-xdp,id=b0,ifname=xa,mode=skb", peer="xb", size=64, count=3000,
                        batch=32)
    for one in r["runs"]:
        assert one["xdp_mode"] == ("skb" if one["path"] == "af-xdp" else None), one
        assert one["count"] == 3000 and one["seconds"] > 0, one
        if one["direction"] == "tx":
            assert one["sent"] == 3000 and one["peer_rx"] == 3000, one
        else:
            assert one["sent"] == 3000 and one["received"] + one["kernel_drops"] == 3000, one
            assert one["received"] > 0 and one["out_of_order"] == 0, one
