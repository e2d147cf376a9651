#!/usr/bin/env python3
"""Fails when a C file under the given directories holds SQL text.

Issues 16 and 20: SQL lives in src/MODULE/sql/*.sql (src/db/sql.h), never
in C string literals. This reads every .c and .h file of each directory given,
drops comments, joins adjacent string literals (a statement split over
lines, or built with macros, is one text), and reports each literal that
reads as SQL: a statement's keyword (SELECT, INSERT INTO, UPDATE ... SET,
DELETE FROM, WITH ... AS, BEGIN, COMMIT, ROLLBACK, SET ...), a clause
keyword (FROM, WHERE, JOIN, RETURNING, ORDER BY, GROUP BY), a bind parameter
($1) or a cast (::int). HTTP method names ("DELETE") are not SQL.

Two ways out, each with its reason in writing:
- SQL that must be built at run time (an identifier or a utility statement's
  value quoted in, a report call built from the registry) is marked in the
  C file: a comment holding "sql-in-c:" and the reason allows the literals
  from there to the end of the function (the next "}" at a line's start).
- PROSE below lists literals that read as SQL but are not (usage texts,
  messages, table headings), by file and the literal's start.
- ALLOWED_FILES lists files not checked yet, with the reason.

Usage: no_sql_in_c.py ROOT DIR...   (DIR relative to ROOT; exit 0: none;
1: some, listed)
"""
import os
import re
import sys

HTTP_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
SQL = re.compile(
    r"\b(SELECT|INSERT\s+INTO|UPDATE\s+\w+|DELETE\s+FROM|WITH(\s+RECURSIVE)?\s+\w+|"
    r"BEGIN|COMMIT|ROLLBACK|SET\s+\w+|FROM|WHERE|JOIN|RETURNING|ORDER\s+BY|GROUP\s+BY|"
    r"set_config|json_build_object)\b|\$[0-9]+\b|::[a-z]+"
)


# (path relative to the source root, the literal's start): why it is not SQL.
PROSE = {
    ("src/cli/cmd_health.c", "usage: planpipe health"): "usage text naming SELECT 1",
    ("src/cli/report_table.c", "FROM"): "a table heading",
    ("src/cli/report_table.c", "WITH CHECKLIST"): "a table heading",
    ("src/db/health.c", "SELECT 1 failed: "): "a check's message",
    ("src/db/health.c", "SELECT 1 answered in "): "a check's message",
    ("src/db/migrate.c", "planpipe migrate: COPY FROM STDIN"): "an error message",
    ("src/db/migrate.c", "COPY FROM STDIN / TO STDOUT"): "an error message",
}

# Files not checked yet: src/import's statements move to src/import/sql/
# later (issue 20, the lead's part); until then its C files hold SQL.
ALLOWED_FILES = {
    "src/import/import_changed.c",
    "src/import/import_db.c",
    "src/import/import_deps.c",
    "src/import/import_history.c",
}

MARK = "sql-in-c:"


def marked_lines(text):
    """The lines that a "sql-in-c:" comment allows: from it to the function's end."""
    lines = text.split("\n")
    allowed = set()
    for i, line in enumerate(lines):
        if MARK not in line:
            continue
        j = i
        while j < len(lines) and not lines[j].startswith("}"):
            allowed.add(j + 1)
            j += 1
    return allowed


def literals(text):
    """(line, joined literal) for each run of adjacent string literals, comments dropped."""
    out, i, n, line = [], 0, len(text), 1
    run, run_line, last_end = None, 0, 0
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            line += text.count("\n", i, j)
            i = j
            continue
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        if c == "'":
            j = i + 1
            while j < n and text[j] != "'":
                j += 2 if text[j] == "\\" else 1
            i = j + 1
            continue
        if c == '"':
            j, buf = i + 1, []
            while j < n and text[j] != '"':
                if text[j] == "\\":
                    buf.append(text[j : j + 2])
                    j += 2
                else:
                    buf.append(text[j])
                    j += 1
            s = "".join(buf)
            # Adjacent literals (only blanks, or a macro name, between them) are one text.
            between = text[last_end:i]
            if run is not None and re.fullmatch(r"[\s\\]*(\w+[\s\\]*)?", between):
                run += s
            else:
                if run is not None:
                    out.append((run_line, run))
                run, run_line = s, line
            line += text.count("\n", i, j)
            i = last_end = j + 1
            continue
        if c == "\n":
            line += 1
        i += 1
    if run is not None:
        out.append((run_line, run))
    return out


def main(args):
    root, dirs = args[0], args[1:]
    found = 0
    for d in dirs:
        for name in sorted(os.listdir(os.path.join(root, d))):
            if not name.endswith((".c", ".h")):
                continue
            rel = os.path.join(d, name)
            if rel in ALLOWED_FILES:
                continue
            path = os.path.join(root, rel)
            with open(path, encoding="utf-8") as f:
                text = f.read()
            allowed = marked_lines(text)
            for line, lit in literals(text):
                if lit.strip() in HTTP_METHODS or line in allowed:
                    continue
                if any(rel == p and lit.startswith(start) for p, start in PROSE):
                    continue
                m = SQL.search(lit)
                if m:
                    found += 1
                    print(f"{rel}:{line}: SQL in C ({m.group(0)!r}): {lit[:100]!r}")
    if found:
        print(f"{found} string literal(s) hold SQL: move them to a .sql file "
              "(src/MODULE/sql/, read with pp_sql; see src/db/sql.h), or say in a "
              "\"sql-in-c:\" comment why it must be built in C")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
