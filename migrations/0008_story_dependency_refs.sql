-- 0008: dependencies that name a story which does not exist yet.
--
-- A story file may depend on a story of a project that has not been imported
-- yet (or on a typo). The importer keeps such a reference here instead of
-- dropping it, and turns it into a story_dependencies edge as soon as an
-- import brings the story it names.

CREATE TABLE story_dependency_refs (
    story_id     bigint NOT NULL REFERENCES stories ON DELETE CASCADE,
    project_key  text NOT NULL,
    story_key    text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (story_id, project_key, story_key),
    CONSTRAINT story_dependency_refs_project_key_length CHECK (length(project_key) BETWEEN 1 AND 64),
    CONSTRAINT story_dependency_refs_story_key_length CHECK (length(story_key) BETWEEN 1 AND 64)
);

COMMENT ON TABLE story_dependency_refs IS
    'Unresolved dependencies: story_id depends on project_key:story_key, which does not exist yet';

-- An import of a project resolves the references that name its stories.
CREATE INDEX story_dependency_refs_target_idx ON story_dependency_refs (project_key, story_key);

ALTER TABLE story_dependency_refs ENABLE ROW LEVEL SECURITY;

-- Visible with the dependent story; written by the importer (the schema owner)
-- and, through the API, by developers of the dependent story's project.
CREATE POLICY story_dependency_refs_select ON story_dependency_refs FOR SELECT TO planpipe_app
    USING (EXISTS (SELECT FROM stories s WHERE s.id = story_id));
CREATE POLICY story_dependency_refs_write ON story_dependency_refs FOR ALL TO planpipe_app
    USING (EXISTS (SELECT FROM stories s WHERE s.id = story_id
                     AND s.project_id = ANY ((SELECT planpipe_project_ids('developer'))::bigint[])))
    WITH CHECK (EXISTS (SELECT FROM stories s WHERE s.id = story_id
                          AND s.project_id = ANY ((SELECT planpipe_project_ids('developer'))::bigint[])));

GRANT SELECT, INSERT, DELETE ON story_dependency_refs TO planpipe_app;
