namespace TrainingPlatform.Slo;

/// <summary>
/// ops/scripts/lib/slos.tsv, what release-gate.sh judges: one <c>slo</c> line per SLO (name, objective, title) and one
/// <c>step</c> line per step of the error budget policy (budget left in % or less, name, allow or refuse), tab-separated.
/// </summary>
public static class ReleaseGateList
{
    public const string File = "ops/scripts/lib/slos.tsv";

    public static string Content(SloSpec spec) =>
        Generated.Header("#") +
        "# slo <name> <objective ratio> <title>; step <budget left, % or less> <name> <allow|refuse>, most budget left first.\n" +
        string.Concat(spec.Objectives.Select(slo => $"slo\t{slo.Name}\t{SloText.Number(slo.ObjectiveRatio)}\t{slo.Title}\n")) +
        string.Concat(spec.Policy.Select(step => $"step\t{SloText.Number(step.LeftPercent)}\t{step.Step}\t{(step.Refuses ? "refuse" : "allow")}\n"));
}
