"""The office console (issue 14): a season belongs to an organising node (seasons.org_id);
organisations get the 示范重点 flag, the four-party body flag and a retirement time; role
invitations wait for a phone to bind.

Reviewed by hand; runs on SQLite (batch mode) and PostgreSQL.

Revision ID: 0011_console
Revises: 0008_answers
Create Date: 2026-11-30 13:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0011_console'
down_revision = '0008_answers'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('seasons', schema=None) as batch_op:
        batch_op.add_column(sa.Column('org_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_seasons_org_id', ['org_id'], unique=False)
        batch_op.create_foreign_key('fk_seasons_org_id_organisations', 'organisations', ['org_id'], ['id'],
                                    ondelete='RESTRICT')
    # Seasons made before this migration belong to the deployment's city when there is exactly
    # one (the case so far); otherwise a city admin has to set the organiser (they stay unlisted).
    op.execute("UPDATE seasons SET org_id = (SELECT MIN(id) FROM organisations WHERE kind = 'city') "
               "WHERE org_id IS NULL AND (SELECT COUNT(*) FROM organisations WHERE kind = 'city') = 1")
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('model_key', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('four_party', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('retired_at', sa.DateTime(), nullable=True))
    # The console's audit trail filters by who did it.
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index('ix_audit_events_actor_id', ['actor_id'], unique=False)
    op.create_table(
        'role_invitations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('phone', sa.String(length=20), nullable=False),
        sa.Column('role', sa.String(length=20), nullable=False),
        sa.Column('org_id', sa.Integer(), nullable=False),
        sa.Column('invited_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('accepted_at', sa.DateTime(), nullable=True),
        sa.Column('accepted_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], name='fk_role_invitations_org_id_organisations',
                                ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['invited_by_id'], ['users.id'], name='fk_role_invitations_invited_by_id_users',
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['accepted_by_id'], ['users.id'], name='fk_role_invitations_accepted_by_id_users',
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name='pk_role_invitations'),
    )
    with op.batch_alter_table('role_invitations', schema=None) as batch_op:
        batch_op.create_index('ix_role_invitations_phone', ['phone'], unique=False)


def downgrade():
    with op.batch_alter_table('role_invitations', schema=None) as batch_op:
        batch_op.drop_index('ix_role_invitations_phone')
    op.drop_table('role_invitations')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_events_actor_id')
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_column('retired_at')
        batch_op.drop_column('four_party')
        batch_op.drop_column('model_key')
    with op.batch_alter_table('seasons', schema=None) as batch_op:
        batch_op.drop_constraint('fk_seasons_org_id_organisations', type_='foreignkey')
        batch_op.drop_index('ix_seasons_org_id')
        batch_op.drop_column('org_id')
