-- The reports' small history (tests/sql/11_reports.sql, whose comments
-- compute every figure from it by hand; the dashboard's browser test loads it
-- too, through tests/browser/fixture.sql): two projects, a sprint, a
-- re-opened story, a chain of blockers across projects, a story moved
-- between projects, an import of finished work, all at fixed moments in
-- December 2023 to February 2024. Included with \ir as the schema owner,
-- after the history partitions for 2023-12 .. 2024-02 exist.
\ir history.sql
INSERT INTO backlogs (project_id, name, kind, starts_on, ends_on)
SELECT id, 'Sprint 1', 'sprint', '2024-01-08', '2024-01-19' FROM projects WHERE key = 'PLAN';
INSERT INTO backlogs (project_id, name) SELECT id, 'Backlog' FROM projects WHERE key = 'PLAN';

-- key, project, backlog, status now, points, epic, checklist done/total, created_at
CREATE TEMP TABLE fx_story (key text, project text, backlog text, status text, points numeric,
                            epic text, ck_done int, ck_total int, created timestamptz);
INSERT INTO fx_story VALUES
    ('A-1',  'PLAN',  'Sprint 1', 'done',        3,    'auth',    2, 2, '2023-12-20 10:00+00'),
    ('A-2',  'PLAN',  'Sprint 1', 'accepted',    2,    'auth',    3, 4, '2024-01-03 10:00+00'),
    ('A-3',  'PLAN',  'Sprint 1', 'in_progress', 5,    'profile', 1, 3, '2024-01-09 10:00+00'),
    ('A-4',  'PLAN',  'Sprint 1', 'cancelled',   8,    'profile', 0, 5, '2023-12-28 10:00+00'),
    ('A-5',  'PLAN',  'Backlog',  'draft',       NULL, NULL,      0, 0, '2024-01-08 10:00+00'),
    ('A-6',  'PLAN',  'Backlog',  'draft',       1,    NULL,      0, 1, '2024-01-20 10:00+00'),
    ('A-7',  'PLAN',  'Backlog',  'done',        1,    'auth',    0, 2, '2023-12-01 10:00+00'),
    ('A-8',  'PLAN',  'Sprint 1', 'draft',       2,    NULL,      1, 1, '2024-01-02 10:00+00'),
    ('A-9',  'PLAN',  'Backlog',  'done',        1,    'auth',    0, 0, '2024-01-29 00:30+00'),
    ('A-10', 'PLAN',  'Backlog',  'done',        1,    'auth',    1, 1, '2024-01-15 10:00+00'),
    ('I-1',  'PLAN',  'Backlog',  'done',        2,    NULL,      2, 2, '2023-06-01 00:00+00'),
    ('M-1',  'PLAN',  NULL,       'done',        2,    NULL,      0, 0, '2024-01-03 10:00+00'),
    ('B-1',  'OTHER', NULL,       'in_progress', 5,    NULL,      1, 2, '2023-12-15 10:00+00'),
    ('B-2',  'OTHER', NULL,       'draft',       3,    NULL,      0, 0, '2023-12-15 10:00+00'),
    ('B-3',  'OTHER', NULL,       'done',        1,    NULL,      1, 1, '2024-01-02 10:00+00');
INSERT INTO stories (project_id, backlog_id, key, title, status, estimate_points, epic,
                     checklist_done, checklist_total, created_at)
SELECT p.id, b.id, f.key, 'Story ' || f.key, f.status, f.points, f.epic, f.ck_done, f.ck_total, f.created
FROM fx_story f JOIN projects p ON p.key = f.project
LEFT JOIN backlogs b ON b.project_id = p.id AND b.name = f.backlog;
-- M-1 was finished in PLAN and later moved to OTHER; A-8 was archived mid-sprint.
UPDATE stories SET project_id = (SELECT id FROM projects WHERE key = 'OTHER') WHERE key = 'M-1';
UPDATE stories SET archived_at = '2024-01-12 10:00+00' WHERE key = 'A-8';

