-- modelmgr 0.2.0: classifiers and the preprocessing pipeline.

\echo Use "ALTER EXTENSION modelmgr UPDATE TO '0.2.0'" to load this file. \quit

------------------------------------------------------------------------------
-- Catalog: every version records its fitted preprocessing.
------------------------------------------------------------------------------

ALTER TABLE mm._versions ADD COLUMN fitted_preprocess jsonb NOT NULL DEFAULT '{}';
COMMENT ON COLUMN mm._versions.fitted_preprocess
    IS 'statistics the preprocessing learned from the training rows, applied again at prediction';

CREATE OR REPLACE VIEW mm.versions AS
SELECT m.name AS model, v.version, v.id AS version_id, v.status, v.algorithm, m.task,
       v.params, v.preprocess, v.features, v.feature_types, v.target, v.target_type,
       v.relation, v.test_size, v.seed, v.rows_read, v.rows_train, v.rows_test,
       v.rows_skipped, v.fingerprint, v.snapshot, v.metrics, v.score, v.train_time,
       v.trained_at, v.trained_by, v.parent_version,
       pg_catalog.octet_length(v.artifact) AS artifact_bytes,
       ARRAY(SELECT s.stage FROM mm._stages s
              WHERE s.version_id = v.id
                AND s.depth = (SELECT max(t.depth) FROM mm._stages t
                                WHERE t.model_id = s.model_id AND t.stage = s.stage)
              ORDER BY s.stage) AS stages,
       v.fitted_preprocess
  FROM mm._versions v JOIN mm._models m ON m.id = v.model_id;

------------------------------------------------------------------------------
-- Classification
------------------------------------------------------------------------------

CREATE FUNCTION mm_predict_label(model text, input record)
RETURNS text
AS 'MODULE_PATHNAME', 'mm_predict_label'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION mm_predict_label(text, record) IS 'the class a classifier predicts for a row, as text';

CREATE FUNCTION mm_predict_proba(model text, input record)
RETURNS float8[]
AS 'MODULE_PATHNAME', 'mm_predict_proba'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION mm_predict_proba(text, record) IS 'the probability of each class for a row, in mm_classes order';

CREATE FUNCTION mm_classes(model text)
RETURNS text[]
AS 'MODULE_PATHNAME', 'mm_classes'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION mm_classes(text) IS 'the labels of a classifier in sort order, the last the positive class when binary';

------------------------------------------------------------------------------
-- Clustering and decomposition
------------------------------------------------------------------------------

CREATE FUNCTION mm_transform(model text, input record)
RETURNS float8[]
AS 'MODULE_PATHNAME', 'mm_transform'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION mm_transform(text, record) IS 'a row''s principal components (pca) or distances to the cluster centers (kmeans)';
