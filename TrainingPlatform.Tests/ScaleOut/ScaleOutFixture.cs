using TrainingPlatform.Tests.Stack;

namespace TrainingPlatform.Tests.ScaleOut;

/// <summary>
/// The whole stack as <c>./run.sh --replicas 3</c> runs it: three API processes behind the ingress. The AppHost host
/// of <see cref="StackFixture"/> with more replicas, for what only several replicas show: limits shared through the
/// store, a replica dying, per-replica metrics; and, one after the other in the same collection, <see cref="StackTests"/>
/// (the wiring between the resources), so the suite starts this stack once rather than a one-replica stack besides.
/// </summary>
public sealed class ScaleOutFixture : StackFixture
{
    public override int Replicas => 3;
}
