using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace TrainingPlatform.Slo;

/// <summary>A slos.yaml that cannot be used, with the place and the reason.</summary>
public sealed class SloSpecException(string message) : Exception(message);

/// <summary>Reads and checks slos.yaml: every field the generators rely on, refused with a clear message when wrong.</summary>
public static partial class SloSpecReader
{
    public const string Version = "trainingplatform.slo/v1";

    private static readonly string[] Methods = ["GET", "POST", "PUT", "PATCH", "DELETE"];

    public static SloSpec Read(string file)
    {
        var stream = new YamlStream();
        try
        {
            using var reader = new StreamReader(file);
            stream.Load(reader);
        }
        catch (YamlException e)
        {
            throw new SloSpecException($"{file}: not valid YAML at {e.Start}: {e.Message}");
        }
        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new SloSpecException($"{file}: expected one YAML document with a mapping at its top");
        }
        return Parse(root, file);
    }

    private static SloSpec Parse(YamlMappingNode root, string file)
    {
        var version = Scalar(root, "version", file);
        if (version != Version)
        {
            throw new SloSpecException($"{file}: version is '{version}', this generator reads '{Version}'");
        }
        var window = Duration(root, "window", file);
        if (!window.EndsWith('d'))
        {
            throw new SloSpecException($"{file}: window '{window}' must be in days (30d)");
        }
        var alerting = Map(root, "alerting", file);
        var policy = new AlertingPolicy(
            Burn(Map(alerting, "page", "alerting"), "critical", "Fast", "alerting.page"),
            Burn(Map(alerting, "ticket", "alerting"), "warning", "Slow", "alerting.ticket"),
            Duration(alerting, "absent_for", "alerting"),
            Duration(alerting, "exhausted_for", "alerting"));

        var objectives = Sequence(root, "slos", file).Select((node, i) => Objective(node, $"slos[{i}]")).ToList();
        if (objectives.Count == 0)
        {
            throw new SloSpecException($"{file}: slos is empty");
        }
        foreach (var duplicate in objectives.GroupBy(o => o.Name).Where(g => g.Count() > 1)
                     .Concat(objectives.GroupBy(o => o.AlertPrefix).Where(g => g.Count() > 1)))
        {
            throw new SloSpecException($"{file}: '{duplicate.Key}' names {duplicate.Count()} SLOs");
        }
        var steps = Sequence(root, "budget_policy", file).Select((node, i) => new PolicyStep(
            Number(node, "left", $"budget_policy[{i}]"), Scalar(node, "step", $"budget_policy[{i}]"),
            node.Children.TryGetValue("refuses", out var refuses) && refuses is YamlScalarNode { Value: "true" },
            Scalar(node, "action", $"budget_policy[{i}]"))).ToList();
        if (steps.Count == 0 || !steps.Zip(steps.Skip(1)).All(pair => pair.First.LeftPercent > pair.Second.LeftPercent))
        {
            throw new SloSpecException($"{file}: budget_policy must list its steps from the most budget left to the least");
        }
        return new SloSpec(Scalar(root, "service", file), window, policy, steps, objectives);
    }

    private static BurnPolicy Burn(YamlMappingNode node, string severity, string speed, string where)
    {
        var windows = Sequence(node, "windows", where).Select((w, i) =>
        {
            var at = $"{where}.windows[{i}]";
            var burn = Number(w, "burn", at);
            return burn > 0 ? new BurnWindow(Duration(w, "long", at), Duration(w, "short", at), burn)
                : throw new SloSpecException($"{at}: burn must be above 0");
        }).ToList();
        int? minimum = node.Children.ContainsKey("min_requests") ? Whole(node, "min_requests", where) : null;
        return windows.Count > 0 ? new BurnPolicy(severity, speed, Duration(node, "for", where), windows, minimum)
            : throw new SloSpecException($"{where}: no windows");
    }

    private static Objective Objective(YamlMappingNode node, string where)
    {
        var name = Scalar(node, "name", where);
        if (!SloName().IsMatch(name))
        {
            throw new SloSpecException($"{where}: name '{name}' must be lower case words joined by hyphens");
        }
        where = $"{where} ({name})";
        var prefix = Scalar(node, "alert", where);
        if (!AlertPrefix().IsMatch(prefix))
        {
            throw new SloSpecException($"{where}: alert '{prefix}' must be PascalCase (it prefixes the alert names)");
        }
        var objective = Number(node, "objective", where);
        if (objective is <= 0 or >= 100)
        {
            throw new SloSpecException($"{where}: objective {objective} must be a percentage between 0 and 100");
        }

        var indicator = Map(node, "indicator", where);
        if (indicator.Children.Count != 1)
        {
            throw new SloSpecException($"{where}: indicator must be exactly one of availability, latency");
        }
        var (kind, settings) = (Key(indicator.Children.Single().Key), indicator.Children.Single().Value as YamlMappingNode);
        (Indicator Kind, double? Threshold) measured = kind switch
        {
            "availability" => (Indicator.Availability, null),
            "latency" => (Indicator.Latency, settings is null ? throw new SloSpecException($"{where}: latency needs a threshold")
                : Number(settings, "threshold", $"{where}.indicator.latency")),
            _ => throw new SloSpecException($"{where}: unknown indicator '{kind}' (availability or latency)"),
        };

        return new Objective(name, prefix, Scalar(node, "title", where), Scalar(node, "journey", where),
            measured.Kind, measured.Threshold, objective, Routes(node, where));
    }

    private static List<Route> Routes(YamlMappingNode node, string where)
    {
        if (node.Children.TryGetValue("routes", out var value) && value is YamlScalarNode { Value: "all" })
        {
            return [];
        }
        var routes = Sequence(node, "routes", where).Select((r, i) =>
        {
            var at = $"{where}.routes[{i}]";
            var method = Scalar(r, "method", at);
            var path = Scalar(r, "path_template", at);
            if (!Methods.Contains(method))
            {
                throw new SloSpecException($"{at}: method '{method}' is not one of {string.Join(", ", Methods)}");
            }
            return path.StartsWith("/api/", StringComparison.Ordinal) ? new Route(method, path)
                : throw new SloSpecException($"{at}: path_template '{path}' must be an API route template (/api/...)");
        }).ToList();
        return routes.Count > 0 ? routes : throw new SloSpecException($"{where}: routes must be 'all' or a list of routes");
    }

    private static string Key(YamlNode node) => ((YamlScalarNode)node).Value ?? "";

    private static YamlNode Field(YamlMappingNode node, string key, string where) =>
        node.Children.TryGetValue(key, out var value) ? value : throw new SloSpecException($"{where}: '{key}' is missing");

    private static string Scalar(YamlMappingNode node, string key, string where) =>
        Field(node, key, where) is YamlScalarNode { Value: { Length: > 0 } text } ? text
            : throw new SloSpecException($"{where}: '{key}' must be a non-empty value");

    private static YamlMappingNode Map(YamlMappingNode node, string key, string where) =>
        Field(node, key, where) as YamlMappingNode ?? throw new SloSpecException($"{where}: '{key}' must be a mapping");

    private static IEnumerable<YamlMappingNode> Sequence(YamlMappingNode node, string key, string where) =>
        Field(node, key, where) is YamlSequenceNode sequence && sequence.Children.All(c => c is YamlMappingNode)
            ? sequence.Children.Cast<YamlMappingNode>()
            : throw new SloSpecException($"{where}: '{key}' must be a list of mappings");

    private static double Number(YamlMappingNode node, string key, string where) =>
        double.TryParse(Scalar(node, key, where), NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number)
            ? number
            : throw new SloSpecException($"{where}: '{key}' must be a number");

    private static int Whole(YamlMappingNode node, string key, string where) =>
        int.TryParse(Scalar(node, key, where), NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0
            ? number
            : throw new SloSpecException($"{where}: '{key}' must be a whole number above 0");

    private static string Duration(YamlMappingNode node, string key, string where)
    {
        var text = Scalar(node, key, where);
        return PrometheusDuration().IsMatch(text) ? text
            : throw new SloSpecException($"{where}: '{key}' is '{text}', not a Prometheus duration of one unit (5m, 1h, 3d)");
    }

    [GeneratedRegex("^[0-9]+[smhd]$")]
    private static partial Regex PrometheusDuration();

    [GeneratedRegex("^[a-z]+(-[a-z]+)*$")]
    private static partial Regex SloName();

    [GeneratedRegex("^[A-Z][A-Za-z]+$")]
    private static partial Regex AlertPrefix();
}
