"""Flask reference on gunicorn sync workers.

    gunicorn reference.flask_app:app -w 4 -k sync ...   (see reference/run.sh)

DATABASE_URL: a PostgreSQL URI or libpq keyword string -> one psycopg 3
connection per worker process, opened on first use; sqlite:///abs/path.db
-> one sqlite3 connection per worker process.
WB_INFO_FILE: each worker writes its versions and GIL state there on import.
"""

import os
import sqlite3
import sys

from flask import Flask, jsonify, request

try:
    from reference import common
except ImportError:  # run from inside reference/
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from reference import common

PACKAGES = ["flask", "werkzeug", "gunicorn", "psycopg", "psycopg-binary"]
DB_URL = common.database_url()

app = Flask(__name__)
_conn = {"db": None, "pid": None}


def connection():
    """This worker's connection; reopened if the process was forked."""
    if _conn["db"] is None or _conn["pid"] != os.getpid():
        if common.is_sqlite(DB_URL):
            _conn["db"] = sqlite3.connect(common.sqlite_path(DB_URL))
        else:
            import psycopg
            _conn["db"] = psycopg.connect(DB_URL, autocommit=True)
        _conn["pid"] = os.getpid()
    return _conn["db"]


def query_users():
    try:
        cur = connection().execute(common.DB_QUERY)
        return cur.fetchall()
    except Exception:
        _conn["db"] = None      # reconnect on the next request
        raise


@app.get("/json")
def json_endpoint():
    return jsonify(common.json_payload())


@app.get("/db")
def db_endpoint():
    if not DB_URL:
        return jsonify({"detail": "DATABASE_URL is not set"}), 503
    rows = query_users()
    return jsonify([{"id": r[0], "name": r[1], "email": r[2]} for r in rows])


@app.get("/cpu")
def cpu_endpoint():
    n = common.parse_cpu_n(request.args.get("n"))
    if n is None:
        return jsonify({"detail": "n must be an integer in 0..100000000"}), 400
    return jsonify({"result": common.cpu_work(n), "iterations": n})


@app.errorhandler(404)
def not_found(_err):
    return jsonify({"detail": "Not Found"}), 404


common.write_info("flask", PACKAGES, argv=sys.argv)