-- Blocking: A-5 -> A-3 -> OTHER:B-1 -> OTHER:B-2 and A-5 -> A-6 (open);
-- A-3 -> A-1 is closed (done); A-6 -> A-1 only relates.
INSERT INTO story_dependencies (story_id, depends_on_id, kind, created_at)
SELECT pg_temp.sid(a), pg_temp.sid(b), k, t::timestamptz
FROM (VALUES ('A-5', 'A-3', 'blocks', '2024-01-09 11:00+00'),
             ('A-5', 'A-6', 'blocks', '2024-01-20 11:00+00'),
             ('A-3', 'B-1', 'blocks', '2024-01-09 12:00+00'),
             ('A-3', 'A-1', 'blocks', '2024-01-09 12:00+00'),
             ('B-1', 'B-2', 'blocks', '2023-12-16 10:00+00'),
             ('A-6', 'A-1', 'relates', '2024-01-20 10:00+00')) AS d(a, b, k, t);

-- The history at chosen moments (lib/history.sql).
SELECT pg_temp.forget_history(ARRAY(SELECT key FROM fx_story));
SELECT pg_temp.history('A-1', 'PLAN', '2023-12-20 10:00 draft', '2024-01-02 10:00 in_progress',
                       '2024-01-05 10:00 done');
-- A-2 is re-opened on 01-12 and finished again on 01-17.
SELECT pg_temp.history('A-2', 'PLAN', '2024-01-03 10:00 draft', '2024-01-04 10:00 in_progress',
                       '2024-01-10 10:00 done', '2024-01-12 10:00 in_progress', '2024-01-16 10:00 review',
                       '2024-01-17 10:00 done', '2024-01-18 10:00 accepted');
-- A-3 joins Sprint 1 on 01-09 (scope added); A-4 is cancelled on 01-15 (scope removed).
SELECT pg_temp.history('A-3', 'PLAN', '2024-01-09 10:00 draft', '2024-01-11 10:00 in_progress');
SELECT pg_temp.history('A-4', 'PLAN', '2023-12-28 10:00 ready', '2024-01-15 10:00 cancelled');
SELECT pg_temp.history('A-5', 'PLAN', '2024-01-08 10:00 draft');
SELECT pg_temp.history('A-6', 'PLAN', '2024-01-20 10:00 draft');
SELECT pg_temp.history('A-7', 'PLAN', '2023-12-01 10:00 draft', '2023-12-05 10:00 in_progress',
                       '2023-12-10 10:00 done');
SELECT pg_temp.history('A-8', 'PLAN', '2024-01-02 10:00 draft');
-- A-9 starts on 31 January and is done on 1 February: two partitions.
SELECT pg_temp.history('A-9', 'PLAN', '2024-01-29 00:30 draft', '2024-01-31 12:30 in_progress',
                       '2024-02-01 00:30 done');
-- A-10 goes straight from draft to done: a lead time but no cycle time.
SELECT pg_temp.history('A-10', 'PLAN', '2024-01-15 10:00 draft', '2024-01-16 10:00 done');
-- I-1 arrived already done (an import of finished work): no observed completion.
SELECT pg_temp.history('I-1', 'PLAN', '2024-01-10 10:00 done');
SELECT pg_temp.history('M-1', 'PLAN', '2024-01-03 10:00 draft', '2024-01-05 10:00 in_progress',
                       '2024-01-08 10:00 done');
SELECT pg_temp.history('B-1', 'OTHER', '2023-12-15 10:00 draft', '2024-01-03 10:00 in_progress');
SELECT pg_temp.history('B-2', 'OTHER', '2023-12-15 10:00 draft');
SELECT pg_temp.history('B-3', 'OTHER', '2024-01-02 10:00 ready', '2024-01-09 10:00 in_progress',
                       '2024-01-12 10:00 done');
