"""Conversations get a `state` JSON object: what the dialogue engine remembers between turns
besides the position — an answer awaiting 是/否 (its confirm-back), a shortlist of options shown
with a message (picked by number next), the steps prefilled for the person (not counted in the
step count). A missing or null state means nothing remembered (conversations saved before this
migration resume as they were).

Persons get `occupation` (employee, teacher, student, farmer): the leader's profile (附件4) asks
only what applies to the kind of person (no 参加工作时间 or 职称 for a farmer or a student).

Reviewed by hand; runs on SQLite (batch mode) and PostgreSQL.

Revision ID: 0008_answers
Revises: 0016_unit_reports
Create Date: 2026-11-30 13:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0008_answers'
down_revision = '0016_unit_reports'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('state', sa.JSON(), nullable=True))
    with op.batch_alter_table('persons', schema=None) as batch_op:
        batch_op.add_column(sa.Column('occupation', sa.String(length=20), nullable=True))


def downgrade():
    with op.batch_alter_table('persons', schema=None) as batch_op:
        batch_op.drop_column('occupation')
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.drop_column('state')
