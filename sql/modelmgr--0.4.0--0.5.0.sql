-- modelmgr 0.5.0: a version as a portable document, and back.

\echo Use "ALTER EXTENSION modelmgr UPDATE TO '0.5.0'" to load this file. \quit

CREATE FUNCTION mm_export(model text)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'mm_export'
LANGUAGE C STABLE PARALLEL RESTRICTED;
COMMENT ON FUNCTION mm_export(text) IS 'the portable JSON document of a version (doc/export-format.md)';

CREATE FUNCTION mm_import(model text, document jsonb)
RETURNS int
AS 'MODULE_PATHNAME', 'mm_import'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION mm_import(text, jsonb) IS 'create a version from a document mm_export wrote; returns its number';
