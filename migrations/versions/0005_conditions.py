"""conditions: a person's confirmation of a recovery condition of a case (one per case and kind), and the
deposit's block time on the case (the age conditions are held against)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

import recovery.dbtypes

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('condition_confirmations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('facts_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('at', recovery.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('case_id', 'kind', name='uq_condition_confirmation')
    )
    with op.batch_alter_table('condition_confirmations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_condition_confirmations_case_id'), ['case_id'], unique=False)
    # cases verified before this revision have no block time: their age conditions are unknown until
    # they are verified again
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('block_time', recovery.dbtypes.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('block_time')
    with op.batch_alter_table('condition_confirmations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_condition_confirmations_case_id'))
    op.drop_table('condition_confirmations')
