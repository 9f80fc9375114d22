namespace TrainingPlatform.Tests.Ops.Alerting;

/// <summary>The anchor GitHub gives a Markdown heading: lower case, punctuation dropped, spaces to hyphens.</summary>
internal static partial class GitHubAnchor
{
    public static string Of(string heading) => NotAnchorCharacter().Replace(heading.Trim().ToLowerInvariant(), "").Replace(' ', '-');

    [GeneratedRegex(@"[^a-z0-9 _-]")]
    private static partial Regex NotAnchorCharacter();
}
