using FluentMigrator;

namespace TrainingPlatform.Api.Data.Migrations;

// A signed-in caller's list is "published OR instructor_id = me": with both columns in the index, its count is an
// index-only scan and its page a walk down the index from the newest id, neither touching the table's wide rows.
// Anonymous lists keep using courses_published_idx, the partial index on published courses.
[Migration(202612030004, "Courses: covering index for the course list of a signed-in caller")]
public sealed class M202612030004_IndexCourseListing : Migration
{
    public override void Up()
    {
        Execute.Sql("CREATE INDEX courses_listing_idx ON courses (id DESC) INCLUDE (published, instructor_id);");
    }

    public override void Down()
    {
        Execute.Sql("DROP INDEX courses_listing_idx;");
    }
}
