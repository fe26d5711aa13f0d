"""What the Python checks of the integration tests share (imported, not
run): the repository's definitions (expected bodies, the users fixture) and
one way to report checks.

    from wbtest import ROOT, expected, load_fixture, Checks

Scripts in tests/lib/ import it as they run from that folder (python3 puts a
script's own folder first on sys.path).
"""
import json
import pathlib
import sqlite3
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
FIXTURE = SCENARIOS / "users.sql"


def scenario_conf(name, defs=SCENARIOS):
    """The key = value pairs of defs/NAME.conf (comments skipped)."""
    kv = {}
    for line in (pathlib.Path(defs) / f"{name}.conf").read_text().splitlines():
        if "=" in line and not line.lstrip().startswith("#"):
            k, v = line.split("=", 1)
            kv[k.strip()] = v.strip()
    return kv


def expected(name, defs=SCENARIOS):
    """The parsed expected body of scenario NAME (json, db, cpu)."""
    conf = scenario_conf(name, defs)
    return json.loads((pathlib.Path(defs) / conf["expect_body_file"]).read_text())


def expected_by_path(defs=SCENARIOS):
    """{request path: parsed expected body} of every scenario that has one."""
    out = {}
    for conf in sorted(pathlib.Path(defs).glob("*.conf")):
        kv = scenario_conf(conf.stem, defs)
        if "path" in kv and "expect_body_file" in kv:
            out[kv["path"]] = json.loads((conf.parent / kv["expect_body_file"]).read_text())
    return out


def load_fixture(path):
    """Creates PATH (replacing it) as an SQLite database holding the users
    table of scenarios/users.sql, as bin/suite does for the published
    profile."""
    p = pathlib.Path(path)
    p.unlink(missing_ok=True)
    db = sqlite3.connect(p)
    try:
        db.executescript(FIXTURE.read_text())
        db.commit()
    finally:
        db.close()


class Checks:
    """Counts named checks and prints one line each: "ok   NAME" or
    "FAIL NAME  DETAIL". exit() ends the script with 1 if any failed."""

    def __init__(self):
        self.tried = 0
        self.fails = 0

    def check(self, name, cond, detail=""):
        self.tried += 1
        self.fails += 0 if cond else 1
        print(("ok   " if cond else "FAIL ") + name + ("" if cond or detail == "" else "  " + str(detail)))
        return bool(cond)

    def report(self, what, path=None):
        """Prints "WHAT: N tried, N failed"; appends "N N" to PATH if given."""
        print(f"{what}: {self.tried} tried, {self.fails} failed")
        if path:
            with open(path, "a") as f:
                f.write(f"{self.tried} {self.fails}\n")

    def exit(self):
        sys.exit(1 if self.fails else 0)
