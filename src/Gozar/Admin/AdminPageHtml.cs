namespace Gozar.Admin;

internal static class AdminPageHtml
{
    public const string Text = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>Gozar</title>
        <style nonce="{{nonce}}">body{font-family:sans-serif}</style></head>
        <body><h1>Gozar</h1></body></html>
        """;
}
