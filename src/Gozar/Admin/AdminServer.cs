using System.Net;
using System.Text.Json;
using Gozar.Configuration;
using Gozar.Diagnostics;
using Gozar.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gozar.Admin;

/// <summary>
/// The admin listener: the JSON API under /api/v1, the web page at /, Prometheus text at /metrics, /healthz and the
/// OpenAPI document. Everything but /healthz, the page's shell and the OpenAPI document needs the bearer token.
/// </summary>
public sealed class AdminServer : IAsyncDisposable
{
    public const string OpenApiPath = "/openapi/v1.json";

    /// <summary>A user's JSON is a few hundred bytes; Kestrel's default (30 MB) would let one call hold that much.</summary>
    public const int MaxRequestBodyBytes = 64 * 1024;

    /// <summary>An operator's browser and scripts need a handful; Kestrel's default is unbounded.</summary>
    public const int MaxConnections = 64;

    private readonly WebApplication _app;

    private AdminServer(WebApplication app, IPEndPoint endPoint)
    {
        _app = app;
        EndPoint = endPoint;
    }

    /// <summary>Every route as "METHOD /pattern", for the test that holds the OpenAPI document to them.</summary>
    public IReadOnlyList<string> Routes => [.. _app.Services.GetRequiredService<EndpointDataSource>().Endpoints
        .OfType<RouteEndpoint>()
        .SelectMany(endpoint => (endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"])
            .Select(method => $"{method} {endpoint.RoutePattern.RawText}"))];

    /// <summary>The address actually bound (the port is known here when the config asked for port 0).</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>Binds and starts the listener, or returns why it could not (one line, never the token).</summary>
    public static async Task<(AdminServer? Server, string? Error)> StartAsync(
        AdminOptions options, ProxyServer proxy, ILoggerFactory loggers, CancellationToken cancellation)
    {
        if (options.Token is null)
        {
            return (null, "admin.token is not set: the admin listener needs a token");
        }

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = "Production",
        });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<ILoggerFactory>(new AdminLoggers(loggers));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = MaxRequestBodyBytes;
            kestrel.Limits.MaxConcurrentConnections = MaxConnections;
            kestrel.Listen(options.Listen);
        });
        builder.Services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.TypeInfoResolverChain.Insert(0, AdminJsonContext.Default);
            json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        });
        builder.Services.AddOpenApi();

        // Otherwise a body the handler cannot bind (a quota written "50GiB", broken JSON) is a bare 400 with no reason.
        builder.Services.Configure<RouteHandlerOptions>(routes => routes.ThrowOnBadRequest = true);

        var app = builder.Build();
        var token = new AdminToken(options.Token);
        app.Use((context, next) => GuardAsync(context, next, token));
        AdminRoutes.Map(app, proxy);
        UserRoutes.Map(app, proxy);
        app.MapOpenApi(OpenApiPath);

        try
        {
            await app.StartAsync(cancellation).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            return (null, $"admin.listen {options.Listen}: cannot listen: {e.Message}");
        }

        var bound = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
        var port = new Uri(bound.First()).Port;
        return (new AdminServer(app, new IPEndPoint(options.Listen.Address, port)), null);
    }

    /// <summary>Headers every answer carries, and the token check for the API and the metrics.</summary>
    private static Task GuardAsync(HttpContext context, RequestDelegate next, AdminToken token)
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-store";
        if (NeedsToken(context.Request.Path) && !token.Accepts(context.Request.Headers.Authorization))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            headers.WWWAuthenticate = "Bearer";
            return context.Response.WriteAsJsonAsync(new ErrorView("missing or wrong bearer token"), AdminJsonContext.Default.ErrorView);
        }

        return AnswerBadRequestsAsync(context, next);
    }

    /// <summary>
    /// A body the handler could not read, answered with the usual error JSON. Only the JSON path is named: the
    /// parser's own message may quote the body, and a body may hold a secret.
    /// </summary>
    private static async Task AnswerBadRequestsAsync(HttpContext context, RequestDelegate next)
    {
        string error;
        if (context.Request.ContentLength > MaxRequestBodyBytes)
        {
            // Kestrel would refuse it on the handler's first read, where the body binder takes the error for a broken
            // connection and the answer goes out empty; said here, it is the usual error JSON.
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            error = $"the request body is larger than {MaxRequestBodyBytes} bytes";
            await context.Response.WriteAsJsonAsync(new ErrorView(error), AdminJsonContext.Default.ErrorView).ConfigureAwait(false);
            return;
        }

        try
        {
            await next(context).ConfigureAwait(false);
            if (context.Response.StatusCode != StatusCodes.Status415UnsupportedMediaType || context.Response.HasStarted)
            {
                return;
            }

            error = "send the body as JSON (Content-Type: application/json)";
        }
        catch (BadHttpRequestException e) when (!context.Response.HasStarted)
        {
            context.Response.StatusCode = e.StatusCode;
            error = e.InnerException is JsonException { Path: { } path }
                ? $"the request body is not JSON this call takes: look at {path} (quota is a number of bytes, expires an ISO 8601 date-time; see {OpenApiPath})"
                : "the request body is not JSON this call takes";
        }

        await context.Response.WriteAsJsonAsync(new ErrorView(error), AdminJsonContext.Default.ErrorView).ConfigureAwait(false);
    }

    /// <summary>
    /// Everything but the few public answers. An allow-list, because routing matches paths whatever their case
    /// ("/API/v1/users" is the users route) and routes are added over time: a list of what needs the token let such
    /// paths through without it.
    /// </summary>
    private static bool NeedsToken(PathString path) =>
        !path.Equals("/", StringComparison.Ordinal) && !path.Equals("/healthz", StringComparison.OrdinalIgnoreCase)
        && !path.Equals(OpenApiPath, StringComparison.OrdinalIgnoreCase);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
