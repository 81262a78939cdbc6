#!/usr/bin/env python3
"""Write the cluster's nginx configuration from deploy/nginx/ttps.conf.template.

Standard library only. scripts/cluster.sh calls it with the cluster's ports; on its own:

    python3 scripts/cluster_nginx.py --run-dir .rasa/cluster --log-dir logs/cluster \\
        --rasa 127.0.0.1:5011 127.0.0.1:5012 --actions 127.0.0.1:5061 127.0.0.1:5062 --check

Every {{NAME}} of the template must be filled (an unknown or a leftover one is an error), and
--check runs `nginx -t` on the result. docs/cluster.md describes the settings.
"""
from __future__ import annotations

import argparse
import ipaddress
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "deploy" / "nginx" / "ttps.conf.template"
PLACEHOLDER = re.compile(r"\{\{([A-Z_]+)\}\}")
RATE = re.compile(r"^\d+r/[sm]$")
SIZE = re.compile(r"^\d+[kKmM]?$")
DURATION = re.compile(r"^\d+(ms|s|m)?$")
INDENT = " " * 8


def host_port(value: str) -> str:
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, got {value!r}")
    return value


def matching(pattern: re.Pattern, what: str):
    def check(value: str) -> str:
        if not pattern.match(value):
            raise argparse.ArgumentTypeError(f"{what}: {value!r}")
        return value
    return check


def network(value: str) -> str:
    try:
        return str(ipaddress.ip_network(value, strict=False))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--template", type=Path, default=TEMPLATE)
    p.add_argument("--out", type=Path, help="default: RUN_DIR/nginx.conf")
    p.add_argument("--run-dir", type=Path, required=True, help="nginx prefix: pid, temp files")
    p.add_argument("--log-dir", type=Path, required=True)
    p.add_argument("--web-dir", type=Path, default=ROOT / "web", help="holds demo/ and dist/")
    p.add_argument("--rasa", nargs="+", type=host_port, required=True, metavar="HOST:PORT")
    p.add_argument("--actions", nargs="+", type=host_port, required=True, metavar="HOST:PORT")
    p.add_argument("--listen", type=host_port, default="127.0.0.1:8088",
                   help="the public listener (default 127.0.0.1:8088)")
    p.add_argument("--action-port", type=int, default=5060,
                   help="loopback port of the action servers' balancer (default 5060)")
    p.add_argument("--public-url", default=None,
                   help="the origin the demo page's widget talks to (default http://LISTEN)")
    p.add_argument("--workers", default="1")
    p.add_argument("--max-body", type=matching(SIZE, "a size such as 64k"), default="64k")
    p.add_argument("--rest-rate", type=matching(RATE, "a rate such as 5r/s"), default="5r/s")
    p.add_argument("--rest-burst", type=int, default=20)
    p.add_argument("--socketio-rate", type=matching(RATE, "a rate such as 5r/s"), default="5r/s")
    p.add_argument("--socketio-burst", type=int, default=20)
    p.add_argument("--platform-rate", type=matching(RATE, "a rate"), default="50r/s")
    p.add_argument("--platform-burst", type=int, default=200)
    p.add_argument("--rate-exempt", nargs="*", type=network, default=["127.0.0.1/32"],
                   metavar="CIDR", help="clients never rate-limited (default 127.0.0.1/32)")
    p.add_argument("--read-timeout", type=matching(DURATION, "a duration"), default="300s",
                   help="waiting for Rasa's answer to a message (default 300s)")
    p.add_argument("--next-upstream-timeout", type=matching(DURATION, "a duration"),
                   default="360s")
    p.add_argument("--action-read-timeout", type=matching(DURATION, "a duration"), default="60s")
    p.add_argument("--connect-timeout", type=matching(DURATION, "a duration"), default="5s",
                   help="connecting to a Rasa server for a message (default 5s)")
    p.add_argument("--max-fails", type=int, default=3,
                   help="failures within --fail-timeout that take a server out for that long")
    p.add_argument("--fail-timeout", type=matching(DURATION, "a duration"), default="5s")
    p.add_argument("--check", action="store_true", help="run `nginx -t` on the result")
    return p


