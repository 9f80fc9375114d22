using FluentMigrator;

namespace TrainingPlatform.Api.Data.Migrations;

// The upload quota sums an uploader's files on every upload; the index also serves the cascade when a user is deleted.
[Migration(202612030002, "Course materials: index by uploader, for the per-owner upload quota")]
public sealed class M202612030002_IndexMaterialsByUploader : Migration
{
    public override void Up()
    {
        Execute.Sql("CREATE INDEX course_materials_uploaded_by_idx ON course_materials (uploaded_by);");
    }

    public override void Down()
    {
        Execute.Sql("DROP INDEX course_materials_uploaded_by_idx;");
    }
}
