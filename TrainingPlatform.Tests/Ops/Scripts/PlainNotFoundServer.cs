namespace TrainingPlatform.Tests.Ops.Scripts;

/// <summary>
/// A misbehaving deployment: healthy, but every other path is a bare text/plain 404 with no problem body
/// and no request id (as a proxy or a half-configured host answers).
/// </summary>
public sealed class PlainNotFoundServer() : CannedHttpServer(request => request.Url?.AbsolutePath == "/healthz"
    ? (200, "application/json", """{"status":"Healthy","checks":{}}""")
    : (404, "text/plain", "Not Found"));
