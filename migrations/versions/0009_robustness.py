"""Robustness (issue 13): an entry records how its unit was chosen (`unit_source`: "role" =
from the user's own role/organisation, "named" = named freely; null until a unit is set), and
a subscription consent keeps the user's last choice in WeChat's popup (`last_choice`: accept /
reject, from the subscribe_msg_popup_event push).

Reviewed by hand; runs on SQLite (batch mode) and PostgreSQL.

Revision ID: 0009_robustness
Revises: 0013_scoring
Create Date: 2026-11-30 13:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0009_robustness'
down_revision = '0013_scoring'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unit_source', sa.String(length=10), nullable=True))
    with op.batch_alter_table('subscription_consents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_choice', sa.String(length=10), nullable=True))


def downgrade():
    with op.batch_alter_table('subscription_consents', schema=None) as batch_op:
        batch_op.drop_column('last_choice')
    with op.batch_alter_table('entries', schema=None) as batch_op:
        batch_op.drop_column('unit_source')
