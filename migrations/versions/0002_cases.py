"""cases: actors, cases, approvals, quotes, valuations, hash-chained audit log

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

import recovery.dbtypes

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('actors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('roles', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('added_at', recovery.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('added_by', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name', name='uq_actor_name')
    )
    op.create_table('audit_head',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    # the chain starts from a genesis hash of zeros; appends lock and advance this one row
    op.bulk_insert(sa.table('audit_head', sa.column('id', sa.Integer()), sa.column('seq', sa.Integer()),
                            sa.column('hash', sa.String())),
                   [{'id': 1, 'seq': 0, 'hash': '0' * 64}])
    op.create_table('audit_log',
    sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('at', recovery.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('event', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('from_status', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('to_status', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('data', sa.Text(), nullable=False),
    sa.Column('prev_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.PrimaryKeyConstraint('seq')
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_case_id'), ['case_id'], unique=False)

    op.create_table('cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('network', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('tx_hash', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('tx_key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('user_id', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('claimed_asset', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('claimed_amount', recovery.dbtypes.DecimalText(length=80), nullable=True),
    sa.Column('claimed_memo', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('opened_by', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('opened_at', recovery.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', recovery.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('recoverable', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('chain_status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('asset', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('amount', recovery.dbtypes.DecimalText(length=80), nullable=True),
    sa.Column('decimals', sa.Integer(), nullable=True),
    sa.Column('from_address', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('deposit_address', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('deposit_network', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('deposit_user', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('block_height', sa.Integer(), nullable=True),
    sa.Column('confirmations', sa.Integer(), nullable=True),
    sa.Column('facts_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('verified_at', recovery.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('quote_id', sa.Integer(), nullable=True),
    sa.Column('recovery_tx', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('recovery_tx_key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('recovered_amount', recovery.dbtypes.DecimalText(length=80), nullable=True),
    sa.Column('ledger_ref', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('recovery_tx_key', name='uq_case_recovery_tx')
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cases_network'), ['network'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_outcome'), ['outcome'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_tx_key'), ['tx_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_user_id'), ['user_id'], unique=False)

    op.create_table('approvals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('decision', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('facts_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('at', recovery.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('voided_at', recovery.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('approvals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_approvals_case_id'), ['case_id'], unique=False)

    op.create_table('quotes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('network', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('asset', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('symbol', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('decimals', sa.Integer(), nullable=False),
    sa.Column('gross', recovery.dbtypes.DecimalText(length=80), nullable=False),
    sa.Column('fee', recovery.dbtypes.DecimalText(length=80), nullable=False),
    sa.Column('network_fee', recovery.dbtypes.DecimalText(length=80), nullable=False),
    sa.Column('net', recovery.dbtypes.DecimalText(length=80), nullable=False),
    sa.Column('usd_price', recovery.dbtypes.DecimalText(length=80), nullable=False),
    sa.Column('usd_value', recovery.dbtypes.DecimalText(length=80), nullable=False),
    sa.Column('fee_usd', recovery.dbtypes.DecimalText(length=80), nullable=False),
    sa.Column('network_fee_usd', recovery.dbtypes.DecimalText(length=80), nullable=True),
    sa.Column('network_fee_note', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('rule', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('recommendation', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('price_source', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('price_as_of', recovery.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('created_at', recovery.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', recovery.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('quotes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quotes_case_id'), ['case_id'], unique=False)

    op.create_table('valuations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('network', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('asset', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('usd_price', recovery.dbtypes.DecimalText(length=80), nullable=False),
    sa.Column('entered_by', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('at', recovery.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('valuations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_valuations_case_id'), ['case_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('valuations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_valuations_case_id'))

    op.drop_table('valuations')
    with op.batch_alter_table('quotes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quotes_case_id'))

    op.drop_table('quotes')
    with op.batch_alter_table('approvals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_approvals_case_id'))

    op.drop_table('approvals')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_user_id'))
        batch_op.drop_index(batch_op.f('ix_cases_tx_key'))
        batch_op.drop_index(batch_op.f('ix_cases_status'))
        batch_op.drop_index(batch_op.f('ix_cases_outcome'))
        batch_op.drop_index(batch_op.f('ix_cases_network'))

    op.drop_table('cases')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_case_id'))

    op.drop_table('audit_log')
    op.drop_table('audit_head')
    op.drop_table('actors')
