"""People for the tests of sign-in, ownership, limits and metrics: the bootstrap key, bearer
headers, and users and tokens made with the product's own command line (``voxtell-web users|tokens``)."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

from backend.cli import main as cli

KEY = "bootstrap-admin-key-0123456789"  # VOXTELL_API_KEY of the keyed test servers
ADMIN = {"Authorization": f"Bearer {KEY}"}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def run_cli(*args: str) -> tuple[int, str, str]:
    """``voxtell-web <args>`` in this process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli(list(args))
    return code, out.getvalue(), err.getvalue()


def cli_ok(*args: str) -> str:
    """``voxtell-web <args>``, which must succeed: its stdout, stripped."""
    code, out, _ = run_cli(*args)
    assert code == 0, args
    return out.strip()


def person(data: Path, name: str) -> dict[str, str]:
    """A new user ``name`` in the data dir and the bearer header of a token of theirs."""
    cli_ok("users", "add", name, "--data-dir", str(data))
    return bearer(cli_ok("tokens", "create", name, "--data-dir", str(data)))