def servers(addresses: list[str], max_fails: int, fail_timeout: str, backup_after: int = 0) -> str:
    lines = []
    for i, address in enumerate(addresses):
        extra = " backup" if backup_after and i >= backup_after else ""
        lines.append(f"{INDENT}server {address} max_fails={max_fails} "
                     f"fail_timeout={fail_timeout}{extra};")
    return "\n".join(lines)


def world_readable(path: Path) -> bool:
    """Whether any user can read the files under ``path`` (every parent enterable)."""
    for part in [path, *path.parents]:
        if not os.stat(part).st_mode & 0o001:
            return False
    return all(os.stat(f).st_mode & 0o004 for f in path.rglob("*") if f.is_file())


def worker_user(web_dir: Path) -> str:
    """Started by root, nginx runs its workers as nobody: fine when nobody can read the widget's
    files; otherwise (a clone inside /root, say) the workers stay root, with a warning."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return ""
    if web_dir.exists() and world_readable(web_dir):
        return "user nobody nogroup;"
    print(f"warning: {web_dir} is not readable by nobody; nginx workers will run as root",
          file=sys.stderr)
    return "user root;"


def values(args: argparse.Namespace) -> dict[str, str]:
    run_dir, log_dir = args.run_dir.resolve(), args.log_dir.resolve()
    exempt = "\n".join(f"{INDENT}{net} 1;" for net in args.rate_exempt)
    user = worker_user(args.web_dir.resolve())
    return {
        "WORKERS": str(args.workers),
        "USER": user,
        "RUN_DIR": str(run_dir),
        "LOG_DIR": str(log_dir),
        "WEB_DIR": str(args.web_dir.resolve()),
        "LISTEN": args.listen,
        "PUBLIC_URL": args.public_url or f"http://{args.listen}",
        "ACTION_LB_PORT": str(args.action_port),
        "RASA_SERVERS": servers(args.rasa, args.max_fails, args.fail_timeout),
        "RASA_PRIMARY_BACKUP": servers(args.rasa, args.max_fails, args.fail_timeout, backup_after=1),
        "ACTION_SERVERS": servers(args.actions, args.max_fails, args.fail_timeout),
        "RASA_TRIES": str(len(args.rasa)),
        "RATE_EXEMPT": exempt,
        "MAX_BODY": args.max_body,
        "REST_RATE": args.rest_rate,
        "REST_BURST": str(args.rest_burst),
        "SOCKETIO_RATE": args.socketio_rate,
        "SOCKETIO_BURST": str(args.socketio_burst),
        "PLATFORM_RATE": args.platform_rate,
        "PLATFORM_BURST": str(args.platform_burst),
        "READ_TIMEOUT": args.read_timeout,
        "NEXT_UPSTREAM_TIMEOUT": args.next_upstream_timeout,
        "ACTION_READ_TIMEOUT": args.action_read_timeout,
        "CONNECT_TIMEOUT": args.connect_timeout,
    }


def render(template: str, filled: dict[str, str]) -> str:
    names = set(PLACEHOLDER.findall(template))
    unknown = names - filled.keys()
    if unknown:
        raise SystemExit(f"the template names values this script does not fill: {sorted(unknown)}")
    return PLACEHOLDER.sub(lambda m: filled[m.group(1)], template)


def nginx_test(conf: Path, run_dir: Path) -> subprocess.CompletedProcess:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    return subprocess.run([nginx, "-t", "-q", "-p", str(run_dir), "-c", str(conf)],
                          capture_output=True, text=True)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    text = render(args.template.read_text(encoding="utf-8"), values(args))
    run_dir = args.run_dir.resolve()
    for sub in ("tmp/body", "tmp/proxy", "tmp/fastcgi", "tmp/uwsgi", "tmp/scgi"):
        (run_dir / sub).mkdir(parents=True, exist_ok=True)
    args.log_dir.mkdir(parents=True, exist_ok=True)
    out = args.out or run_dir / "nginx.conf"
    out.write_text(text, encoding="utf-8")
    if args.check:
        result = nginx_test(out, run_dir)
        if result.returncode != 0:
            sys.stderr.write(result.stderr)
            return 1
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
