using TrainingPlatform.Benchmarks;

// The measurements ops/bench/run.sh drives; each prints one "summary <name>: ..." line.
return args switch
{
    ["middleware", .. var rest] => MiddlewareCost.Run(rest),
    ["host", var variant, .. var rest] => await TrivialHosts.RunAsync(variant, rest),
    ["scrape", .. var rest] => await ScrapeCost.RunAsync(rest),
    ["otlp-sink", .. var rest] => await OtlpSink.RunAsync(rest),
    ["postgres", .. var rest] => await LocalInfrastructure.PostgresCommand(rest),
    ["free-port"] => LocalInfrastructure.FreePortCommand(),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("""
        Usage: TrainingPlatform.Benchmarks middleware [--quick] [--artifacts DIR]
               TrainingPlatform.Benchmarks host VARIANT [--urls URL] [config key=value...]
               TrainingPlatform.Benchmarks scrape [--series N] [--scrapes N]
               TrainingPlatform.Benchmarks otlp-sink [--urls URL]
               TrainingPlatform.Benchmarks postgres --port-file FILE
               TrainingPlatform.Benchmarks free-port
        """);
    foreach (var (name, adds) in TrivialHosts.Variants)
    {
        Console.Error.WriteLine($"  host {name,-14} {adds}");
    }
    return 2;
}
