"""Duplicate detection finds near-matching leader names (issue 15 item 9): `leader_keys` holds,
per submitted entry, its leader name folded (width, traditional/simplified, dots, spaces) and,
for names of three characters or more, each one-character wildcard of it; `duplicate_flags`
keeps the pairs found when an entry is routed, so a queue page reads them in one query.
Existing submitted entries are keyed and paired here, by the functions the application uses.

Reviewed by hand; runs on SQLite and PostgreSQL (a new table only).

Revision ID: 0017_leader_keys
Revises: 0023_claimed_at
Create Date: 2026-11-30 16:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0017_leader_keys'
down_revision = '0023_claimed_at'
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
    op.create_table(
        'duplicate_flags',
        sa.Column('entry_id', sa.Integer(), nullable=False),
        sa.Column('other_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['entry_id'], ['entries.id'], name=op.f('fk_duplicate_flags_entry_id_entries'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['other_id'], ['entries.id'], name=op.f('fk_duplicate_flags_other_id_entries'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('entry_id', 'other_id', name=op.f('pk_duplicate_flags')),
    )
    op.create_index(op.f('ix_duplicate_flags_other_id'), 'duplicate_flags', ['other_id'], unique=False)
    _backfill(op.get_bind())


def _backfill(bind):
    """Keys and pairs for the entries submitted before this revision, by the application's own
    functions (one copy of the rule)."""
    from server.services.review.duplicates import bulk_index
    rows = bind.execute(sa.text(
        "SELECT e.id, e.title, p.name, s.submit_start FROM entries e JOIN persons p ON p.id = e.leader_id "
        "JOIN seasons s ON s.id = e.season_id WHERE e.status NOT IN ('draft', 'withdrawn')")).all()
    keys, pairs = bulk_index([tuple(r) for r in rows])
    if keys:
        op.bulk_insert(sa.table('leader_keys', sa.column('entry_id', sa.Integer()), sa.column('key', sa.String())),
                       keys)
    if pairs:
        op.bulk_insert(sa.table('duplicate_flags', sa.column('entry_id', sa.Integer()),
                                sa.column('other_id', sa.Integer())), pairs)


def downgrade():
    op.drop_index(op.f('ix_duplicate_flags_other_id'), table_name='duplicate_flags')
    op.drop_table('duplicate_flags')
    op.drop_index(op.f('ix_leader_keys_key'), table_name='leader_keys')
    op.drop_table('leader_keys')
