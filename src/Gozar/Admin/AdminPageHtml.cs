namespace Gozar.Admin;

/// <summary>
/// The admin web page: a login form (the token is kept in sessionStorage, so closing the tab forgets it), then the
/// users with live traffic, limits and state, buttons to create, disable and rotate, and each user's links with QR
/// codes fetched from the API as SVG. Everything inline; "{{nonce}}" is replaced per response to satisfy the CSP.
/// </summary>
internal static class AdminPageHtml
{
    public const string Text = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Gozar admin</title>
        <style nonce="{{nonce}}">
        body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #222; }
        h1 { font-size: 1.4rem; }
        table { border-collapse: collapse; width: 100%; margin-top: 1rem; }
        th, td { border-bottom: 1px solid #ddd; padding: .4rem; text-align: left; vertical-align: top; font-size: .9rem; }
        .status-active { color: #176f2c; } .status-disabled, .status-expired, .status-quota_exhausted { color: #a61b1b; }
        .links { font-family: monospace; font-size: .75rem; word-break: break-all; max-width: 28rem; }
        .qr img { width: 160px; height: 160px; image-rendering: pixelated; }
        .error { color: #a61b1b; } .hidden { display: none; }
        button { margin: 0 .2rem .2rem 0; }
        </style>
        </head>
        <body>
        <h1>Gozar admin</h1>
        <form id="login">
          <label>Admin token <input id="token" type="password" autocomplete="current-password" required></label>
          <button type="submit">Log in</button>
          <span id="login-error" class="error"></span>
        </form>
        <main id="app" class="hidden">
          <p id="stats"></p>
          <form id="create">
            <label>New user <input id="new-name" pattern="[A-Za-z0-9_.\-]{1,64}" required></label>
            <label>Quota (bytes, 0 = none) <input id="new-quota" type="number" min="0" value="0"></label>
            <button type="submit">Create</button>
            <button type="button" id="logout">Log out</button>
            <span id="create-error" class="error"></span>
          </form>
          <table>
            <thead><tr><th>User</th><th>State</th><th>Traffic</th><th>Limits</th><th>Links</th><th>QR</th><th></th></tr></thead>
            <tbody id="users"></tbody>
          </table>
        </main>
        <script nonce="{{nonce}}">
        "use strict";
        const key = "gozar-admin-token";
        const $ = id => document.getElementById(id);
        const qrCache = new Map();

        async function api(method, path, body) {
          const response = await fetch(path, {
            method,
            headers: { "Authorization": "Bearer " + sessionStorage.getItem(key), "Content-Type": "application/json" },
            body: body === undefined ? undefined : JSON.stringify(body),
          });
          if (response.status === 401) { logout("The token was not accepted."); throw new Error("unauthorized"); }
          return response;
        }

        function bytes(n) {
          const units = ["B", "KiB", "MiB", "GiB", "TiB"];
          let i = 0;
          while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
          return (i === 0 ? n : n.toFixed(1)) + " " + units[i];
        }

        function cell(row, text) { const td = row.insertCell(); td.textContent = text; return td; }

        async function qr(user, mode) {
          const id = user.name + "/" + mode + "/" + user.secret;
          if (!qrCache.has(id)) {
            const response = await api("GET", "/api/v1/users/" + encodeURIComponent(user.name) + "/qr.svg?mode=" + mode);
            qrCache.set(id, URL.createObjectURL(await response.blob()));
          }
          return qrCache.get(id);
        }

        async function render() {
          const [usersResponse, statsResponse] = await Promise.all([api("GET", "/api/v1/users"), api("GET", "/api/v1/stats")]);
          const users = await usersResponse.json();
          const stats = await statsResponse.json();
          $("stats").textContent = "Connections open: " + stats.connections_open + " · sessions: " + stats.sessions_active +
            " · users: " + stats.users + " · masked probes: " +
            Object.entries(stats.handshakes).filter(([k]) => k !== "authenticated").reduce((a, [, v]) => a + v, 0);
          const body = $("users");
          const rows = [];
          for (const user of users) {
            const row = document.createElement("tr");
            row.dataset.user = user.name;
            cell(row, user.name + (user.note ? " — " + user.note : ""));
            const state = cell(row, user.status);
            state.className = "status-" + user.status;
            cell(row, "↑ " + bytes(user.bytes_up) + " ↓ " + bytes(user.bytes_down) + " · " + user.active_sessions + " open");
            cell(row, [
              user.max_connections ? "max " + user.max_connections + " connections" : "",
              user.max_unique_ips ? "max " + user.max_unique_ips + " IPs" : "",
              user.quota ? bytes(user.quota_used) + " of " + bytes(user.quota) + " (" + user.quota_reset + ")" : "",
              user.expires ? "expires " + user.expires : "",
            ].filter(Boolean).join(", ") || "none");
            const links = cell(row, "");
            links.className = "links";
            const qrCell = cell(row, "");
            qrCell.className = "qr";
            for (const link of user.links) {
              const line = document.createElement("div");
              line.textContent = link.mode + ": " + link.tg;
              links.appendChild(line);
            }
            if (user.links.length > 0) {
              const img = document.createElement("img");
              img.alt = "QR code of " + user.name + "'s " + user.links[0].mode + " link";
              img.src = await qr(user, user.links[0].mode);
              qrCell.appendChild(img);
            }
            const actions = cell(row, "");
            const toggle = document.createElement("button");
            toggle.textContent = user.enabled ? "Disable" : "Enable";
            toggle.addEventListener("click", () => change("PATCH", user.name, { enabled: !user.enabled }));
            const rotate = document.createElement("button");
            rotate.textContent = "Rotate secret";
            rotate.addEventListener("click", () => change("POST", user.name + "/rotate-secret"));
            actions.append(toggle, rotate);
            rows.push(row);
          }
          body.replaceChildren(...rows);
        }

        async function change(method, path, body) {
          const response = await api(method, "/api/v1/users/" + path, body);
          $("create-error").textContent = response.ok ? "" : (await response.json()).error;
          await render();
        }

        function logout(message) {
          sessionStorage.removeItem(key);
          $("app").classList.add("hidden");
          $("login").classList.remove("hidden");
          $("login-error").textContent = message || "";
        }

        async function start() {
          $("login").classList.add("hidden");
          $("app").classList.remove("hidden");
          await render();
        }

        $("login").addEventListener("submit", event => {
          event.preventDefault();
          sessionStorage.setItem(key, $("token").value);
          $("token").value = "";
          start().catch(() => {});
        });
        $("logout").addEventListener("click", () => logout());
        $("create").addEventListener("submit", async event => {
          event.preventDefault();
          const body = { name: $("new-name").value };
          const quota = Number($("new-quota").value);
          if (quota > 0) { body.quota = quota; }
          const response = await api("POST", "/api/v1/users", body);
          $("create-error").textContent = response.ok ? "" : (await response.json()).error;
          if (response.ok) { $("new-name").value = ""; }
          await render();
        });
        setInterval(() => { if (sessionStorage.getItem(key)) { render().catch(() => {}); } }, 3000);
        if (sessionStorage.getItem(key)) { start().catch(() => {}); }
        </script>
        </body>
        </html>
        """;
}
