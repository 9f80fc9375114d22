namespace TrainingPlatform.Tests.Infrastructure;

/// <summary>
/// Tests that must not share the machine or the process: xunit runs this collection after every parallel one, one
/// test at a time. Two kinds belong here: tests with a time bound a loaded CI machine could break (outage, pool
/// exhaustion, shutdown, session revocation, reset timing, the pool gauges), and tests that change something
/// process-wide (<c>Console.SetOut</c>, a global <c>ActivityListener</c>) which would leak into whatever ran beside them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunsAloneCollection
{
    public const string Name = "Runs alone";
}

/// <summary>
/// The API-process tests that run in parallel with the rest of the suite but one after another among themselves,
/// so no more than one of their API processes competes for the two cores at a time. Together they take about two
/// minutes with the soak, so they start among the long classes (drawn last, they ran alone after everything else had ended).
/// </summary>
[LongRunning(150)]
[CollectionDefinition(Name)]
public sealed class ReliabilityCollection : ICollectionFixture<Reliability.HostileApi>
{
    public const string Name = "Reliability";
}
