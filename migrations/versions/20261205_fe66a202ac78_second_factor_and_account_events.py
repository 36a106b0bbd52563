"""Second factor and account events.

The TOTP secret (sealed), its last accepted time step and enrolment time on users;
hashed single-use recovery codes; a stage on account sessions for the half-signed-in
state between password and code; and the audit table of account events.

Revision ID: fe66a202ac78
Revises: f63d6f4c23f4
Create Date: 2026-12-05 10:07:49.690810

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'fe66a202ac78'
down_revision = 'f63d6f4c23f4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('account_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('partnership_id', sa.Integer(), nullable=True),
    sa.Column('via', sa.String(length=12), nullable=False),
    sa.CheckConstraint("kind IN ('sign_in', 'sign_in_failed', 'code_failed', 'sign_in_limited', 'second_factor_enrolled', 'second_factor_removed', 'recovery_code_used', 'password_changed', 'password_set_by_link', 'invite_link_made', 'reset_link_made', 'api_token_made', 'api_token_revoked', 'account_switched_off', 'account_switched_on')", name=op.f('ck_account_events_kind')),
    sa.CheckConstraint("via IN ('web', 'command_line')", name=op.f('ck_account_events_via')),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_account_events_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['partnership_id'], ['partnerships.id'], name=op.f('fk_account_events_partnership_id_partnerships')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_account_events_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_events'))
    )
    with op.batch_alter_table('account_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_events_occurred_at'), ['occurred_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_account_events_partnership_id'), ['partnership_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_account_events_user_id'), ['user_id'], unique=False)

    op.create_table('recovery_codes',
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_recovery_codes_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('code_hash', name=op.f('pk_recovery_codes'))
    )
    with op.batch_alter_table('recovery_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recovery_codes_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('account_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stage', sa.String(length=10), server_default='signed_in', nullable=False))
        batch_op.create_check_constraint(
            op.f('ck_account_sessions_stage'), "stage IN ('signed_in', 'code', 'enrol')"
        )

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totp_secret', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('totp_enabled_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('totp_last_step', sa.BigInteger(), nullable=True))



def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('totp_last_step')
        batch_op.drop_column('totp_enabled_at')
        batch_op.drop_column('totp_secret')

    with op.batch_alter_table('account_sessions', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_account_sessions_stage'), type_='check')
        batch_op.drop_column('stage')

    with op.batch_alter_table('recovery_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recovery_codes_user_id'))

    op.drop_table('recovery_codes')
    with op.batch_alter_table('account_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_events_user_id'))
        batch_op.drop_index(batch_op.f('ix_account_events_partnership_id'))
        batch_op.drop_index(batch_op.f('ix_account_events_occurred_at'))

    op.drop_table('account_events')
