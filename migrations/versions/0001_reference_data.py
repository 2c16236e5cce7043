"""reference data

Revision ID: 0001
Revises: 
Create Date: 2026-11-23
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

import recovery.dbtypes

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('credits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('network', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('tx_hash', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('tx_key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('user_id', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('asset', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('asset_key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('amount', recovery.dbtypes.DecimalText(length=80), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('network', 'tx_key', 'asset_key', name='uq_credit')
    )
    with op.batch_alter_table('credits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credits_network'), ['network'], unique=False)
        batch_op.create_index(batch_op.f('ix_credits_tx_key'), ['tx_key'], unique=False)

    op.create_table('deposit_addresses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('network', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('address', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('address_key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('user_id', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('memo', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('imported_at', recovery.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('network', 'address_key', 'memo', name='uq_deposit_address')
    )
    with op.batch_alter_table('deposit_addresses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deposit_addresses_address_key'), ['address_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_deposit_addresses_network'), ['network'], unique=False)
        batch_op.create_index(batch_op.f('ix_deposit_addresses_user_id'), ['user_id'], unique=False)

    op.create_table('listed_assets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('network', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('asset', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('asset_key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('symbol', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('decimals', sa.Integer(), nullable=False),
    sa.Column('min_deposit', recovery.dbtypes.DecimalText(length=80), nullable=False),
    sa.Column('deposit_enabled', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('network', 'asset_key', name='uq_listed_asset')
    )
    with op.batch_alter_table('listed_assets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_listed_assets_network'), ['network'], unique=False)

    op.create_table('prices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('network', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('asset', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('asset_key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('usd_price', recovery.dbtypes.DecimalText(length=80), nullable=False),
    sa.Column('as_of', recovery.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('network', 'asset_key', 'as_of', name='uq_price')
    )
    with op.batch_alter_table('prices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_prices_network'), ['network'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('prices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_prices_network'))

    op.drop_table('prices')
    with op.batch_alter_table('listed_assets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_listed_assets_network'))

    op.drop_table('listed_assets')
    with op.batch_alter_table('deposit_addresses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deposit_addresses_user_id'))
        batch_op.drop_index(batch_op.f('ix_deposit_addresses_network'))
        batch_op.drop_index(batch_op.f('ix_deposit_addresses_address_key'))

    op.drop_table('deposit_addresses')
    with op.batch_alter_table('credits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credits_tx_key'))
        batch_op.drop_index(batch_op.f('ix_credits_network'))

    op.drop_table('credits')
