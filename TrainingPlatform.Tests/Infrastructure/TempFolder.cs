namespace TrainingPlatform.Tests.Infrastructure;

/// <summary>
/// A fresh folder of a test's own under the temporary directory (the run's, under ./test.sh), deleted with everything
/// in it when disposed: <c>using var</c> in a test, or a field of a class that disposes it.
/// </summary>
public sealed class TempFolder(string prefix) : IDisposable
{
    public string FullName { get; } = Directory.CreateTempSubdirectory(prefix).FullName;

    public void Dispose()
    {
        if (Directory.Exists(FullName))
        {
            Directory.Delete(FullName, recursive: true);
        }
    }
}
