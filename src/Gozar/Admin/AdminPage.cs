using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;

namespace Gozar.Admin;

/// <summary>The web page: one HTML document with inline CSS and script allowed by a per-response nonce.</summary>
internal static class AdminPage
{
    public static Task Write(HttpContext context)
    {
        var nonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        context.Response.Headers.ContentSecurityPolicy =
            $"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; img-src blob:; connect-src 'self'; " +
            "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
        context.Response.ContentType = "text/html; charset=utf-8";
        return context.Response.WriteAsync(AdminPageHtml.Text.Replace("{{nonce}}", nonce, StringComparison.Ordinal));
    }
}
