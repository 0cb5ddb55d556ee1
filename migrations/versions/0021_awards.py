"""The organisation awards (issue 18 items 5 and 6): 优秀组织奖 sheets with their ten items and
evidence files, and 优胜单位 applications (附件5) with the county and city opinions. One sheet
and one application per organisation and season (unique constraints).

Reviewed by hand; runs on SQLite and PostgreSQL.

Revision ID: 0021_awards
Revises: 0020_certificate_holders
Create Date: 2026-11-30 16:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0021_awards'
down_revision = '0020_certificate_holders'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'org_award_sheets',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('season_id', sa.Integer(), nullable=False),
        sa.Column('org_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('total', sa.Numeric(precision=5, scale=1), nullable=True),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('submitted_at', sa.DateTime(), nullable=True),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['season_id'], ['seasons.id'], ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('season_id', 'org_id', name='uq_org_award_sheets_season_org'),
    )
    with op.batch_alter_table('org_award_sheets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_org_award_sheets_season_id'), ['season_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_org_award_sheets_org_id'), ['org_id'], unique=False)
    op.create_table(
        'org_award_items',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('sheet_id', sa.Integer(), nullable=False),
        sa.Column('item_no', sa.Integer(), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('score', sa.Numeric(precision=4, scale=1), nullable=True),
        sa.Column('comment', sa.Text(), nullable=True),
        sa.Column('basis', sa.JSON(), nullable=True),
        sa.Column('scored_by_id', sa.Integer(), nullable=True),
        sa.Column('scored_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['sheet_id'], ['org_award_sheets.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['scored_by_id'], ['users.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('sheet_id', 'item_no', name='uq_org_award_items_sheet_item'),
    )
    with op.batch_alter_table('org_award_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_org_award_items_sheet_id'), ['sheet_id'], unique=False)
    op.create_table(
        'org_award_evidence',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('attachment_id', sa.Integer(), nullable=False),
        sa.Column('added_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['item_id'], ['org_award_items.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['attachment_id'], ['attachments.id'], ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('org_award_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_org_award_evidence_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_org_award_evidence_attachment_id'), ['attachment_id'], unique=False)
    op.create_table(
        'winner_applications',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('season_id', sa.Integer(), nullable=False),
        sa.Column('org_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('legal_rep', sa.String(length=50), nullable=False),
        sa.Column('nature', sa.String(length=50), nullable=False),
        sa.Column('phone', sa.String(length=30), nullable=False),
        sa.Column('employees', sa.Integer(), nullable=False),
        sa.Column('participants', sa.Integer(), nullable=False),
        sa.Column('summary', sa.Text(), nullable=False),
        sa.Column('applicant_opinion', sa.Text(), nullable=False),
        sa.Column('filled_by', sa.String(length=50), nullable=True),
        sa.Column('responsible', sa.String(length=50), nullable=True),
        sa.Column('filed_by_id', sa.Integer(), nullable=False),
        sa.Column('filed_at', sa.DateTime(), nullable=False),
        sa.Column('county_decision', sa.String(length=10), nullable=True),
        sa.Column('county_comment', sa.Text(), nullable=True),
        sa.Column('county_by_id', sa.Integer(), nullable=True),
        sa.Column('county_at', sa.DateTime(), nullable=True),
        sa.Column('city_decision', sa.String(length=10), nullable=True),
        sa.Column('city_comment', sa.Text(), nullable=True),
        sa.Column('city_by_id', sa.Integer(), nullable=True),
        sa.Column('city_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['season_id'], ['seasons.id'], ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['filed_by_id'], ['users.id'], ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['county_by_id'], ['users.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['city_by_id'], ['users.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('season_id', 'org_id', name='uq_winner_applications_season_org'),
    )
    with op.batch_alter_table('winner_applications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_winner_applications_season_id'), ['season_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_winner_applications_org_id'), ['org_id'], unique=False)


def downgrade():
    op.drop_table('winner_applications')
    op.drop_table('org_award_evidence')
    op.drop_table('org_award_items')
    op.drop_table('org_award_sheets')
