using FluentMigrator;

namespace TrainingPlatform.Api.Data.Migrations;

// A session is one refresh token family and the access tokens issued with it (their "sid" claim). Its row is the
// one record of its revocation, and the row every rotation and revocation of the session locks.
// Contract: drops refresh_tokens.revoked_at in the release that stopped using it (commit 89920fa, before the
// expand/contract rule), so the release before it cannot run on this schema: going back past it takes this Down() first.
[Migration(202612030001, "Sessions: one row per refresh token family, holding its revocation")]
public sealed class M202612030001_CreateSessions : Migration
{
    public override void Up()
    {
        Execute.Sql("""
            CREATE TABLE sessions (
                id uuid PRIMARY KEY,
                user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                created_at timestamptz NOT NULL DEFAULT now(),
                revoked_at timestamptz NULL
            );
            CREATE INDEX sessions_user_id_idx ON sessions (user_id) WHERE revoked_at IS NULL;

            -- Every revocation revoked a whole family, so a family with any revoked token is a revoked session.
            INSERT INTO sessions (id, user_id, created_at, revoked_at)
            SELECT family_id, min(user_id), min(created_at), max(revoked_at)
            FROM refresh_tokens GROUP BY family_id;

            ALTER TABLE refresh_tokens
                ADD CONSTRAINT refresh_tokens_family_id_fkey FOREIGN KEY (family_id) REFERENCES sessions (id) ON DELETE CASCADE,
                DROP COLUMN revoked_at;
            """);
    }

    public override void Down()
    {
        Execute.Sql("""
            ALTER TABLE refresh_tokens ADD COLUMN revoked_at timestamptz NULL;
            UPDATE refresh_tokens t SET revoked_at = s.revoked_at FROM sessions s WHERE s.id = t.family_id;
            ALTER TABLE refresh_tokens DROP CONSTRAINT refresh_tokens_family_id_fkey;
            DROP TABLE sessions;
            """);
    }
}
