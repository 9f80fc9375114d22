using FluentMigrator;

namespace TrainingPlatform.Api.Data.Migrations;

[Migration(202612010002, "Courses: courses, ordered lessons, enrollments, lesson completions")]
public sealed class M202612010002_CreateCourses : Migration
{
    public override void Up()
    {
        Execute.Sql("""
            CREATE TABLE courses (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                instructor_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                title varchar(200) NOT NULL,
                description text NOT NULL,
                published boolean NOT NULL DEFAULT false,
                created_at timestamptz NOT NULL DEFAULT now(),
                updated_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX courses_instructor_id_idx ON courses (instructor_id);
            CREATE INDEX courses_published_idx ON courses (id) WHERE published;

            CREATE TABLE lessons (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                course_id bigint NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
                position integer NOT NULL CHECK (position >= 1),
                title varchar(200) NOT NULL,
                content text NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                updated_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX lessons_course_id_position_idx ON lessons (course_id, position);

            CREATE TABLE enrollments (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                course_id bigint NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
                enrolled_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE UNIQUE INDEX enrollments_user_id_course_id_key ON enrollments (user_id, course_id);
            CREATE INDEX enrollments_course_id_idx ON enrollments (course_id);

            CREATE TABLE lesson_completions (
                enrollment_id bigint NOT NULL REFERENCES enrollments (id) ON DELETE CASCADE,
                lesson_id bigint NOT NULL REFERENCES lessons (id) ON DELETE CASCADE,
                completed_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (enrollment_id, lesson_id)
            );
            CREATE INDEX lesson_completions_lesson_id_idx ON lesson_completions (lesson_id);
            """);
    }

    public override void Down()
    {
        Execute.Sql("""
            DROP TABLE lesson_completions;
            DROP TABLE enrollments;
            DROP TABLE lessons;
            DROP TABLE courses;
            """);
    }
}
