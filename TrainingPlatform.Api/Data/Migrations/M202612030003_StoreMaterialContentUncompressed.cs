using FluentMigrator;

namespace TrainingPlatform.Api.Data.Migrations;

// Downloads read a material in slices (substring per query); with the content stored out of line and uncompressed,
// Postgres fetches only the slice's TOAST chunks instead of decompressing the value from its start for every slice.
// Uploaded materials are mostly compressed formats already (PDF, images, ZIP, video). Applies to rows written from now on.
[Migration(202612030003, "Course materials: content stored uncompressed, so slices are read without decompressing")]
public sealed class M202612030003_StoreMaterialContentUncompressed : Migration
{
    public override void Up()
    {
        Execute.Sql("ALTER TABLE course_materials ALTER COLUMN content SET STORAGE EXTERNAL;");
    }

    public override void Down()
    {
        Execute.Sql("ALTER TABLE course_materials ALTER COLUMN content SET STORAGE EXTENDED;");
    }
}
