"""Conversations record their flow (a key of message_templates/zh_CN/flows.yaml), a subject for
targets other than an entry, and the item of a looping flow; `proxy` becomes the flow
`entry_proxy`. A conversation saved before this migration resumes after it: an open entry
draft gets the flow `entry` (or `entry_proxy` when it was filed for a farmer).

Reviewed by hand; runs on SQLite (batch mode) and PostgreSQL.

Revision ID: 0006_conversation_flow
Revises: 0005_outbox_handled
Create Date: 2026-11-30 12:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0006_conversation_flow'
down_revision = '0005_outbox_handled'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('flow', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('subject_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('item', sa.Integer(), nullable=True))
    op.execute("UPDATE conversations SET flow = CASE WHEN proxy THEN 'entry_proxy' ELSE 'entry' END "
               "WHERE entry_id IS NOT NULL")
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.drop_column('proxy')


def downgrade():
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('proxy', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute("UPDATE conversations SET proxy = (flow = 'entry_proxy') WHERE flow IS NOT NULL")
    # A conversation in a flow that did not exist before (not an entry) goes idle.
    op.execute("UPDATE conversations SET step = NULL, history = '[]', skipped = '[]' "
               "WHERE flow IS NOT NULL AND flow NOT IN ('entry', 'entry_proxy')")
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.drop_column('item')
        batch_op.drop_column('subject_id')
        batch_op.drop_column('flow')
