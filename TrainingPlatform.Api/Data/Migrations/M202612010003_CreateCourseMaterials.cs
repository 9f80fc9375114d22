using FluentMigrator;

namespace TrainingPlatform.Api.Data.Migrations;

// Files live in the database so that a database backup holds them too.
[Migration(202612010003, "Course materials: uploaded files as bytea with their SHA-256")]
public sealed class M202612010003_CreateCourseMaterials : Migration
{
    public override void Up()
    {
        Execute.Sql("""
            CREATE TABLE course_materials (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                course_id bigint NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
                uploaded_by bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                file_name varchar(255) NOT NULL,
                content_type varchar(100) NOT NULL,
                size_bytes bigint NOT NULL CHECK (size_bytes >= 0),
                sha256 char(64) NOT NULL,
                content bytea NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX course_materials_course_id_idx ON course_materials (course_id);
            """);
    }

    public override void Down()
    {
        Execute.Sql("DROP TABLE course_materials;");
    }
}
