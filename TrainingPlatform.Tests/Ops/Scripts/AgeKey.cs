namespace TrainingPlatform.Tests.Ops.Scripts;

/// <summary>An age key pair made by age-keygen, as an operator makes BACKUP_ENCRYPTION_KEY.</summary>
public sealed record AgeKey(string Secret, string Recipient)
{
    public static async Task<AgeKey> CreateAsync()
    {
        var generated = await Command.RunAsync("age-keygen", []);
        Assert.True(generated.ExitCode == 0, $"age-keygen (apt-get install age): {generated}");
        var secret = generated.Stdout.Split('\n').Single(line => line.StartsWith("AGE-SECRET-KEY-1"));
        var recipient = await Command.RunAsync("age-keygen", ["-y"], stdin: secret + "\n");
        Assert.True(recipient.ExitCode == 0, recipient.ToString());
        return new AgeKey(secret, recipient.Stdout.Trim());
    }
}
