namespace TrainingPlatform.Tests.Infrastructure;

/// <summary>The checkout the tests run from, found by walking up to the solution file.</summary>
public static class RepositoryRoot
{
    public static string Path { get; } = Find();

    /// <summary>Debug or Release: the configuration these tests were built with, so child processes use the same build.</summary>
    public static string Configuration { get; } =
        new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(System.IO.Path.DirectorySeparatorChar)).Parent!.Name;

    public static string Ops(params string[] parts) => System.IO.Path.Combine([Path, "ops", .. parts]);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "TrainingPlatform.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("TrainingPlatform.sln not found above " + AppContext.BaseDirectory);
    }
}
