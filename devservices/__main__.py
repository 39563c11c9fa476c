"""Command line: ``python -m devservices {install|up|status|down|env|run|chart}``."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

from devservices.services import REALM, ServiceError, Stack, http_ok

API_PORT = int(os.environ.get("STRATA_DEV_API_PORT", "8000"))


def _run_api(stack: Stack) -> int:
    """Run the API in the foreground against the stack until Ctrl-C."""
    started = stack.up()
    env = {**os.environ, **stack.app_env(), "STRATA_LOG_FORMAT": os.environ.get("STRATA_LOG_FORMAT", "text")}
    api = subprocess.Popen(
        [sys.executable, "-m", "cli", "serve", "--host", "127.0.0.1", "--port", str(API_PORT)],
        env=env,
    )
    base = f"http://127.0.0.1:{API_PORT}"
    try:
        deadline = time.monotonic() + 60
        while not http_ok(f"{base}/readyz"):
            if api.poll() is not None or time.monotonic() > deadline:
                print("devservices: the API did not become ready", file=sys.stderr)
                return 1
            time.sleep(0.3)
        issuer = stack.keycloak.issuer()
        print(
            f"\nWeb catalogue: {base}/ (sign in as alice / alice-pass)\n"
            f"Strata API: {base}/graphql\n"
            f"OIDC issuer: {issuer}\n"
            f"Token for alice (password grant, public client strata-cli):\n"
            f"  curl -s {issuer}/protocol/openid-connect/token -d grant_type=password "
            f"-d client_id=strata-cli -d username=alice -d password=alice-pass | "
            f"python3 -c 'import json,sys; print(json.load(sys.stdin)[\"access_token\"])'\n"
            f"Then send it as 'Authorization: Bearer <token>' (GraphiQL: the Headers tab).\n"
            "Users: alice, bob (admin), olga (owner), carol, rhea (reading-climate admin), dave; "
            f"password <name>-pass. Realm: {REALM}.\n"
            f"Press Ctrl-C to stop.\n",
            flush=True,
        )
        return api.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        if api.poll() is None:
            api.terminate()
            api.wait(timeout=20)
        stack.down(started)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="devservices", description=__doc__)
    parser.add_argument("command", choices=["install", "up", "status", "down", "env", "run", "chart"])
    args = parser.parse_args(argv)
    stack = Stack()
    try:
        if args.command == "install":
            for service in stack.services:
                service.install()
        elif args.command == "up":
            stack.up()
        elif args.command == "down":
            stack.down()
        elif args.command == "status":
            states = stack.status()
            for name, running in states.items():
                print(f"{name}: {'running' if running else 'stopped'}")
            return 0 if all(states.values()) else 3
        elif args.command == "env":
            print(stack.dump_env())
        elif args.command == "chart":
            from devservices import chart

            chart.check()
        else:
            return _run_api(stack)
    except ServiceError as error:
        print(f"devservices: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
