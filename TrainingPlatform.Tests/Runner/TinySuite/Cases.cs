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

    // Names beyond ASCII, which the console listing and the trx write differently.
    [Theory]
    [InlineData("non-ASCII é ü 密码 🙂")]
    [InlineData("\u2066invisible\u2069\u200b.pdf\u2028.exe")]
    public void Names(string name) => Assert.NotEmpty(name);
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

public class Scratch
{
    // Leaves a folder in the temporary directory, as many tests do: the run must remove it.
    [Fact]
    public void Leaves_a_temporary_folder() => System.IO.Directory.CreateTempSubdirectory("tinysuite-scratch-");
}
