"""An in-memory D1 for bench/cpu: SQLite (Python's sqlite3) in a separate process, answering one
JSON line per request over two FIFOs. It runs outside the measured Node process, as D1 runs
outside the Worker's isolate on Cloudflare, so its CPU is not the Worker's.

usage: sqlite_server.py REQUEST_FIFO REPLY_FIFO MIGRATIONS_DIR
request: {"op": "first"|"all"|"run"|"batch"|"sql", "sql", "params"} or {"op": "batch", "statements": [...]}
reply: the shape host/bindings.mjs gives the guest, or {"error": message}
"""
import json
import os
import sqlite3
import sys


def connect(migrations):
    db = sqlite3.connect(":memory:", isolation_level=None)
    db.row_factory = sqlite3.Row
    db.execute("PRAGMA foreign_keys = ON")
    for name in sorted(os.listdir(migrations)):
        if name.endswith(".sql"):
            with open(os.path.join(migrations, name), encoding="utf-8") as f:
                db.executescript(f.read())
    return db


def value(v):
    return list(v) if isinstance(v, bytes) else v


# Rows handed back to the Worker (a lower bound on what D1 meters as rows read, which counts
# rows scanned).
returned = 0


def execute(db, stmt):
    global returned
    cur = db.execute(stmt["sql"], [int(p) if isinstance(p, bool) else p for p in stmt.get("params") or []])
    rows = [{k: value(r[k]) for k in r.keys()} for r in cur.fetchall()]
    returned += len(rows)
    meta = {"changes": max(cur.rowcount, 0), "last_row_id": cur.lastrowid}
    return rows, meta


def handle(db, req):
    op = req.get("op")
    if op == "stats":
        # For bench/cpu's D1 columns: rows changed (inserts, updates, deletes), rows returned, and
        # the database's size.
        pages = db.execute("PRAGMA page_count").fetchone()[0] * db.execute("PRAGMA page_size").fetchone()[0]
        return {"changes": db.total_changes, "returned": returned, "bytes": pages}
    if op == "batch":
        out = []
        db.execute("BEGIN")
        try:
            for s in req["statements"]:
                rows, meta = execute(db, s)
                out.append({"results": rows, "meta": meta})
            db.execute("COMMIT")
        except Exception:
            db.execute("ROLLBACK")
            raise
        return {"results": out}
    if op == "sql":
        try:
            rows, meta = execute(db, req)
        except sqlite3.ProgrammingError:  # several statements: storage.sql.exec runs them all
            db.executescript(req["sql"])
            rows, meta = [], {"changes": 0}
        return {"rows": rows, "written": meta["changes"]}
    rows, meta = execute(db, req)
    if op == "first":
        return {"row": rows[0] if rows else None}
    if op == "run":
        return {"meta": meta}
    if op == "all":
        return {"results": rows, "meta": meta}
    raise ValueError(f"unknown d1 op {op}")


def main():
    req_path, reply_path, migrations = sys.argv[1:4]
    db = connect(migrations)
    dbs = {}
    with open(req_path, "r", encoding="utf-8") as requests, open(reply_path, "w", encoding="utf-8") as replies:
        for line in requests:
            req = json.loads(line)
            # "db" names a separate database (a Durable Object's own SQLite storage).
            name = req.pop("db", None)
            if name is not None and name not in dbs:
                dbs[name] = sqlite3.connect(":memory:", isolation_level=None)
            target = db if name is None else dbs[name]
            target.row_factory = sqlite3.Row
            try:
                reply = handle(target, req)
            except Exception as e:  # noqa: BLE001 - every failure goes back to the guest as D1's would
                reply = {"error": f"D1_ERROR: {e}"}
            replies.write(json.dumps(reply) + "\n")
            replies.flush()


if __name__ == "__main__":
    main()
