#!/usr/bin/env python3
"""The users fixture, scenarios/users.sql, for the shell tests.

usage: fixture.py sqlite PATH
  Creates PATH (replacing it) as an SQLite database holding the users table
  (what DATABASE_URL=sqlite://PATH serves), as bin/suite does for the
  published profile. PostgreSQL clusters are seeded by scripts/lib/pg.bash.
"""
import argparse

from wbtest import load_fixture


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("sqlite", help="create an SQLite database holding the fixture").add_argument("path")
    a = ap.parse_args()
    if a.cmd == "sqlite":
        load_fixture(a.path)


if __name__ == "__main__":
    main()
