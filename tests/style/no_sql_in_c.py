#!/usr/bin/env python3
"""Fails when a C file under the given directories holds SQL text.

Issue 16: the API's SQL lives in src/api/sql/*.sql (src/api/sql.h), never in
C string literals. This reads every .c and .h file of each directory given,
drops comments, joins adjacent string literals (a statement split over
lines, or built with macros, is one text), and reports each literal that
reads as SQL: a statement's keyword (SELECT, INSERT INTO, UPDATE ... SET,
DELETE FROM, WITH ... AS, BEGIN, COMMIT, ROLLBACK, SET ...), a clause
keyword (FROM, WHERE, JOIN, RETURNING, ORDER BY, GROUP BY), a bind parameter
($1) or a cast (::int). HTTP method names ("DELETE") are not SQL.

Usage: no_sql_in_c.py DIR...   (exit 0: none; 1: some, listed)
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


def main(dirs):
    found = 0
    for d in dirs:
        for name in sorted(os.listdir(d)):
            if not name.endswith((".c", ".h")):
                continue
            path = os.path.join(d, name)
            with open(path, encoding="utf-8") as f:
                text = f.read()
            for line, lit in literals(text):
                if lit.strip() in HTTP_METHODS:
                    continue
                m = SQL.search(lit)
                if m:
                    found += 1
                    print(f"{path}:{line}: SQL in C ({m.group(0)!r}): {lit[:100]!r}")
    if found:
        print(f"{found} string literal(s) hold SQL: move them to a .sql file "
              "(src/api/sql/, read with pp_api_sql; see src/api/sql.h)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
