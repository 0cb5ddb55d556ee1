"""What 附件6 counts besides entries and reports (issue 18 item 1): skill-grade promotions per
person (技能等级晋升, recorded by the unit, counted once its admin confirms), and denominators a
county enters per unit type where the registry cannot list every unit (with source and date).
Also unit_reports.unit_chosen: the report flow's unit step (nullable; existing reports keep NULL).

Reviewed by hand; runs on SQLite and PostgreSQL.

Revision ID: 0022_tallies
Revises: 0021_awards
Create Date: 2026-11-30 16:05:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0022_tallies'
down_revision = '0021_awards'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'skill_promotions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('org_id', sa.Integer(), nullable=False),
        sa.Column('person_name', sa.String(length=50), nullable=False),
        sa.Column('from_grade', sa.String(length=10), nullable=True),
        sa.Column('to_grade', sa.String(length=10), nullable=False),
        sa.Column('promoted_on', sa.Date(), nullable=False),
        sa.Column('entry_id', sa.Integer(), nullable=True),
        sa.Column('recorded_by_id', sa.Integer(), nullable=False),
        sa.Column('recorded_at', sa.DateTime(), nullable=False),
        sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
        sa.Column('confirmed_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['entry_id'], ['entries.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['confirmed_by_id'], ['users.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('skill_promotions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_skill_promotions_org_id'), ['org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_skill_promotions_promoted_on'), ['promoted_on'], unique=False)
    op.create_table(
        'denominators',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('org_id', sa.Integer(), nullable=False),
        sa.Column('unit_type', sa.String(length=30), nullable=False),
        sa.Column('units', sa.Integer(), nullable=False),
        sa.Column('employees', sa.Integer(), nullable=True),
        sa.Column('source', sa.String(length=200), nullable=False),
        sa.Column('as_of', sa.Date(), nullable=False),
        sa.Column('entered_by_id', sa.Integer(), nullable=False),
        sa.Column('entered_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['entered_by_id'], ['users.id'], ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('org_id', 'unit_type', 'as_of', name='uq_denominators_org_type_date'),
    )
    with op.batch_alter_table('denominators', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_denominators_org_id'), ['org_id'], unique=False)
    # The report flow's unit step (a unit admin of two units chooses which one files).
    with op.batch_alter_table('unit_reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unit_chosen', sa.Boolean(), nullable=True))


def downgrade():
    with op.batch_alter_table('unit_reports', schema=None) as batch_op:
        batch_op.drop_column('unit_chosen')
    op.drop_table('denominators')
    op.drop_table('skill_promotions')
