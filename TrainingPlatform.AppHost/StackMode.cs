using System.Diagnostics;

namespace TrainingPlatform.AppHost;

/// <summary>
/// How the stack's infrastructure runs: from binaries installed on this machine, as container images on this
/// machine, or published for a deployment (azd), where every resource is an image and the platform runs it.
/// </summary>
public enum StackMode
{
    Local,
    Containers,
    Publish,
}

public sealed record StackModeChoice(StackMode Mode, string Reason);

/// <summary>
/// Decides the mode once, before any resource is added: a container resource on a machine whose runtime does not
/// answer never starts and leaves everything that waits for it "Waiting" forever. Publishing is decided here too,
/// so every resource asks <see cref="StackSettings.Mode"/> alone.
/// </summary>
public static class StackModeSelector
{
    public const string SettingKey = "Stack:Mode";

    public static StackModeChoice Decide(string? setting, bool isPublishMode, Func<string?> answeringRuntime)
    {
        if (isPublishMode)
        {
            return new(StackMode.Publish, "publishing: deployments run container images");
        }

        if (!string.IsNullOrWhiteSpace(setting))
        {
            // Publish is the publisher's to choose (`--publisher manifest`), never a setting.
            return Enum.TryParse<StackMode>(setting, ignoreCase: true, out var forced) && forced is StackMode.Local or StackMode.Containers
                ? new(forced, $"forced by {SettingKey}={setting}")
                : throw new ArgumentException($"{SettingKey} must be 'local' or 'containers', not '{setting}'.");
        }

        return answeringRuntime() is { } runtime
            ? new(StackMode.Containers, $"container runtime '{runtime}' answers")
            : new(StackMode.Local, "no container runtime answers ('docker info' and 'podman info' fail)");
    }

    /// <summary>The container runtimes' command-line programs, in the order they are asked.</summary>
    public static readonly string[] Runtimes = ["docker", "podman"];

    /// <summary>The first of docker and podman whose daemon answers <c>info</c>, or null.</summary>
    public static string? FindAnsweringRuntime() => FindAnsweringRuntime(Runtimes);

    /// <summary>The first of <paramref name="runtimes"/> (names on PATH or paths) that answers <c>info</c> within 10 s, or null.</summary>
    public static string? FindAnsweringRuntime(IEnumerable<string> runtimes)
    {
        foreach (var runtime in runtimes)
        {
            try
            {
                using var process = Process.Start(new ProcessStartInfo(runtime, "info")
                {
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                })!;
                process.StandardOutput.ReadToEndAsync();
                process.StandardError.ReadToEndAsync();
                if (process.WaitForExit(TimeSpan.FromSeconds(10)) && process.ExitCode == 0)
                {
                    return runtime;
                }
                // A CLI whose daemon hangs must not keep the AppHost waiting, nor outlive it.
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // Not installed: try the next one.
            }
        }

        return null;
    }
}
