using Gozar.Diagnostics;
using Gozar.Hosting;
using Gozar.Sessions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gozar.Admin;

/// <summary>The admin listener's routes that are not about users: health, metrics, stats and the web page.</summary>
internal static class AdminRoutes
{
    public static void Map(WebApplication app, ProxyServer proxy)
    {
        app.MapGet("/healthz", () => TypedResults.Ok(new HealthView("ok")))
            .WithSummary("Liveness: 200 while the process serves (no token needed)");
        app.MapGet("/metrics", () => TypedResults.Text(proxy.Exporter.Scrape(), PrometheusText.ContentType))
            .WithSummary("Prometheus text exposition of every gozar_ metric");
        app.MapGet("/api/v1/stats", () => TypedResults.Ok(Stats(proxy)))
            .WithSummary("Connections, sessions and handshake verdicts at a glance");
        app.MapGet("/", (HttpContext context) => AdminPage.Write(context))
            .WithSummary("The web page (its data comes from the API with the token)")
            .ExcludeFromDescription();
    }

    private static StatsView Stats(ProxyServer proxy)
    {
        var context = proxy.Context;
        var verdicts = context.Metrics.VerdictTotals();
        var handshakes = new Dictionary<string, long>(StringComparer.Ordinal);
        for (var i = 0; i < verdicts.Length; i++)
        {
            handshakes[GozarMetrics.VerdictName((HandshakeVerdict)i)] = verdicts[i];
        }

        var outcomes = context.Metrics.OutcomeTotals();
        var sessions = new Dictionary<string, long>(StringComparer.Ordinal);
        for (var i = 0; i < outcomes.Length; i++)
        {
            sessions[GozarMetrics.OutcomeName((SessionOutcome)i)] = outcomes[i];
        }

        return new StatsView
        {
            UptimeSeconds = (DateTime.Now - System.Diagnostics.Process.GetCurrentProcess().StartTime).TotalSeconds,
            ConnectionsOpen = context.Registry.Count,
            HandshakesInProgress = context.Registry.Sessions.Count(session => session.InHandshake),
            SessionsActive = context.Registry.Sessions.Count(session => !session.InHandshake),
            Users = proxy.Users.Accounts.Count,
            Handshakes = handshakes,
            Sessions = sessions,
            ResidentMemoryBytes = Environment.WorkingSet,
        };
    }
}
