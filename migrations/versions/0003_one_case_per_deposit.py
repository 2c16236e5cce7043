"""one case per deposit: one live case and one recovery per deposit; exact base units; payout address

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""
from decimal import Decimal, localcontext

import sqlalchemy as sa
from alembic import op

import recovery.dbtypes
from recovery.errors import NotConfigured

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

LIVE = sa.text("status NOT IN ('cancelled', 'closed', 'declined', 'rejected')")
QUOTE_BASE = ('gross', 'fee', 'network_fee', 'net')


def _base(value, decimals):
    """Whole units (text) -> integer base units, exactly; None when it is not a whole number of them."""
    if value is None or decimals is None:
        return None
    with localcontext() as ctx:
        ctx.prec = 100
        scaled = Decimal(value).scaleb(decimals)
    return str(int(scaled)) if scaled == scaled.to_integral_value() else None


def upgrade() -> None:
    # first, before any change: a deposit the old code let have two live cases cannot take the index
    live: dict[tuple[str, str], list[int]] = {}
    for cid, network, tx_key in op.get_bind().execute(sa.text(
            f"SELECT id, network, tx_key FROM cases WHERE {LIVE.text} ORDER BY id")).all():
        live.setdefault((network, tx_key), []).append(cid)
    twice = {k: v for k, v in live.items() if len(v) > 1}
    if twice:
        names = "; ".join(f"cases {', '.join(map(str, v))} on {k[0]}" for k, v in twice.items())
        raise NotConfigured(f"one deposit has several live cases ({names}): cancel all but one "
                           "(`recovery case cancel ID`) with the previous version, then upgrade again")

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('amount_base', recovery.dbtypes.BaseUnits(length=80), nullable=True))
        batch_op.add_column(sa.Column('recovered_base', recovery.dbtypes.BaseUnits(length=80), nullable=True))
        batch_op.add_column(sa.Column('payout_address', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('reopen_of', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('deposit_recovered', sa.String(length=260), nullable=True))
    with op.batch_alter_table('quotes', schema=None) as batch_op:
        for name in QUOTE_BASE:
            batch_op.add_column(sa.Column(f'{name}_base', recovery.dbtypes.BaseUnits(length=80), nullable=True))

    conn = op.get_bind()
    # exact base units for the rows written before this revision
    for cid, amount, recovered, decimals in conn.execute(sa.text(
            "SELECT id, amount, recovered_amount, decimals FROM cases")).all():
        conn.execute(sa.text("UPDATE cases SET amount_base = :a, recovered_base = :r WHERE id = :id"),
                     {"a": _base(amount, decimals), "r": _base(recovered, decimals), "id": cid})
    for row in conn.execute(sa.text("SELECT id, decimals, gross, fee, network_fee, net FROM quotes")).all():
        values = {f"{n}_base": _base(getattr(row, n), row.decimals) for n in QUOTE_BASE}
        conn.execute(sa.text("UPDATE quotes SET gross_base = :gross_base, fee_base = :fee_base, "
                             "network_fee_base = :network_fee_base, net_base = :net_base WHERE id = :id"),
                     {**values, "id": row.id})
    # the deposits already recovered (executed, or credited): the first such case of each keeps the mark
    marked = set()
    for cid, network, tx_key in conn.execute(sa.text(
            "SELECT id, network, tx_key FROM cases WHERE recovery_tx_key IS NOT NULL "
            "OR status IN ('credited', 'closed') ORDER BY id")).all():
        key = f"{network} {tx_key}"
        if key not in marked:
            marked.add(key)
            conn.execute(sa.text("UPDATE cases SET deposit_recovered = :k WHERE id = :id"), {"k": key, "id": cid})

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_case_deposit_recovered', ['deposit_recovered'])
    op.create_index('uq_case_live_tx', 'cases', ['network', 'tx_key'], unique=True,
                    sqlite_where=LIVE, postgresql_where=LIVE)


def downgrade() -> None:
    op.drop_index('uq_case_live_tx', table_name='cases')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_constraint('uq_case_deposit_recovered', type_='unique')
    with op.batch_alter_table('quotes', schema=None) as batch_op:
        for name in QUOTE_BASE:
            batch_op.drop_column(f'{name}_base')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        for name in ('deposit_recovered', 'reopen_of', 'payout_address', 'recovered_base', 'amount_base'):
            batch_op.drop_column(name)
