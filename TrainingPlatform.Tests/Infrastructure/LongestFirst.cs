using Xunit.Abstractions;

[assembly: TestCollectionOrderer("TrainingPlatform.Tests.Infrastructure.LongestFirst", "TrainingPlatform.Tests")]

namespace TrainingPlatform.Tests.Infrastructure;

/// <summary>
/// A test class (or a shared collection's definition) that takes twenty seconds or more of a busy run, with about how
/// many (<paramref name="seconds"/>, as a fresh-clone run's trx shows them): the longest start first (<see cref="LongestFirst"/>).
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class LongRunningAttribute(int seconds) : Attribute
{
    public int Seconds => seconds;
}

/// <summary>
/// Starts the <see cref="LongRunningAttribute"/> classes first, the longest first, the rest in discovery order after
/// them. A long class drawn late ran nearly alone at the end of the parallel phase (a quiet fresh-clone run spent its
/// last 80 s at about one class at a time), and in discovery order the two-minute stack classes started three to four
/// minutes into a seven-minute run; started first, they overlap with the many short ones.
/// xunit still runs the collections that disable parallelisation after all the others.
/// </summary>
public sealed class LongestFirst : ITestCollectionOrderer
{
    private const string ClassCollectionPrefix = "Test collection for ";

    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        testCollections.OrderByDescending(Seconds);

    // A class's own collection is named after the class; a shared one is marked on its [CollectionDefinition].
    private static int Seconds(ITestCollection collection) =>
        (collection.CollectionDefinition?.ToRuntimeType()
         ?? (collection.DisplayName.StartsWith(ClassCollectionPrefix, StringComparison.Ordinal)
             ? typeof(LongestFirst).Assembly.GetType(collection.DisplayName[ClassCollectionPrefix.Length..])
             : null))
        ?.GetCustomAttributes(typeof(LongRunningAttribute), inherit: false).OfType<LongRunningAttribute>().SingleOrDefault()?.Seconds ?? 0;
}
