using TrainingPlatform.Slo;

// ops/slo/generate.sh [--check] [--root DIR]: writes every file generated from ops/slo/slos.yaml, or with --check
// lists the stale ones and exits 1.
var check = false;
var root = Directory.GetCurrentDirectory();
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--check":
            check = true;
            break;
        case "--root" when i + 1 < args.Length:
            root = args[++i];
            break;
        case "-h" or "--help":
            Console.WriteLine("Usage: generate.sh [--check] [--root DIR]\n\nWrites the files generated from ops/slo/slos.yaml under DIR (default: the current folder).\n--check writes nothing, lists the files that differ from what the spec generates, and exits 1 if any does.");
            return 0;
        default:
            Console.Error.WriteLine($"generate.sh: unknown argument '{args[i]}' (see --help)");
            return 2;
    }
}

try
{
    if (check)
    {
        var stale = Generated.Stale(root);
        foreach (var path in stale)
        {
            Console.WriteLine($"stale: {path}");
        }
        Console.WriteLine(stale.Count == 0 ? "all generated files are up to date" : "run ops/slo/generate.sh and commit the result");
        return stale.Count == 0 ? 0 : 1;
    }
    Generated.Write(root);
    foreach (var file in Generated.All(root))
    {
        Console.WriteLine($"wrote {file.Path}");
    }
    return 0;
}
catch (SloSpecException e)
{
    Console.Error.WriteLine($"generate.sh: {e.Message}");
    return 1;
}
