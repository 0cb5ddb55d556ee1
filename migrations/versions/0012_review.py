"""The review chain: one `entry_reviews` row per submitted entry — its route (the organisation
acting at each level), the unit's confirmation, the last return (level, reason, named fields,
reply-by date); `recommendations`: a level's stamped 附件2 scan per season.

Reviewed by hand; runs on SQLite and PostgreSQL (a new table only).

Revision ID: 0012_review
Revises: 0014_certificates
Create Date: 2026-11-30 13:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0012_review'
down_revision = '0014_certificates'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'entry_reviews',
        sa.Column('entry_id', sa.Integer(), nullable=False),
        sa.Column('unit_org_id', sa.Integer(), nullable=False),
        sa.Column('county_org_id', sa.Integer(), nullable=True),
        sa.Column('city_org_id', sa.Integer(), nullable=False),
        sa.Column('unit_confirmed_at', sa.DateTime(), nullable=True),
        sa.Column('unit_confirmed_by_id', sa.Integer(), nullable=True),
        sa.Column('returned_level', sa.String(length=10), nullable=True),
        sa.Column('return_reason', sa.Text(), nullable=True),
        sa.Column('return_fields', sa.JSON(), nullable=True),
        sa.Column('reply_by', sa.Date(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['entry_id'], ['entries.id'], name=op.f('fk_entry_reviews_entry_id_entries'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['unit_org_id'], ['organisations.id'],
                                name=op.f('fk_entry_reviews_unit_org_id_organisations'), ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['county_org_id'], ['organisations.id'],
                                name=op.f('fk_entry_reviews_county_org_id_organisations'), ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['city_org_id'], ['organisations.id'],
                                name=op.f('fk_entry_reviews_city_org_id_organisations'), ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['unit_confirmed_by_id'], ['users.id'],
                                name=op.f('fk_entry_reviews_unit_confirmed_by_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('entry_id', name=op.f('pk_entry_reviews')),
    )
    op.create_index('ix_entry_reviews_unit_org', 'entry_reviews', ['unit_org_id'])
    op.create_index('ix_entry_reviews_county_org', 'entry_reviews', ['county_org_id'])
    op.create_table(
        'recommendations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('season_id', sa.Integer(), nullable=False),
        sa.Column('org_id', sa.Integer(), nullable=False),
        sa.Column('level', sa.String(length=10), nullable=False),
        sa.Column('scan_id', sa.Integer(), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
        sa.Column('uploaded_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['season_id'], ['seasons.id'], name=op.f('fk_recommendations_season_id_seasons'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['org_id'], ['organisations.id'],
                                name=op.f('fk_recommendations_org_id_organisations'), ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['scan_id'], ['attachments.id'],
                                name=op.f('fk_recommendations_scan_id_attachments'), ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'],
                                name=op.f('fk_recommendations_uploaded_by_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_recommendations')),
        sa.UniqueConstraint('season_id', 'org_id', 'level', name='uq_recommendations_season_org_level'),
    )
    op.create_index(op.f('ix_recommendations_org_id'), 'recommendations', ['org_id'])


def downgrade():
    op.drop_index(op.f('ix_recommendations_org_id'), table_name='recommendations')
    op.drop_table('recommendations')
    op.drop_index('ix_entry_reviews_county_org', table_name='entry_reviews')
    op.drop_index('ix_entry_reviews_unit_org', table_name='entry_reviews')
    op.drop_table('entry_reviews')
