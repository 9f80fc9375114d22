namespace TrainingPlatform.Tests.Release;

/// <summary>
/// An <c>az</c> command line from the release docs, split into words by bash itself (quotes and variables as an
/// operator's shell would) and checked against the commands a single-revision Container App accepts. Azure cannot
/// be reached from here, so this grammar is what the docs are held to: the few <c>az containerapp</c> commands the
/// release and the rollback use, with the options <c>az</c> documents for them.
/// </summary>
public sealed record AzCommandLine(string Group, IReadOnlyDictionary<string, string?> Options)
{
    /// <summary>Each command the docs may use, with its own options: true when the option takes a value.</summary>
    private static readonly Dictionary<string, Dictionary<string, bool>> Known = new()
    {
        ["containerapp show"] = [],
        ["containerapp update"] = WithOptions(("--image", true), ("--container-name", true), ("--revision-suffix", true)),
        ["containerapp exec"] = WithOptions(("--command", true), ("--container", true), ("--replica", true), ("--revision", true)),
        ["containerapp revision list"] = WithOptions(("--all", false)),
    };

    /// <summary>Every command above names the app and its group, and takes az's global output options.</summary>
    private static readonly string[] Required = ["--name", "--resource-group"];
    private static readonly string[] Common = [.. Required, "--output", "--query"];

    /// <summary>
    /// Commands and options that only work in multiple-revision mode: the deployment (azd, single-revision) refuses
    /// them, so the docs must not contain them.
    /// </summary>
    private static readonly string[] NeedMultipleRevisions =
        ["containerapp ingress traffic", "containerapp revision activate", "containerapp revision label", "--revision-weight", "--label-weight"];

    private static readonly Dictionary<string, string> ShortOptions = new() { ["-n"] = "--name", ["-g"] = "--resource-group", ["-o"] = "--output" };

    public string Option(string name) =>
        Options.TryGetValue(name, out var value) && value is not null ? value : throw new InvalidOperationException($"az {Group}: no {name}");

    /// <summary>
    /// Splits <paramref name="line"/> as bash does with <paramref name="variables"/> set (unset ones expand to
    /// nothing, so an unquoted one loses its option's value and the line fails to parse) and checks it.
    /// </summary>
    public static async Task<AzCommandLine> ParseAsync(string line, IReadOnlyDictionary<string, string> variables)
    {
        var split = await Command.RunAsync("bash", ["-c", $"printf '%s\\0' {line}"], variables);
        if (split.ExitCode != 0)
        {
            throw new FormatException($"bash cannot split `{line}`: {split}");
        }
        var words = split.Stdout.Split('\0')[..^1];
        if (words is not ["az", ..])
        {
            throw new FormatException($"`{line}` is not an az command");
        }
        var group = string.Join(' ', words.Skip(1).TakeWhile(word => !word.StartsWith('-')));
        if (NeedMultipleRevisions.FirstOrDefault(refused => line.Contains(refused, StringComparison.Ordinal)) is { } needs)
        {
            throw new FormatException($"`{line}`: {needs} needs multiple-revision mode, and azd deploys Container Apps in single-revision mode");
        }
        if (!Known.TryGetValue(group, out var allowed))
        {
            throw new FormatException($"`{line}`: az {group} is not a command the release docs may use ({string.Join(", ", Known.Keys)})");
        }
        var options = new Dictionary<string, string?>();
        var rest = words.Skip(1 + group.Split(' ').Length).ToArray();
        for (var i = 0; i < rest.Length; i++)
        {
            var name = ShortOptions.GetValueOrDefault(rest[i], rest[i]);
            if (!allowed.TryGetValue(name, out var takesValue) && !(takesValue = Common.Contains(name)))
            {
                throw new FormatException($"`{line}`: az {group} has no option {rest[i]}");
            }
            if (takesValue && (i + 1 >= rest.Length || rest[i + 1].Length == 0 || rest[i + 1].StartsWith("--", StringComparison.Ordinal)))
            {
                throw new FormatException($"`{line}`: {rest[i]} needs a value");
            }
            if (!options.TryAdd(name, takesValue ? rest[++i] : null))
            {
                throw new FormatException($"`{line}`: {rest[i]} given twice");
            }
        }
        foreach (var required in Required)
        {
            if (!options.ContainsKey(required))
            {
                throw new FormatException($"`{line}`: az {group} needs {required}");
            }
        }
        return new AzCommandLine(group, options);
    }

    private static Dictionary<string, bool> WithOptions(params (string Name, bool TakesValue)[] options) =>
        options.ToDictionary(option => option.Name, option => option.TakesValue);
}
