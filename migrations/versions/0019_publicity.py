"""The publicity period (公示) before results are final (issue 16 item 5): a release may open a
period (result_releases.publicity_ends_at) and becomes final later (finalised_at, finalised_by);
objections (异议) filed during the period and the office's answers. Releases made before this
revision were final at once: their finalised_at is their released_at.

Reviewed by hand; runs on SQLite (batch mode) and PostgreSQL.

Revision ID: 0019_publicity
Revises: 0017_leader_keys
Create Date: 2026-11-30 16:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0019_publicity'
down_revision = '0017_leader_keys'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('result_releases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('publicity_ends_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('finalised_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('finalised_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_result_releases_finalised_by_id_users'), 'users',
                                    ['finalised_by_id'], ['id'], ondelete='SET NULL')
    op.execute("UPDATE result_releases SET finalised_at = released_at, finalised_by_id = released_by_id")
    op.create_table('objections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('season_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('filed_by_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.Column('award_changed', sa.Boolean(), nullable=False),
    sa.Column('award_before', sa.String(length=20), nullable=True),
    sa.Column('award_after', sa.String(length=20), nullable=True),
    sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_objections_answered_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['entry_id'], ['entries.id'], name=op.f('fk_objections_entry_id_entries'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['filed_by_id'], ['users.id'], name=op.f('fk_objections_filed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['season_id'], ['seasons.id'], name=op.f('fk_objections_season_id_seasons'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_objections'))
    )
    with op.batch_alter_table('objections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_objections_entry_id'), ['entry_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_objections_filed_by_id'), ['filed_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_objections_season_id'), ['season_id'], unique=False)


def downgrade():
    op.drop_table('objections')
    with op.batch_alter_table('result_releases', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_result_releases_finalised_by_id_users'), type_='foreignkey')
        batch_op.drop_column('finalised_by_id')
        batch_op.drop_column('finalised_at')
        batch_op.drop_column('publicity_ends_at')
