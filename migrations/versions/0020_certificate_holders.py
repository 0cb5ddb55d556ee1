"""Certificates for units (优胜单位, 优秀组织奖) and replacements (issue 17 items 1 and 7):
holder_kind (person | org) and holder_org_id; generation (0 first issue, n the n-th replacement)
and replaced_by_id (the revoked certificate points to the one that replaced it). The unique
(entry_id, kind) becomes (entry_id, kind, generation), and a unit's award is unique per
(season, org, award, generation). NULL entry_id / holder_org_id never collide on either database.

Reviewed by hand; runs on SQLite (batch mode) and PostgreSQL.

Revision ID: 0020_certificate_holders
Revises: 0019_publicity
Create Date: 2026-11-30 16:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0020_certificate_holders'
down_revision = '0019_publicity'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('holder_kind', sa.String(length=10), server_default='person', nullable=False))
        batch_op.add_column(sa.Column('holder_org_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('generation', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('replaced_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_certificates_holder_org_id_organisations'), 'organisations',
                                    ['holder_org_id'], ['id'], ondelete='RESTRICT')
        batch_op.create_foreign_key(batch_op.f('fk_certificates_replaced_by_id_certificates'), 'certificates',
                                    ['replaced_by_id'], ['id'], ondelete='SET NULL')
        batch_op.create_index(batch_op.f('ix_certificates_holder_org_id'), ['holder_org_id'], unique=False)
        batch_op.drop_constraint('uq_certificates_entry_kind', type_='unique')
        batch_op.create_unique_constraint('uq_certificates_entry_kind_gen', ['entry_id', 'kind', 'generation'])
        batch_op.create_unique_constraint('uq_certificates_org_award_gen',
                                          ['season_id', 'holder_org_id', 'award', 'generation'])


def downgrade():
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_constraint('uq_certificates_org_award_gen', type_='unique')
        batch_op.drop_constraint('uq_certificates_entry_kind_gen', type_='unique')
        batch_op.create_unique_constraint('uq_certificates_entry_kind', ['entry_id', 'kind'])
        batch_op.drop_index(batch_op.f('ix_certificates_holder_org_id'))
        batch_op.drop_constraint(batch_op.f('fk_certificates_replaced_by_id_certificates'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_certificates_holder_org_id_organisations'), type_='foreignkey')
        batch_op.drop_column('replaced_by_id')
        batch_op.drop_column('generation')
        batch_op.drop_column('holder_org_id')
        batch_op.drop_column('holder_kind')
