using FluentMigrator;

namespace TrainingPlatform.Api.Data.Migrations;

// The enrollments page is "user_id = me ORDER BY id DESC LIMIT n". The unique (user_id, course_id) key finds the rows
// but not in that order, and once the page's statement is prepared Postgres may settle on a generic plan that walks
// the primary key backwards filtering on user_id: every enrollment of every learner on every request (2.2 against
// 0.14 ms with 6,500 enrollments; ops/docs/performance.md, learner section). With this index both plans read only the
// learner's rows, already in page order.
// Not CONCURRENTLY: that waits for every other transaction to end, including a second replica's migrator waiting
// for the migration lock this one holds, so two replicas starting at once would wait on each other for good
// (MigrationTests). Enrollment writes wait for the build instead: about a second per million rows.
[Migration(202612050001, "Enrollments: index by learner, newest first, for the enrollments page")]
public sealed class M202612050001_IndexEnrollmentsByLearner : Migration
{
    public override void Up()
    {
        Execute.Sql("CREATE INDEX enrollments_user_id_id_idx ON enrollments (user_id, id DESC);");
    }

    public override void Down()
    {
        Execute.Sql("DROP INDEX enrollments_user_id_id_idx;");
    }
}
