using System.Globalization;
using System.Security.Cryptography;
using Gozar.Cli;
using Gozar.Configuration;
using Gozar.Hosting;
using Gozar.Protocol.Secrets;
using Gozar.Users;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gozar.Admin;

/// <summary>
/// /api/v1/users: every change is written into the config file (atomically, comments kept) and applied at once, so a
/// new user can connect within the second and survives a restart; a removed or re-keyed user's sessions end.
/// </summary>
internal static class UserRoutes
{
    private const string Users = "/api/v1/users";
    private const int KeyBytes = 16;

    public static void Map(WebApplication app, ProxyServer proxy)
    {
        app.MapGet(Users, () => TypedResults.Ok(proxy.Users.Accounts.Select(account => View(proxy, account)).ToArray()))
            .WithSummary("Every user with settings, secret, links and live usage");
        app.MapGet(Users + "/{name}", Results<Ok<UserView>, NotFound<ErrorView>> (string name) =>
                proxy.Users.Find(name) is { } account ? TypedResults.Ok(View(proxy, account)) : NotFound(name))
            .WithSummary("One user");
        app.MapPost(Users, CreateAsync).WithSummary("Add a user with a fresh secret; answers with its secret and links");
        app.MapMethods(Users + "/{name}", [HttpMethods.Patch], UpdateAsync).WithSummary("Change a user's limits, enable or disable it");
        app.MapDelete(Users + "/{name}", DeleteAsync).WithSummary("Remove a user; its sessions end");
        app.MapPost(Users + "/{name}/rotate-secret", RotateAsync).WithSummary("Give a user a fresh secret; sessions with the old one end");
        app.MapPost(Users + "/{name}/reset-quota", ResetQuota).WithSummary("Start the user's quota period over at zero");
        app.MapGet(Users + "/{name}/qr.svg", Qr).WithSummary("QR code (SVG) of one of the user's tg:// links (?mode=tls|secure|classic)");

        async Task<Results<Created<UserView>, BadRequest<ErrorView>, Conflict<ErrorView>>> CreateAsync(UserRequest request)
        {
            if (string.IsNullOrEmpty(request.Name))
            {
                return TypedResults.BadRequest(new ErrorView("name is required"));
            }

            if (proxy.Users.Find(request.Name) is not null)
            {
                return TypedResults.Conflict(new ErrorView($"user {request.Name} exists"));
            }

            if (Patch(request, RandomNumberGenerator.GetBytes(KeyBytes)) is not { } patch)
            {
                return TypedResults.BadRequest(new ErrorView("quota_reset must be never or monthly"));
            }

            // The name is checked again inside the edit, which runs one at a time: of two creates of one name, the
            // second must not re-key the user the first just made.
            var taken = false;
            var edited = await EditAsync(proxy, editor =>
            {
                var added = editor.AddUser(request.Name, patch);
                taken = added.Exists;
                return added;
            }).ConfigureAwait(false);
            if (taken)
            {
                return TypedResults.Conflict(new ErrorView($"user {request.Name} exists"));
            }

            if (edited is not null)
            {
                return TypedResults.BadRequest(new ErrorView(edited));
            }

            return proxy.Users.Find(request.Name) is { } account
                ? TypedResults.Created($"{Users}/{request.Name}", View(proxy, account))
                : TypedResults.Conflict(new ErrorView("the user was written but is not running; see the proxy's log"));
        }

        async Task<Results<Ok<UserView>, BadRequest<ErrorView>, NotFound<ErrorView>>> UpdateAsync(string name, UserRequest request)
        {
            if (proxy.Users.Find(name) is null)
            {
                return NotFound(name);
            }

            if (Patch(request, secret: null) is not { } patch)
            {
                return TypedResults.BadRequest(new ErrorView("quota_reset must be never or monthly"));
            }

            var edited = await EditAsync(proxy, editor => editor.SetUser(name, patch)).ConfigureAwait(false);
            return edited is not null ? TypedResults.BadRequest(new ErrorView(edited)) : Current(name);
        }

        async Task<Results<NoContent, BadRequest<ErrorView>, NotFound<ErrorView>>> DeleteAsync(string name)
        {
            if (proxy.Users.Find(name) is null)
            {
                return NotFound(name);
            }

            var edited = await EditAsync(proxy, editor => editor.RemoveUser(name)).ConfigureAwait(false);
            return edited is not null ? TypedResults.BadRequest(new ErrorView(edited)) : TypedResults.NoContent();
        }

        async Task<Results<Ok<UserView>, BadRequest<ErrorView>, NotFound<ErrorView>>> RotateAsync(string name)
        {
            if (proxy.Users.Find(name) is null)
            {
                return NotFound(name);
            }

            var patch = new UserPatch { Secret = RandomNumberGenerator.GetBytes(KeyBytes) };
            var edited = await EditAsync(proxy, editor => editor.SetUser(name, patch)).ConfigureAwait(false);
            return edited is not null ? TypedResults.BadRequest(new ErrorView(edited)) : Current(name);
        }

        Results<Ok<UserView>, NotFound<ErrorView>> ResetQuota(string name)
        {
            if (proxy.Users.Find(name) is not { } account)
            {
                return NotFound(name);
            }

            account.ResetQuota();
            // Written now: a restart before the next save interval would otherwise bring the old usage back.
            proxy.State?.Save();
            return TypedResults.Ok(View(proxy, account));
        }

        Results<ContentHttpResult, NotFound<ErrorView>> Qr(string name, string? mode)
        {
            if (proxy.Users.Find(name) is not { } account)
            {
                return NotFound(name);
            }

            var links = Links(proxy.Context.Options, account.Options);
            var link = mode is null ? links.FirstOrDefault() : links.FirstOrDefault(l => l.Mode == mode);
            return link is null
                ? TypedResults.NotFound(new ErrorView($"user {name} has no {mode ?? "enabled"} link"))
                : TypedResults.Content(QrImage.Svg(link.Tg), "image/svg+xml");
        }

        Results<Ok<UserView>, BadRequest<ErrorView>, NotFound<ErrorView>> Current(string name) =>
            proxy.Users.Find(name) is { } account ? TypedResults.Ok(View(proxy, account)) : NotFound(name);
    }

