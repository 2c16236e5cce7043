"""prepared: the unsigned recovery transactions of a case (one live preparation per case) and the digest
an approval was given to

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

import recovery.dbtypes

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

UNSUPERSEDED = sa.text("superseded_at IS NULL")


def upgrade() -> None:
    op.create_table('prepared_txs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('digest', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('purpose', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('network', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('created_at', recovery.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('superseded_at', recovery.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('tx_hash', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('prepared_txs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_prepared_txs_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_prepared_txs_digest'), ['digest'], unique=False)
        batch_op.create_index('uq_prepared_live', ['case_id', 'position'], unique=True,
                              sqlite_where=UNSUPERSEDED, postgresql_where=UNSUPERSEDED)
    with op.batch_alter_table('approvals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('digest', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('approvals', schema=None) as batch_op:
        batch_op.drop_column('digest')
    with op.batch_alter_table('prepared_txs', schema=None) as batch_op:
        batch_op.drop_index('uq_prepared_live', sqlite_where=UNSUPERSEDED, postgresql_where=UNSUPERSEDED)
        batch_op.drop_index(batch_op.f('ix_prepared_txs_digest'))
        batch_op.drop_index(batch_op.f('ix_prepared_txs_case_id'))
    op.drop_table('prepared_txs')
