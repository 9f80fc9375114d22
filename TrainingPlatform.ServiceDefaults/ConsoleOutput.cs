using System.Text;

namespace TrainingPlatform.ServiceDefaults;

/// <summary>
/// Standard output and error as byte streams; or, when a program replaced <see cref="Console.Out"/> with an
/// in-memory writer (a UTF-16 <see cref="StringWriter"/>, as tests do to read the console), that writer.
/// </summary>
internal sealed class ConsoleOutput(Stream? stdout, Stream? stderr, TextWriter? outText, TextWriter? errorText)
{
    public static ConsoleOutput Current()
    {
        var outText = Console.Out.Encoding.CodePage == Encoding.Unicode.CodePage ? Console.Out : null;
        var errorText = Console.Error.Encoding.CodePage == Encoding.Unicode.CodePage ? Console.Error : null;
        return new ConsoleOutput(outText is null ? Console.OpenStandardOutput() : null, errorText is null ? Console.OpenStandardError() : null,
            outText, errorText);
    }

    public void Write(ReadOnlySpan<byte> bytes, bool toError)
    {
        try
        {
            if ((toError ? errorText : outText) is { } text)
            {
                text.Write(Encoding.UTF8.GetString(bytes));
                text.Flush();
            }
            else
            {
                var stream = toError ? stderr! : stdout!;
                stream.Write(bytes);
                stream.Flush();
            }
        }
        catch (IOException)
        {
            // A closed or broken console (the reader of a pipe went away) must not stop the service.
        }
    }
}
