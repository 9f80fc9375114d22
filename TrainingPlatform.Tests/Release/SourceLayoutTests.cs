using System.Text.RegularExpressions;

namespace TrainingPlatform.Tests.Release;

/// <summary>
/// Issue 23's checks on the shape of the code, read from the tree: no source file over 200 lines outside migrations
/// and tests, and no folder of the API where a name prefix does a folder's job (three or more files starting with
/// the same word that is not the folder's own subject, as <c>PasswordReset…</c> files once filled <c>Accounts/</c>).
/// </summary>
public partial class SourceLayoutTests
{
    private const int MaxLines = 200;

    /// <summary>Files sharing a prefix before the prefix should be a folder.</summary>
    private const int PrefixFiles = 3;

    private static readonly string[] NotSource = ["bin", "obj", "node_modules", "Migrations", "TrainingPlatform.Tests"];

    [Fact]
    public void No_source_file_outside_migrations_and_tests_is_over_200_lines()
    {
        var sources = SourceFiles(RepositoryRoot.Path).ToArray();
        var tooLong = sources
            .Select(file => (File: Path.GetRelativePath(RepositoryRoot.Path, file), Lines: File.ReadLines(file).Count()))
            .Where(file => file.Lines > MaxLines)
            .Select(file => $"{file.File}: {file.Lines} lines")
            .ToArray();

        Assert.True(sources.Length > 100, $"only {sources.Length} source files found under {RepositoryRoot.Path}");
        Assert.True(tooLong.Length == 0, $"over {MaxLines} lines, split by concern:\n" + string.Join('\n', tooLong));
    }

    [Fact]
    public void No_api_folder_has_a_name_prefix_that_should_be_a_folder()
    {
        var api = Path.Combine(RepositoryRoot.Path, "TrainingPlatform.Api");
        var crowded = Directory.GetDirectories(api)
            .Where(folder => !NotSource.Contains(Path.GetFileName(folder)))
            .SelectMany(folder => CrowdedPrefixes(Path.GetFileName(folder), Directory.GetFiles(folder, "*.cs").Select(Path.GetFileNameWithoutExtension).OfType<string>()))
            .ToArray();

        Assert.True(crowded.Length == 0, "a prefix doing a folder's job:\n" + string.Join('\n', crowded));
    }

    [Fact]
    public void The_prefix_rule_finds_a_foreign_prefix_and_spares_the_folders_own_subject()
    {
        string[] accounts = ["AccountsApi", "AccountModels", "AccountsServices", "PasswordResetApi", "PasswordResetTokens", "PasswordResetEmail"];
        string[] reset = ["PasswordResetApi", "PasswordResetModels", "PasswordResetSettings", "ResetEmail", "ResetSender", "ResetTokens"];
        string[] data = ["DatabaseServices", "DatabasePoolGauges", "DatabaseUnavailableHandler"];

        Assert.Equal(["Accounts/Password*: PasswordResetApi, PasswordResetTokens, PasswordResetEmail"], CrowdedPrefixes("Accounts", accounts));
        Assert.Empty(CrowdedPrefixes("PasswordReset", reset));
        Assert.Empty(CrowdedPrefixes("Data", data));
    }

    private static IEnumerable<string> SourceFiles(string folder) =>
        Directory.GetFiles(folder, "*.cs").Concat(Directory.GetDirectories(folder)
            .Where(child => !NotSource.Contains(Path.GetFileName(child)) && !Path.GetFileName(child).StartsWith('.'))
            .SelectMany(SourceFiles));

    /// <summary>The first words shared by <see cref="PrefixFiles"/> or more files that are not the folder's subject.</summary>
    private static IEnumerable<string> CrowdedPrefixes(string folder, IEnumerable<string> files)
    {
        var subject = Words(folder).Select(Stem).ToArray();
        return files
            .GroupBy(file => Words(file).FirstOrDefault() ?? file)
            .Where(group => group.Count() >= PrefixFiles && !IsSubject(Stem(group.Key), subject))
            .Select(group => $"{folder}/{group.Key}*: {string.Join(", ", group)}");
    }

    /// <summary>One of the folder name's words, or one that begins the other (<c>Data</c>/<c>Database</c>).</summary>
    private static bool IsSubject(string word, string[] subject) =>
        subject.Any(part => part == word || part.StartsWith(word, StringComparison.Ordinal) || word.StartsWith(part, StringComparison.Ordinal));

    private static string Stem(string word) => word.TrimEnd('s');

    private static IEnumerable<string> Words(string name) => PascalWord().Matches(name).Select(match => match.Value);

    [GeneratedRegex("[A-Z][a-z0-9]*")]
    private static partial Regex PascalWord();
}
