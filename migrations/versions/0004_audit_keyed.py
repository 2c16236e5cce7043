"""audit keyed: HMAC chain (head MAC, the seq from which rows are keyed) and, on PostgreSQL, the
`recovery_app` role that may only insert into (and read) the audit log

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

ROLE = "recovery_app"


def upgrade() -> None:
    with op.batch_alter_table('audit_head', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mac', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('keyed_from', sa.Integer(), nullable=False, server_default='0'))
    # rows already there were chained with plain SHA-256: they stay checkable by that formula, every row
    # after them is keyed (audit verify says how many rows predate the key)
    op.execute("UPDATE audit_head SET keyed_from = seq")
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"""DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{ROLE}') THEN CREATE ROLE {ROLE} NOLOGIN; END IF;
    END $$""")
    op.execute(f"GRANT USAGE ON SCHEMA public TO {ROLE}")
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {ROLE}")
    op.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {ROLE}")
    # tables later migrations create (by the same migrating role) are the application's too
    op.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {ROLE}")
    op.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {ROLE}")
    # the audit log: appended and read, never changed or removed; its head only moves forward
    op.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM {ROLE}")
    op.execute(f"REVOKE INSERT, DELETE, TRUNCATE ON audit_head FROM {ROLE}")
    op.execute(f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON alembic_version FROM {ROLE}")
    op.execute("""CREATE OR REPLACE FUNCTION audit_head_forward() RETURNS trigger AS $$ BEGIN
        IF NEW.seq <> OLD.seq + 1 OR NEW.keyed_from <> OLD.keyed_from THEN
            RAISE EXCEPTION 'audit_head only moves forward one row at a time';
        END IF;
        RETURN NEW;
    END $$ LANGUAGE plpgsql""")
    op.execute("CREATE TRIGGER audit_head_forward BEFORE UPDATE ON audit_head FOR EACH ROW "
               "EXECUTE FUNCTION audit_head_forward()")
    op.execute("""CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$ BEGIN
        RAISE EXCEPTION 'the audit log is append-only';
    END $$ LANGUAGE plpgsql""")
    op.execute("CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW "
               "EXECUTE FUNCTION audit_log_append_only()")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
        op.execute("DROP TRIGGER IF EXISTS audit_head_forward ON audit_head")
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
        op.execute("DROP FUNCTION IF EXISTS audit_head_forward()")
        op.execute(f"""DO $$ BEGIN
            IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{ROLE}') THEN
                ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM {ROLE};
                ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON SEQUENCES FROM {ROLE};
                REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {ROLE};
                REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {ROLE};
                REVOKE ALL ON SCHEMA public FROM {ROLE};
            END IF;
        END $$""")
    with op.batch_alter_table('audit_head', schema=None) as batch_op:
        batch_op.drop_column('keyed_from')
        batch_op.drop_column('mac')
