using System.Runtime.InteropServices;

namespace TrainingPlatform.Tests.Infrastructure;

/// <summary>POSIX signals for child processes: SIGTERM lets a host shut down the way an orchestrator asks it to.</summary>
public static class Signals
{
    public const int SigInt = 2;
    public const int SigTerm = 15;

    public static void Terminate(Process process) => Send(process, SigTerm);

    public static void Send(Process process, int signal)
    {
        if (!process.HasExited)
        {
            _ = kill(process.Id, signal);
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}
