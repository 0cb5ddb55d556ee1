"""Units' reports (月报, half-year and full-year 总结; RULES.md "Forms"): one row per unit, kind
and period, a draft until filed. The unique constraint refuses a second report for the same
period (NULL periods — drafts not yet dated — do not collide on either database).

Reviewed by hand; runs on SQLite and PostgreSQL.

Revision ID: 0016_unit_reports
Revises: 0015_entry_use
Create Date: 2026-11-30 13:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0016_unit_reports'
down_revision = '0015_entry_use'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'unit_reports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('org_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('period', sa.String(length=7), nullable=True),
        sa.Column('activities', sa.Integer(), nullable=True),
        sa.Column('participants', sa.Integer(), nullable=True),
        sa.Column('entries', sa.Integer(), nullable=True),
        sa.Column('promotions', sa.Integer(), nullable=True),
        sa.Column('problems', sa.Text(), nullable=True),
        sa.Column('summary', sa.Text(), nullable=True),
        sa.Column('attachment_id', sa.Integer(), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('filed_at', sa.DateTime(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['attachment_id'], ['attachments.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('org_id', 'kind', 'period', name='uq_unit_reports_org_kind_period'),
    )
    with op.batch_alter_table('unit_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_reports_org_id'), ['org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_unit_reports_period'), ['period'], unique=False)
        batch_op.create_index(batch_op.f('ix_unit_reports_created_by_id'), ['created_by_id'], unique=False)


def downgrade():
    op.drop_table('unit_reports')
