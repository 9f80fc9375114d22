using Xunit.Abstractions;

[assembly: TestCollectionOrderer("TrainingPlatform.Tests.Infrastructure.LongestFirst", "TrainingPlatform.Tests")]

namespace TrainingPlatform.Tests.Infrastructure;

/// <summary>A test class (or a shared collection's definition) that takes twenty seconds or more of a busy run: it starts before the others (<see cref="LongestFirst"/>).</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class LongRunningAttribute : Attribute;

/// <summary>
/// Starts the <see cref="LongRunningAttribute"/> classes first, the rest in discovery order after them. With three
/// classes at a time, a long class drawn last ran nearly alone at the end of the parallel phase (a quiet fresh-clone
/// run spent its last 80 s at about one class at a time); started first, it overlaps with the many short ones.
/// xunit still runs the collections that disable parallelisation after all the others.
/// </summary>
public sealed class LongestFirst : ITestCollectionOrderer
{
    private const string ClassCollectionPrefix = "Test collection for ";

    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        testCollections.OrderByDescending(IsLongRunning);

    // A class's own collection is named after the class; a shared one is marked on its [CollectionDefinition].
    private static bool IsLongRunning(ITestCollection collection) =>
        (collection.CollectionDefinition?.ToRuntimeType()
         ?? (collection.DisplayName.StartsWith(ClassCollectionPrefix, StringComparison.Ordinal)
             ? typeof(LongestFirst).Assembly.GetType(collection.DisplayName[ClassCollectionPrefix.Length..])
             : null))
        ?.IsDefined(typeof(LongRunningAttribute), inherit: false) == true;
}
