-- The application's PostgreSQL role owns nothing and may not rewrite the audit trail
-- (docs/deploy.md). Run as the owner role (the one `manage.py migrate` uses) after every
-- migrate:  psql "$OWNER_DATABASE_URL" -v ON_ERROR_STOP=1 -f deploy/grants.sql
--
-- xmgl_app reads and writes rows; it cannot TRUNCATE any table, create or drop anything,
-- disable or drop a trigger (only an owner can), switch to replica mode (only a superuser
-- can), and on the audit table it may only read and insert: no UPDATE, no DELETE.
GRANT USAGE ON SCHEMA public TO xmgl_app;
REVOKE CREATE ON SCHEMA public FROM xmgl_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO xmgl_app;
REVOKE UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES ON lifecycle_auditentry FROM xmgl_app;
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO xmgl_app;
