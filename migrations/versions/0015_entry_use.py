"""Entries record when the result was put into use (项目成果应用时间, RULES.md 'What an entry must
satisfy': materials say when it was applied) and whether it is used in production (用于生产实际,
counted by 附件6 "of which applied in production"). Existing entries keep NULL: they were filed
before the question was asked, and the statistics count them as "not stated".

Reviewed by hand; runs on SQLite (batch mode) and PostgreSQL.

Revision ID: 0015_entry_use
Revises: 0007_season_settings
Create Date: 2026-11-30 13:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0015_entry_use'
down_revision = '0007_season_settings'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('applied_on', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('in_production', sa.Boolean(), nullable=True))


def downgrade():
    with op.batch_alter_table('entries', schema=None) as batch_op:
        batch_op.drop_column('in_production')
        batch_op.drop_column('applied_on')
