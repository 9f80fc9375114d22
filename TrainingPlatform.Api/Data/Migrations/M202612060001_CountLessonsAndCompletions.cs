using FluentMigrator;

namespace TrainingPlatform.Api.Data.Migrations;

// The enrollments page shows each enrollment's progress: lessons completed of lessons in the course. Counted on every
// request, that was two index scans per row, about two thirds of the page's database time (ops/docs/performance.md,
// learner section). The counts are now kept beside the rows they describe, by triggers, so every writer (this
// release, the previous one, a psql session) keeps them right in the same transaction.
// Expand only: two columns with defaults, two triggers, a backfill. Until the backfill commits, the ALTER TABLEs hold
// courses and enrollments and the triggers hold writes to lessons and completions: about a second per million rows.
[Migration(202612060001, "Courses count their lessons, enrollments their completed lessons")]
public sealed class M202612060001_CountLessonsAndCompletions : Migration
{
    public override void Up()
    {
        Execute.Sql($"""
            ALTER TABLE courses ADD COLUMN lesson_count bigint NOT NULL DEFAULT 0;
            ALTER TABLE enrollments ADD COLUMN completed_lessons bigint NOT NULL DEFAULT 0;
            {CountedBy("count_course_lessons", "lessons_counted", "lessons", "course_id", "courses", "lesson_count")}
            {CountedBy("count_completed_lessons", "lesson_completions_counted", "lesson_completions", "enrollment_id", "enrollments", "completed_lessons")}
            UPDATE courses c SET lesson_count = n FROM (SELECT course_id, count(*) AS n FROM lessons GROUP BY course_id) l
                WHERE l.course_id = c.id;
            UPDATE enrollments e SET completed_lessons = n
                FROM (SELECT enrollment_id, count(*) AS n FROM lesson_completions GROUP BY enrollment_id) lc WHERE lc.enrollment_id = e.id;
            """);
    }

    /// <summary>
    /// A trigger that keeps <paramref name="parent"/>.<paramref name="counter"/> equal to the number of
    /// <paramref name="child"/> rows whose <paramref name="key"/> names it: inserted, deleted or moved to another parent.
    /// </summary>
    private static string CountedBy(string function, string trigger, string child, string key, string parent, string counter) => $"""
        CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'UPDATE' AND NEW.{key} = OLD.{key} THEN
                RETURN NULL;
            END IF;
            IF TG_OP IN ('INSERT', 'UPDATE') THEN
                UPDATE {parent} SET {counter} = {counter} + 1 WHERE id = NEW.{key};
            END IF;
            IF TG_OP IN ('DELETE', 'UPDATE') THEN
                UPDATE {parent} SET {counter} = {counter} - 1 WHERE id = OLD.{key};
            END IF;
            RETURN NULL;
        END $$;
        CREATE TRIGGER {trigger} AFTER INSERT OR DELETE OR UPDATE OF {key} ON {child}
            FOR EACH ROW EXECUTE FUNCTION {function}();
        """;

    public override void Down()
    {
        Execute.Sql("""
            DROP TRIGGER lesson_completions_counted ON lesson_completions;
            DROP FUNCTION count_completed_lessons();
            DROP TRIGGER lessons_counted ON lessons;
            DROP FUNCTION count_course_lessons();
            ALTER TABLE enrollments DROP COLUMN completed_lessons;
            ALTER TABLE courses DROP COLUMN lesson_count;
            """);
    }
}
