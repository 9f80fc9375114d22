using System.Globalization;

namespace TrainingPlatform.Tests.ServiceDefaults;

/// <summary>The samples of a Prometheus text exposition, read the way Prometheus reads them.</summary>
public sealed partial class PrometheusText
{
    private PrometheusText(string text, IReadOnlyList<Sample> samples)
    {
        Text = text;
        Samples = samples;
    }

    public string Text { get; }
    public IReadOnlyList<Sample> Samples { get; }

    public static async Task<PrometheusText> ScrapeAsync(HttpClient client, Uri? baseAddress = null)
    {
        using var response = await client.GetAsync(new Uri(baseAddress ?? client.BaseAddress!, "/metrics"));
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return Parse(await response.Content.ReadAsStringAsync());
    }

    /// <summary>Scrapes until <paramref name="done"/> holds, within <paramref name="bound"/>: counters trail the answers they count.</summary>
    public static Task<PrometheusText> ScrapeUntilAsync(HttpClient client, Func<PrometheusText, bool> done, TimeSpan bound, Uri? baseAddress = null) =>
        Wait.ForAsync(() => ScrapeAsync(client, baseAddress), done, bound, metrics => "/metrics never showed the expected state:\n" + metrics.Text);

    public static PrometheusText Parse(string text)
    {
        var samples = new List<Sample>();
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }
            var match = SampleLine().Match(line);
            Assert.True(match.Success, $"not a Prometheus sample line: {line}");
            var labels = LabelPair().Matches(match.Groups["labels"].Value)
                .ToDictionary(pair => pair.Groups["name"].Value, pair => pair.Groups["value"].Value);
            samples.Add(new Sample(match.Groups["name"].Value, labels, double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture)));
        }
        return new PrometheusText(text, samples);
    }

    public IEnumerable<Sample> Named(string name) => Samples.Where(sample => sample.Name == name);

    /// <summary>
    /// The sum of the series of <paramref name="name"/> with these labels; a failure when there is none, so a renamed
    /// metric or label cannot pass as zero.
    /// </summary>
    public double Value(string name, params (string Name, string Value)[] labels)
    {
        var matching = Matching(name, labels);
        Assert.True(matching.Count > 0, $"no series {name}{{{string.Join(',', labels.Select(l => $"{l.Name}=\"{l.Value}\""))}}} in:\n{Text}");
        return matching.Sum(sample => sample.Value);
    }

    /// <summary>
    /// As <see cref="Value"/>, for series that may not exist yet (a labelled counter appears at its first
    /// increment): 0 then. The metric itself must still be exposed (its <c># TYPE</c> line), so a rename fails.
    /// </summary>
    public double ValueOrZero(string name, params (string Name, string Value)[] labels) => Matching(name, labels).Sum(sample => sample.Value);

    private List<Sample> Matching(string name, (string Name, string Value)[] labels)
    {
        Assert.True(IsExposed(name), $"the metric {name} is not exposed at all:\n{Text}");
        return Named(name).Where(sample => labels.All(label => sample.Labels.GetValueOrDefault(label.Name) == label.Value)).ToList();
    }

    // A sample name belongs to a declared family: itself, or the family plus a suffix the exposition formats add.
    private bool IsExposed(string name) => Text.Split('\n').Where(line => line.StartsWith("# TYPE ", StringComparison.Ordinal))
        .Select(line => line.Split(' ')[2])
        .Any(family => name == family || SampleSuffixes.Any(suffix => name == family + suffix));

    private static readonly string[] SampleSuffixes = ["_total", "_count", "_sum", "_bucket", "_created"];

    public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})? (?<value>\S+)( \d+)?$""")]
    private static partial Regex SampleLine();

    [GeneratedRegex("""(?<name>[a-zA-Z_][a-zA-Z0-9_]*)="(?<value>(\\.|[^"\\])*)",?""")]
    private static partial Regex LabelPair();
}
