"""The ClickHouse stand-in's SQL: what the Sentry installers, snuba bootstrap and cleanup send.

Tables are files, laid out like ClickHouse's own: metadata/<db>/<table>.sql holds the CREATE
statement, data/<db>/<table>/data.tsv the rows (one TSV line each).
"""
import os
import re
import shutil
import threading

ROOT = os.environ.get("CLICKHOUSE_DATA_DIR", "/var/lib/clickhouse")
# the altinity stand-ins set the exact version string their tag names
VERSION = os.environ.get("CLICKHOUSE_STANDIN_VERSION") or "19.17.9.60"
NAME = r"(?:[`\"]?(\w+)[`\"]?\.)?[`\"]?(\w+)[`\"]?"
lock = threading.Lock()


class SQLError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def tsv(value):
    return (value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
            .replace("'", "\\'"))


def meta_path(db, table):
    return os.path.join(ROOT, "metadata", db, table + ".sql")


def data_path(db, table):
    return os.path.join(ROOT, "data", db, table)


def ensure_db(db):
    if db == "system":
        return
    if db == "default":
        os.makedirs(os.path.join(ROOT, "metadata", "default"), exist_ok=True)
    if not os.path.isdir(os.path.join(ROOT, "metadata", db)):
        raise SQLError(81, "Database %s doesn't exist" % db)


def table_exists(db, table):
    return os.path.exists(meta_path(db, table))


def need_table(db, table):
    ensure_db(db)
    if not table_exists(db, table):
        raise SQLError(60, "Table %s.%s doesn't exist." % (db, table))


def rows(db, table):
    path = os.path.join(data_path(db, table), "data.tsv")
    return open(path).read().splitlines() if os.path.exists(path) else []


def split_values(text):
    """`(1, 'a'), (2, 'b')` -> [['1', 'a'], ['2', 'b']] (enough for test fixtures)."""
    tuples = re.findall(r"\((.*?)\)(?=\s*,\s*\(|\s*$)", text.strip(), re.S)
    return [[v.strip().strip("'") for v in re.split(r",(?=(?:[^']*'[^']*')*[^']*$)", t)] for t in tuples]


def create(kind, if_not_exists, db, table, rest):
    ensure_db(db)
    if table_exists(db, table):
        if if_not_exists:
            return ""
        raise SQLError(57, "Table %s.%s already exists." % (db, table))
    with open(meta_path(db, table), "w") as f:
        f.write("CREATE %s %s.%s %s\n" % (re.sub(r"\s+", " ", kind.upper()), db, table, rest.strip()))
    os.makedirs(data_path(db, table), exist_ok=True)
    return ""


def select(what, db, table, limit):
    if db == "system":  # system.parts, system.tables, ...: nothing the stand-ins track
        return ""
    need_table(db, table)
    found = rows(db, table)
    if re.fullmatch(r"count\(\s*\*?\s*\)", what.strip(), re.I):
        return "%d\n" % len(found)
    found = found[: int(limit)] if limit is not None else found
    return "".join(r + "\n" for r in found)


