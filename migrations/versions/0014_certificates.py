"""Certificates and their Ed25519 signing keys (issue 17).

Reviewed by hand; runs on SQLite and PostgreSQL (new tables only, no alters).

Revision ID: 0014_certificates
Revises: 0009_robustness
Create Date: 2026-11-30 13:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0014_certificates'
down_revision = '0009_robustness'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'signing_keys',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kid', sa.String(length=16), nullable=False),
        sa.Column('public_key', sa.String(length=64), nullable=False),
        sa.Column('private_key_enc', sa.Text(), nullable=False),
        sa.Column('valid_from', sa.DateTime(), nullable=False),
        sa.Column('valid_until', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_signing_keys')),
        sa.UniqueConstraint('kid', name=op.f('uq_signing_keys_kid')),
    )
    op.create_table(
        'certificates',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('serial', sa.String(length=40), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('season_id', sa.Integer(), nullable=False),
        sa.Column('entry_id', sa.Integer(), nullable=True),
        sa.Column('holder_person_id', sa.Integer(), nullable=True),
        sa.Column('holder_user_id', sa.Integer(), nullable=True),
        sa.Column('holder_name', sa.String(length=50), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('award', sa.String(length=20), nullable=False),
        sa.Column('issued_at', sa.DateTime(), nullable=False),
        sa.Column('issued_on', sa.Date(), nullable=False),
        sa.Column('key_id', sa.Integer(), nullable=False),
        sa.Column('payload', sa.String(length=400), nullable=False),
        sa.Column('signature', sa.String(length=100), nullable=False),
        sa.Column('revoked_at', sa.DateTime(), nullable=True),
        sa.Column('revoked_reason', sa.String(length=200), nullable=True),
        sa.Column('revoked_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['season_id'], ['seasons.id'], name=op.f('fk_certificates_season_id_seasons'), ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['entry_id'], ['entries.id'], name=op.f('fk_certificates_entry_id_entries'), ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['holder_person_id'], ['persons.id'], name=op.f('fk_certificates_holder_person_id_persons'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['holder_user_id'], ['users.id'], name=op.f('fk_certificates_holder_user_id_users'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['key_id'], ['signing_keys.id'], name=op.f('fk_certificates_key_id_signing_keys'), ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['revoked_by_id'], ['users.id'], name=op.f('fk_certificates_revoked_by_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_certificates')),
        sa.UniqueConstraint('serial', name=op.f('uq_certificates_serial')),
        sa.UniqueConstraint('entry_id', 'kind', name='uq_certificates_entry_kind'),
    )
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.create_index('ix_certificates_season_award', ['season_id', 'award'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificates_entry_id'), ['entry_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificates_holder_person_id'), ['holder_person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificates_holder_user_id'), ['holder_user_id'], unique=False)


def downgrade():
    op.drop_table('certificates')
    op.drop_table('signing_keys')
