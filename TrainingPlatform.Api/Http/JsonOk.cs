using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace TrainingPlatform.Api.Http;

/// <summary>
/// 200 with a JSON body sent with its <c>Content-Length</c>: <see cref="TypedResults.Ok{TValue}(TValue)"/> with the
/// same body, content type and OpenAPI metadata, but serialised before the response starts. <c>Ok&lt;T&gt;</c> streams
/// the body, so Kestrel frames it in chunks and may send the closing chunk in a <c>send(2)</c> of its own, a second
/// packet for the client to read (measured in ops/docs/performance.md, learner section, sixth pass).
/// </summary>
public sealed class JsonOk<TValue>(TValue value) : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult, IValueHttpResult,
    IValueHttpResult<TValue>, IContentTypeHttpResult
{
    private const string JsonContentType = "application/json; charset=utf-8";

    public TValue Value { get; } = value;

    object? IValueHttpResult.Value => Value;

    public int StatusCode => StatusCodes.Status200OK;

    int? IStatusCodeHttpResult.StatusCode => StatusCode;

    public string ContentType => JsonContentType;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var options = httpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var body = JsonSerializer.SerializeToUtf8Bytes(Value, (JsonTypeInfo<TValue>)options.GetTypeInfo(typeof(TValue)));
        var response = httpContext.Response;
        response.StatusCode = StatusCode;
        response.ContentType = JsonContentType;
        response.ContentLength = body.Length;
        return response.BodyWriter.WriteAsync(body, httpContext.RequestAborted).AsTask();
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(TValue), ["application/json"]));
}

/// <summary>Creates <see cref="JsonOk{TValue}"/> results, as <see cref="TypedResults"/> does <c>Ok&lt;T&gt;</c>.</summary>
public static class JsonOk
{
    public static JsonOk<TValue> Of<TValue>(TValue value) => new(value);
}