def run(query, database="default"):
    """Run one statement; returns its TSV output ('' or lines ending in newline)."""
    q = query.strip().rstrip(";").strip()
    flags = re.I | re.S

    def name(m, i):
        return (m.group(i) or database), m.group(i + 1)

    with lock:
        if re.fullmatch(r"SELECT\s+(\d+)", q, flags):
            return q.split()[1] + "\n"
        if re.fullmatch(r"SELECT\s+version\(\)", q, flags):
            return VERSION + "\n"
        if re.fullmatch(r"SYSTEM\s+(FLUSH\s+LOGS|DROP\s+\w+(\s+\w+)?\s+CACHE|RELOAD\s+\w+)", q, flags):
            return ""
        m = re.fullmatch(r"EXISTS\s+(?:TEMPORARY\s+)?(?:TABLE\s+)?" + NAME, q, flags)
        if m:
            db, table = name(m, 1)
            return "1\n" if table_exists(db, table) else "0\n"
        m = re.fullmatch(r"SHOW\s+CREATE\s+(?:TEMPORARY\s+)?(?:TABLE\s+)?" + NAME, q, flags)
        if m:
            db, table = name(m, 1)
            need_table(db, table)
            return tsv(open(meta_path(db, table)).read().strip()) + "\n"
        m = re.fullmatch(r"SHOW\s+TABLES(?:\s+FROM\s+(\w+))?", q, flags)
        if m:
            db = m.group(1) or database
            ensure_db(db)
            names = sorted(f[:-4] for f in os.listdir(os.path.join(ROOT, "metadata", db)) if f.endswith(".sql"))
            return "".join(n + "\n" for n in names)
        if re.fullmatch(r"SHOW\s+DATABASES", q, flags):
            os.makedirs(os.path.join(ROOT, "metadata", "default"), exist_ok=True)
            return "".join(d + "\n" for d in sorted(set(os.listdir(os.path.join(ROOT, "metadata")) + ["system"])))
        m = re.fullmatch(r"CREATE\s+DATABASE\s+(IF\s+NOT\s+EXISTS\s+)?[`\"]?(\w+)[`\"]?.*", q, flags)
        if m:
            path = os.path.join(ROOT, "metadata", m.group(2))
            if os.path.isdir(path) and not m.group(1):
                raise SQLError(82, "Database %s already exists." % m.group(2))
            os.makedirs(path, exist_ok=True)
            return ""
        m = re.fullmatch(r"CREATE\s+(TABLE|MATERIALIZED\s+VIEW|VIEW)\s+(IF\s+NOT\s+EXISTS\s+)?" + NAME + r"(.*)", q, flags)
        if m:
            db, table = name(m, 3)
            return create(m.group(1), bool(m.group(2)), db, table, m.group(5))
        m = re.fullmatch(r"DROP\s+(?:TABLE|VIEW)\s+(IF\s+EXISTS\s+)?" + NAME + r"(?:\s+SYNC)?", q, flags)
        if m:
            db, table = name(m, 2)
            if not table_exists(db, table) and m.group(1):
                return ""
            need_table(db, table)
            os.remove(meta_path(db, table))
            shutil.rmtree(data_path(db, table), ignore_errors=True)
            return ""
        m = re.fullmatch(r"TRUNCATE\s+(?:TABLE\s+)?(IF\s+EXISTS\s+)?" + NAME, q, flags)
        if m:
            db, table = name(m, 2)
            if table_exists(db, table):
                shutil.rmtree(data_path(db, table), ignore_errors=True)
                os.makedirs(data_path(db, table), exist_ok=True)
            elif not m.group(1):
                need_table(db, table)
            return ""
        m = re.fullmatch(r"SELECT\s+(.+?)\s+FROM\s+" + NAME + r"(?:\s+(?:WHERE|GROUP|ORDER|FINAL)\b.*?)?"
                         r"(?:\s+LIMIT\s+(\d+))?(?:\s+FORMAT\s+\w+)?", q, flags)
        if m:
            db, table = name(m, 2)
            return select(m.group(1), db, table, m.group(4))
        m = re.fullmatch(r"INSERT\s+INTO\s+(?:TABLE\s+)?" + NAME + r"\s*(?:\([^)]*\))?\s*(VALUES|FORMAT\s+\w+)\s*(.*)",
                         q, flags)
        if m:
            db, table = name(m, 1)
            need_table(db, table)
            if m.group(3).upper() == "VALUES":
                new = ["\t".join(tsv(v) for v in values) for values in split_values(m.group(4))]
            else:
                new = [line for line in m.group(4).splitlines() if line.strip()]
            with open(os.path.join(data_path(db, table), "data.tsv"), "a") as f:
                f.writelines(r + "\n" for r in new)
            return ""
        m = re.fullmatch(r"(?:ALTER|OPTIMIZE)\s+TABLE\s+" + NAME + r"\b.*", q, flags)
        if m:
            db, table = name(m, 1)
            need_table(db, table)
            return ""
    raise SQLError(62, "Syntax error (ClickHouse stand-in): cannot run: %s" % q[:200])
