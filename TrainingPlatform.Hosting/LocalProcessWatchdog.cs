using System.Diagnostics;
using System.Globalization;

namespace TrainingPlatform.Hosting;

/// <summary>Ending a program with the process that owns it, even an owner killed with no chance to clean up.</summary>
public sealed partial class LocalProcess
{
    /// <summary>
    /// Makes sure the program does not outlive this process, even one killed with no chance to clean up (a test host
    /// the test runner kills at the end of a run). Stopping the program stops its watchdog.
    /// </summary>
    public void EndWithThisProcess() => EndWith(Environment.ProcessId);

    /// <summary>A small watchdog waits for process <paramref name="ownerId"/> to end, then kills the program.</summary>
    public void EndWith(int ownerId) => _watchdog = Watch(Id, ownerId);

    /// <summary>
    /// Starts a watchdog that waits for process <paramref name="ownerId"/> to end, then kills process
    /// <paramref name="programId"/> and every process under it (a launcher's children too). Kill the watchdog
    /// once the program has stopped normally, before its number can be given to another process.
    /// </summary>
    public static Process Watch(int programId, int ownerId)
    {
        var watchdog = new ProcessStartInfo("bash")
        {
            // Its own streams, so it never holds the test runner's output open.
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // It waits while the owner runs, and a zombie counts as ended: a killed owner stays one until its parent reaps
        // it, which a busy or stuck parent may not do for long, and `tail --pid` (used before) waited on it all that
        // time (a fresh-clone run of KilledTestHostTests found the watchdog of its killed test host still waiting after
        // 30 s). The 1-s pause is a read with a timeout on a pipe nobody writes to, not a `sleep` started every second
        // by each watchdog.
        // Each process is stopped before its children are listed, so none can start another behind the kill.
        const string script = """
            exec 3<> <(:)
            while read -r stat 2>/dev/null < "/proc/$1/stat" && [[ ${stat##*) } != Z* ]]; do read -r -t 1 -u 3 || true; done
            end() { kill -STOP "$1" 2>/dev/null; for child in $(pgrep -P "$1"); do end "$child"; done; kill -KILL "$1" 2>/dev/null; }
            end "$2"
            """;
        foreach (var argument in new[] { "-c", script, "watchdog",
                     ownerId.ToString(CultureInfo.InvariantCulture), programId.ToString(CultureInfo.InvariantCulture) })
        {
            watchdog.ArgumentList.Add(argument);
        }
        return Process.Start(watchdog)!;
    }
}
