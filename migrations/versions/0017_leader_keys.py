"""Duplicate detection finds near-matching leader names (issue 15 item 9): `leader_keys` holds,
per submitted entry, its leader name folded (width, traditional/simplified, dots, spaces) and,
for names of three characters or more, each one-character wildcard of it. Existing submitted
entries are keyed here, by the same function the application uses.

Reviewed by hand; runs on SQLite and PostgreSQL (a new table only).

Revision ID: 0017_leader_keys
Revises: 0012_review
Create Date: 2026-11-30 16:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0017_leader_keys'
down_revision = '0012_review'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'leader_keys',
        sa.Column('entry_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(['entry_id'], ['entries.id'], name=op.f('fk_leader_keys_entry_id_entries'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('entry_id', 'key', name=op.f('pk_leader_keys')),
    )
    op.create_index(op.f('ix_leader_keys_key'), 'leader_keys', ['key'], unique=False)
    from server.services.review.duplicates import name_keys
    bind = op.get_bind()
    rows = bind.execute(sa.text(
        "SELECT e.id, p.name FROM entries e JOIN persons p ON p.id = e.leader_id "
        "WHERE e.status NOT IN ('draft', 'withdrawn')")).all()
    keyed = [{"entry_id": entry_id, "key": k} for entry_id, name in rows for k in sorted(name_keys(name))]
    if keyed:
        table = sa.table('leader_keys', sa.column('entry_id', sa.Integer()), sa.column('key', sa.String()))
        op.bulk_insert(table, keyed)


def downgrade():
    op.drop_index(op.f('ix_leader_keys_key'), table_name='leader_keys')
    op.drop_table('leader_keys')
