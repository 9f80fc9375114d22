using System.Globalization;

namespace TrainingPlatform.Benchmarks;

/// <summary>Reads <c>--name value</c> options from a command line.</summary>
internal static class Arguments
{
    public static string? ValueOf(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }

    public static int IntOf(string[] args, string name, int fallback) =>
        ValueOf(args, name) is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;
}
