using FluentMigrator;

namespace TrainingPlatform.Api.Data.Migrations;

[Migration(202612010001, "Accounts: users, refresh token families, password reset tokens")]
public sealed class M202612010001_CreateAccounts : Migration
{
    public override void Up()
    {
        Execute.Sql("""
            CREATE TABLE users (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                email varchar(254) NOT NULL,
                display_name varchar(100) NOT NULL,
                role varchar(20) NOT NULL CHECK (role IN ('learner', 'instructor')),
                password_hash text NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                password_changed_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE UNIQUE INDEX users_email_key ON users (email);

            CREATE TABLE refresh_tokens (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                family_id uuid NOT NULL,
                token_hash bytea NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                expires_at timestamptz NOT NULL,
                used_at timestamptz NULL,
                revoked_at timestamptz NULL
            );
            CREATE UNIQUE INDEX refresh_tokens_token_hash_key ON refresh_tokens (token_hash);
            CREATE INDEX refresh_tokens_family_id_idx ON refresh_tokens (family_id);
            CREATE INDEX refresh_tokens_user_id_idx ON refresh_tokens (user_id);

            CREATE TABLE password_reset_tokens (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                token_hash bytea NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                expires_at timestamptz NOT NULL,
                used_at timestamptz NULL
            );
            CREATE UNIQUE INDEX password_reset_tokens_token_hash_key ON password_reset_tokens (token_hash);
            CREATE INDEX password_reset_tokens_user_id_idx ON password_reset_tokens (user_id);
            """);
    }

    public override void Down()
    {
        Execute.Sql("""
            DROP TABLE password_reset_tokens;
            DROP TABLE refresh_tokens;
            DROP TABLE users;
            """);
    }
}
