using Xunit;

namespace TinySuite;

public class Passing
{
    [Fact]
    public void One() { }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Rows(int row) => Assert.True(row > 0);
}

public class Failing
{
    [Fact]
    public void Fails() => Assert.Fail("on purpose");
}

public class Skipping
{
    [Fact(Skip = "on purpose")]
    public void Skipped() { }
}

public class Crashing
{
    [Fact]
    public void Crashes() => System.Environment.FailFast("the test host crashes on purpose");
}

public class Hanging
{
    [Fact]
    public void Hangs() => System.Threading.Thread.Sleep(System.Threading.Timeout.Infinite);
}
