"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-22 14:53:41.298094
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel.sql.sqltypes.AutoString)

from storage import summaries


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('entity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('canonical', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('aliases', sa.JSON(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('in_kb', sa.Boolean(), nullable=False),
    sa.Column('first_seen_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['entity.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('kind', 'canonical')
    )
    with op.batch_alter_table('entity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_entity_canonical'), ['canonical'], unique=False)
        batch_op.create_index(batch_op.f('ix_entity_kind'), ['kind'], unique=False)

    op.create_table('source',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('url', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('interval_minutes', sa.Integer(), nullable=False),
    sa.Column('max_depth', sa.Integer(), nullable=False),
    sa.Column('allow', sa.JSON(), nullable=False),
    sa.Column('deny', sa.JSON(), nullable=False),
    sa.Column('etag', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('last_modified', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('health', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('consecutive_failures', sa.Integer(), nullable=False),
    sa.Column('last_attempt_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('last_success_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('last_new_article_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('source', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_source_enabled'), ['enabled'], unique=False)
        batch_op.create_index(batch_op.f('ix_source_name'), ['name'], unique=True)

    op.create_table('article',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('url', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=True),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('author', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('published_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('published_on', sa.Date(), nullable=True),
    sa.Column('date_origin', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('fetched_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('norm_text', sa.Text(), nullable=False),
    sa.Column('content_hash', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('simhash', sa.BigInteger(), nullable=True),
    sa.Column('duplicate_of_id', sa.Integer(), nullable=True),
    sa.Column('extraction_status', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('extractor_version', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('extracted_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('extraction_error', sa.Text(), nullable=True),
    sa.Column('claim_stances', sa.Integer(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['duplicate_of_id'], ['article.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['source_id'], ['source.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('url')
    )
    with op.batch_alter_table('article', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_article_content_hash'), ['content_hash'], unique=False)
        batch_op.create_index('ix_article_extraction', ['extraction_status', 'extractor_version'], unique=False)
        batch_op.create_index(batch_op.f('ix_article_fetched_at'), ['fetched_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_article_language'), ['language'], unique=False)
        batch_op.create_index(batch_op.f('ix_article_published_at'), ['published_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_article_published_on'), ['published_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_article_simhash'), ['simhash'], unique=False)
        batch_op.create_index(batch_op.f('ix_article_source_id'), ['source_id'], unique=False)
        batch_op.create_index('ix_article_source_published', ['source_id', 'published_at'], unique=False)

    op.create_table('crawlrun',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('started_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('finished_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('pages', sa.Integer(), nullable=False),
    sa.Column('new_articles', sa.Integer(), nullable=False),
    sa.Column('duplicates', sa.Integer(), nullable=False),
    sa.Column('errors', sa.Integer(), nullable=False),
    sa.Column('error_summary', sa.Text(), nullable=True),
    sa.Column('duration_s', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['source_id'], ['source.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('crawlrun', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_crawlrun_source_id'), ['source_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_crawlrun_started_at'), ['started_at'], unique=False)

    op.create_table('articleurl',
    sa.Column('url', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=True),
    sa.Column('seen_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['article.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['source_id'], ['source.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('url')
    )
    with op.batch_alter_table('articleurl', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_articleurl_article_id'), ['article_id'], unique=False)

    op.create_table('claim',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('stance', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('speaker', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.Column('start', sa.Integer(), nullable=False),
    sa.Column('end', sa.Integer(), nullable=False),
    sa.Column('confidence', sa.Float(), nullable=False),
    sa.Column('extractor_version', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('day', sa.Date(), nullable=True),
    sa.Column('source_id', sa.Integer(), nullable=True),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.ForeignKeyConstraint(['article_id'], ['article.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['entity_id'], ['entity.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['source_id'], ['source.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('claim', schema=None) as batch_op:
        batch_op.create_index('ix_claim_article_subject', ['article_id', 'entity_id', 'stance'], unique=False)
        batch_op.create_index('ix_claim_day_stance', ['day', 'stance', 'entity_id', 'language', 'source_id', 'article_id'], unique=False)
        batch_op.create_index('ix_claim_entity_day', ['entity_id', 'day', 'stance', 'source_id', 'article_id', 'speaker'], unique=False)
        batch_op.create_index('ix_claim_source_day', ['source_id', 'day'], unique=False)

    op.create_table('mention',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('start', sa.Integer(), nullable=False),
    sa.Column('end', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['article.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['entity_id'], ['entity.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('mention', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mention_article_id'), ['article_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mention_entity_id'), ['entity_id'], unique=False)

    op.create_table('page',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('url', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=True),
    sa.Column('fetched_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('http_status', sa.Integer(), nullable=True),
    sa.Column('content_type', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('encoding', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('body', sa.LargeBinary(), nullable=True),
    sa.ForeignKeyConstraint(['article_id'], ['article.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('page', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_page_article_id'), ['article_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_page_fetched_at'), ['fetched_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_page_url'), ['url'], unique=False)

    op.create_table('signal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('signal', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.Column('start', sa.Integer(), nullable=False),
    sa.Column('end', sa.Integer(), nullable=False),
    sa.Column('extractor_version', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('day', sa.Date(), nullable=True),
    sa.Column('source_id', sa.Integer(), nullable=True),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('claim_stances', sa.Integer(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['article.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['entity_id'], ['entity.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['source_id'], ['source.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('signal', schema=None) as batch_op:
        batch_op.create_index('ix_signal_article_subject', ['article_id', 'entity_id', 'signal'], unique=False)
        batch_op.create_index('ix_signal_day_signal', ['day', 'signal', 'entity_id', 'language', 'source_id', 'article_id', 'claim_stances'], unique=False)
        batch_op.create_index('ix_signal_entity_day', ['entity_id', 'day'], unique=False)

    # the dashboard's daily summaries and evidence search, kept by triggers (storage/summaries.py)
    # keyed day first, then the per-day chart's column: a period's rows are one clustered range (SQLite:
    # WITHOUT ROWID, the key is the table) already in GROUP BY day, stance|signal order
    for name, keys in (('claim_daily', [('stance', sa.String()), ('entity_id', sa.Integer())]),
                       ('claim_monthly', [('stance', sa.String()), ('entity_id', sa.Integer())]),
                       ('signal_daily', [('signal', sa.String()), ('entity_id', sa.Integer())]),
                       ('signal_monthly', [('signal', sa.String()), ('entity_id', sa.Integer())]),
                       ('article_daily', [('source_id', sa.Integer()), ('claim_stances', sa.Integer())])):
        columns = [('day', sa.Date()), *keys, ('language', sa.String())]
        op.create_table(name, *(sa.Column(c, t, nullable=False) for c, t in columns),
                        sa.Column('n', sa.Integer(), nullable=False),
                        sa.PrimaryKeyConstraint(*(c for c, _ in columns)), sqlite_with_rowid=False)
    for statement in summaries.ddl(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade() -> None:
    for name in ('claim_daily', 'claim_monthly', 'signal_daily', 'signal_monthly', 'article_daily'):
        op.drop_table(name)
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('DROP TABLE IF EXISTS claim_fts')
        op.execute('DROP TABLE IF EXISTS signal_fts')
    with op.batch_alter_table('signal', schema=None) as batch_op:
        batch_op.drop_index('ix_signal_entity_day')
        batch_op.drop_index('ix_signal_day_signal')
        batch_op.drop_index('ix_signal_article_subject')

    op.drop_table('signal')
    with op.batch_alter_table('page', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_page_url'))
        batch_op.drop_index(batch_op.f('ix_page_fetched_at'))
        batch_op.drop_index(batch_op.f('ix_page_article_id'))

    op.drop_table('page')
    with op.batch_alter_table('mention', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mention_entity_id'))
        batch_op.drop_index(batch_op.f('ix_mention_article_id'))

    op.drop_table('mention')
    with op.batch_alter_table('claim', schema=None) as batch_op:
        batch_op.drop_index('ix_claim_source_day')
        batch_op.drop_index('ix_claim_entity_day')
        batch_op.drop_index('ix_claim_day_stance')
        batch_op.drop_index('ix_claim_article_subject')

    op.drop_table('claim')
    with op.batch_alter_table('articleurl', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_articleurl_article_id'))

    op.drop_table('articleurl')
    with op.batch_alter_table('crawlrun', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_crawlrun_started_at'))
        batch_op.drop_index(batch_op.f('ix_crawlrun_source_id'))

    op.drop_table('crawlrun')
    with op.batch_alter_table('article', schema=None) as batch_op:
        batch_op.drop_index('ix_article_source_published')
        batch_op.drop_index(batch_op.f('ix_article_source_id'))
        batch_op.drop_index(batch_op.f('ix_article_simhash'))
        batch_op.drop_index(batch_op.f('ix_article_published_on'))
        batch_op.drop_index(batch_op.f('ix_article_published_at'))
        batch_op.drop_index(batch_op.f('ix_article_language'))
        batch_op.drop_index(batch_op.f('ix_article_fetched_at'))
        batch_op.drop_index('ix_article_extraction')
        batch_op.drop_index(batch_op.f('ix_article_content_hash'))

    op.drop_table('article')
    with op.batch_alter_table('source', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_source_name'))
        batch_op.drop_index(batch_op.f('ix_source_enabled'))

    op.drop_table('source')
    with op.batch_alter_table('entity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_entity_kind'))
        batch_op.drop_index(batch_op.f('ix_entity_canonical'))

    op.drop_table('entity')