    /// <summary>Null when the edit was written and applied; else one line saying why not.</summary>
    private static async Task<string?> EditAsync(ProxyServer proxy, Func<ConfigFileEditor, ConfigEditResult> edit)
    {
        if (proxy.Reloader is not { } reloader)
        {
            return "this proxy was not started from a config file, so users cannot be changed";
        }

        var result = await reloader.EditAsync(edit).ConfigureAwait(false);
        return result.Succeeded ? null : result.Error;
    }

    private static NotFound<ErrorView> NotFound(string name) => TypedResults.NotFound(new ErrorView($"no user named {name}"));

    private static UserPatch? Patch(UserRequest request, byte[]? secret)
    {
        QuotaReset? reset = request.QuotaReset switch
        {
            null => null,
            "never" => QuotaReset.Never,
            "monthly" => QuotaReset.Monthly,
            _ => (QuotaReset)(-1),
        };
        if (reset == (QuotaReset)(-1))
        {
            return null;
        }

        return new UserPatch
        {
            Secret = secret,
            Enabled = request.Enabled,
            MaxConnections = request.MaxConnections,
            MaxUniqueIps = request.MaxUniqueIps,
            Quota = request.Quota,
            QuotaReset = reset,
            Expires = request.Expires,
            Note = request.Note,
            Clear = request.Clear ?? [],
        };
    }

    public static UserView View(ProxyServer proxy, UserAccount account)
    {
        var usage = account.Snapshot(proxy.Context.Time.GetUtcNow());
        var options = usage.Options;
        return new UserView
        {
            Name = usage.Name,
            Secret = Convert.ToHexStringLower(options.Secret),
            Status = usage.Status switch
            {
                UserStatus.Disabled => "disabled",
                UserStatus.Expired => "expired",
                UserStatus.QuotaExhausted => "quota_exhausted",
                _ => "active",
            },
            Enabled = options.Enabled,
            MaxConnections = options.MaxConnections,
            MaxUniqueIps = options.MaxUniqueIps,
            Quota = options.Quota,
            QuotaReset = options.QuotaReset == QuotaReset.Monthly ? "monthly" : "never",
            Expires = options.Expires,
            Note = options.Note,
            ActiveSessions = usage.ActiveSessions,
            SessionsTotal = usage.SessionsTotal,
            UniqueIps = usage.UniqueIps,
            BytesUp = usage.BytesUp,
            BytesDown = usage.BytesDown,
            QuotaUsed = usage.QuotaUsed,
            Links = Links(proxy.Context.Options, options),
        };
    }

    private static List<LinkView> Links(ProxyOptions options, UserOptions user)
    {
        var (host, _) = PublicAddress.Choose(options.PublicHost, options.Listen);
        var port = UserLinks.LinkPort(options);
        return [.. UserLinks.Secrets(options, user).Select(entry => new LinkView(
            entry.Mode,
            entry.Secret.ToHex(),
            ProxyLink.Format(host, port, entry.Secret, LinkKind.Tg),
            ProxyLink.Format(host, port, entry.Secret, LinkKind.TMe)))];
    }
}
