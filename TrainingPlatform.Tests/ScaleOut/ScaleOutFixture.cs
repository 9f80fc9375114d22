using TrainingPlatform.Tests.Stack;

namespace TrainingPlatform.Tests.ScaleOut;

/// <summary>The whole stack as <c>./run.sh --replicas 3</c> runs it: three API processes behind the ingress.</summary>
public sealed class ScaleOutFixture : StackFixture
{
    public override int Replicas => 3;
}
