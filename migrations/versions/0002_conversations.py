"""Conversations: where each user stands in the guided dialogue (one row per user).

Reviewed by hand; runs on SQLite (batch mode) and PostgreSQL.

Revision ID: 0002_conversations
Revises: 0001_foundation
Create Date: 2026-11-23 20:24:35.073518

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002_conversations'
down_revision = '0001_foundation'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('conversations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=True),
    sa.Column('proxy', sa.Boolean(), nullable=False),
    sa.Column('step', sa.String(length=40), nullable=True),
    sa.Column('history', sa.JSON(), nullable=False),
    sa.Column('skipped', sa.JSON(), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('pending', sa.String(length=20), nullable=True),
    sa.Column('paused', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['entries.id'], name=op.f('fk_conversations_entry_id_entries'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_conversations_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conversations')),
    sa.UniqueConstraint('user_id', name=op.f('uq_conversations_user_id'))
    )



def downgrade():

    op.drop_table('conversations')

