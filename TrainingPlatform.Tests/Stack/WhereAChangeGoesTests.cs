extern alias AppHost;

using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;

namespace TrainingPlatform.Tests.Stack;

/// <summary>
/// README.md's "Where a change goes" against the tree and the AppHost: every path it names exists, every resource the
/// AppHost adds in any mode (local, containers, the published manifest) has exactly one row, and that row names one
/// file of the AppHost; every AppHost file that adds a resource has a row.
/// </summary>
public partial class WhereAChangeGoesTests
{
    private const string AppHostFolder = "TrainingPlatform.AppHost";

    /// <summary>Files that add resources only on behalf of a resource's own file (a local program, an image by the table).</summary>
    private static readonly string[] Helpers = ["ContainerImages.cs", "LocalExecutables.cs"];

    [Fact]
    public void Every_path_the_table_names_exists()
    {
        foreach (var row in Rows())
        {
            var paths = PathsIn(row.Place).ToList();
            // A folder given beside a pattern (`Accounts/` beside `TrainingPlatform.Api/<Feature>/`) lives under its root.
            var root = paths.Count > 0 && paths[0].Contains('<') ? paths[0][..paths[0].IndexOf('<')] : "";
            foreach (var path in paths.Where(p => !p.Contains('<')))
            {
                Assert.True(Exists(path) || Exists(root + path), $"'{row.Change}': {path} does not exist");
            }
        }
    }

    [Fact]
    public void Each_resource_row_names_one_file_of_the_apphost()
    {
        foreach (var row in Rows().Where(r => r.IsResource))
        {
            var files = PathsIn(row.Place).ToList();
            // Until the Postgres resource moves into a file of its own (Postgres.cs), its two forms live in two.
            var allowed = row.Names.Contains("postgres") && !Exists($"{AppHostFolder}/Postgres.cs") ? 2 : 1;
            Assert.True(files.Count == allowed, $"'{row.Change}' names {files.Count} places: {string.Join(", ", files)}");
            Assert.All(files, file =>
            {
                Assert.StartsWith(AppHostFolder + "/", file);
                Assert.True(File.Exists(Path.Combine(RepositoryRoot.Path, file)), $"{file} does not exist");
            });
        }
    }

    [Fact]
    public async Task Every_resource_the_apphost_adds_in_any_mode_has_one_row()
    {
        var rows = Rows().Where(r => r.IsResource).ToList();
        var listed = rows.SelectMany(r => r.Names).ToList();
        Assert.Equal(listed.Distinct(), listed);

        var added = new SortedSet<string>(await ResourcesAsync("local"));
        added.UnionWith(await ResourcesAsync("containers"));
        added.UnionWith((await ManifestTests.Manifest.Value).GetProperty("resources").EnumerateObject()
            // Parameters belong to their resource's row; Aspire derives the rest (URI-encoded secrets, TLS switches).
            .Where(r => r.Value.GetProperty("type").GetString() is not ("parameter.v0" or "annotated.string") && !r.Name.StartsWith("cond-", StringComparison.Ordinal))
            .Select(r => r.Name));

        Assert.Equal(added, listed.Order());
    }

    [Fact]
    public void Every_apphost_file_that_adds_a_resource_has_its_row()
    {
        var named = Rows().Where(r => r.IsResource).SelectMany(r => PathsIn(r.Place)).Select(Path.GetFileName).ToHashSet();
        var adding = Directory.GetFiles(Path.Combine(RepositoryRoot.Path, AppHostFolder), "*.cs")
            .Where(file => AddsAResource().IsMatch(File.ReadAllText(file)))
            .Select(Path.GetFileName)
            .Except(Helpers);

        Assert.All(adding, file => Assert.Contains(file, named));
    }

    private sealed record Row(string Change, string Place)
    {
        /// <summary>A row naming resources: "resource `x`…" or "resources `x`, `y`…".</summary>
        public bool IsResource => Change.StartsWith("resource ", StringComparison.Ordinal) || Change.StartsWith("resources ", StringComparison.Ordinal);

        public IEnumerable<string> Names => Backticked(Change).Where(name => ResourceName().IsMatch(name));
    }

    private static IEnumerable<Row> Rows()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "README.md"));
        var section = Regex.Match(readme, @"^## Where a change goes\n(.*?)^## ", RegexOptions.Singleline | RegexOptions.Multiline);
        Assert.True(section.Success, "README.md has no 'Where a change goes' section");
        var rows = Regex.Matches(section.Groups[1].Value, @"^\| (?<change>.+?) \| (?<place>.+) \|$", RegexOptions.Multiline)
            .Select(m => new Row(m.Groups["change"].Value, m.Groups["place"].Value))
            .Where(r => r.Change != "change" && !r.Change.StartsWith("---", StringComparison.Ordinal))
            .ToList();
        Assert.NotEmpty(rows);
        return rows;
    }

    private static IEnumerable<string> Backticked(string text) => Regex.Matches(text, "`([^`]+)`").Select(m => m.Groups[1].Value);

    /// <summary>The backticked tokens that are paths in the repository: with a slash, or a file name with its extension.</summary>
    private static IEnumerable<string> PathsIn(string place) =>
        Backticked(place).Where(token => !token.Contains(' ') && !token.Contains('(') && (token.Contains('/') || FileName().IsMatch(token)));

    private static bool Exists(string path) =>
        File.Exists(Path.Combine(RepositoryRoot.Path, path)) || Directory.Exists(Path.Combine(RepositoryRoot.Path, path));

    /// <summary>The names of the resources the AppHost adds in <paramref name="mode"/>, with two replicas, parameters left out.</summary>
    private static async Task<IEnumerable<string>> ResourcesAsync(string mode)
    {
        using var data = new TempFolder("tp-resources-");
        using var builder = await DistributedApplicationTestingBuilder.CreateAsync<AppHost::Projects.TrainingPlatform_AppHost>(
            [$"--Stack:Mode={mode}", $"--Stack:DataDirectory={data.FullName}", "--Stack:ApiReplicas=2"], StackFixture.Timeout(60));
        return builder.Resources
            // Aspire's own companions of a project (its rebuilder) are no resource of ours.
            .Where(r => r is not ParameterResource && !r.GetType().Name.EndsWith("RebuilderResource", StringComparison.Ordinal))
            .Select(r => r.Name)
            .ToList();
    }

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex ResourceName();

    [GeneratedRegex(@"^[\w.-]+\.(cs|md|tsv|sh|yml|json)$")]
    private static partial Regex FileName();

    /// <summary>A call adding a resource to the application model.</summary>
    [GeneratedRegex(@"\bbuilder\.Add(Container|Dockerfile|Project|Executable|LocalProgram|Redis|Postgres|ConnectionString)\b")]
    private static partial Regex AddsAResource();
}
