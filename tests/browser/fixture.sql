-- The dashboard's browser test fixture (tests/browser/run.sh): the small
-- history of tests/sql/11_reports.sql (tests/sql/lib/reports_fixture.sql: two
-- projects, a sprint, a re-opened story, a chain of blockers across
-- projects, all at fixed moments in December 2023 to February 2024), loaded
-- as the schema owner, plus a story whose body is hostile markup that the
-- page must show as text.
\set ON_ERROR_STOP on
SELECT planpipe_create_history_partition(m)
FROM unnest(ARRAY['2023-06-01', '2023-12-01', '2024-01-01', '2024-02-01']::date[]) AS m;
\ir ../sql/lib/reports_fixture.sql

-- A body with markup: the page renders its markdown and shows the tags as text.
UPDATE stories SET body = E'# Login page\n\nSome **bold** words and `code`.\n\n'
    || E'<script>window.__pp_pwned = 1</script>\n\n<img src=x onerror="window.__pp_pwned = 2">\n\n'
    || E'- [x] first box\n- [ ] second box\n\n[a link](javascript:alert(1)), [another](\u0001javascript:alert(2)) and [docs](https://example.com/d)\n'
WHERE key = 'A-3';
