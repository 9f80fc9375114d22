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
    public static Task<PrometheusText> ScrapeUntilAsync(HttpClient client, Func<PrometheusText, bool> done, TimeSpan bound) =>
        Wait.ForAsync(() => ScrapeAsync(client), done, bound, metrics => "/metrics never showed the expected state:\n" + metrics.Text);

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

    /// <summary>The value of the one series of <paramref name="name"/> with these labels (0 when absent).</summary>
    public double Value(string name, params (string Name, string Value)[] labels) =>
        Named(name).Where(sample => labels.All(label => sample.Labels.GetValueOrDefault(label.Name) == label.Value))
            .Sum(sample => sample.Value);

    public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})? (?<value>\S+)( \d+)?$""")]
    private static partial Regex SampleLine();

    [GeneratedRegex("""(?<name>[a-zA-Z_][a-zA-Z0-9_]*)="(?<value>(\\.|[^"\\])*)",?""")]
    private static partial Regex LabelPair();
}
