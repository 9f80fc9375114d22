namespace TrainingPlatform.Tests.Release;

/// <summary>
/// A stand-in for Prometheus that answers every instant query successfully with the result
/// <paramref name="resultFor"/> gives for the query text: for answers a real Prometheus does not give.
/// </summary>
internal sealed class CannedPrometheus(Func<string, string> resultFor) : CannedHttpServer(request =>
    (200, "application/json", """{"status":"success","data":{"resultType":"vector","result":""" + resultFor(request.QueryString["query"] ?? "") + "}}"));
