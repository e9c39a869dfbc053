// Logs in to Gozar's admin web page in headless Chromium, creates a user and waits for its QR code.
// Usage: node admin-page.js --url http://127.0.0.1:PORT/ --token TOKEN --user NAME [--chromium /usr/bin/chromium]
// Prints one JSON line per step; exits non-zero on any failure, CSP violation or page error.
"use strict";
const { chromium } = require("playwright-core");

function argument(name, fallback) {
  const index = process.argv.indexOf("--" + name);
  if (index >= 0 && index + 1 < process.argv.length) return process.argv[index + 1];
  if (fallback !== undefined) return fallback;
  throw new Error("missing --" + name);
}

function step(name, details) {
  console.log(JSON.stringify({ step: name, ...details }));
}

async function main() {
  const url = argument("url");
  const token = argument("token");
  const user = argument("user");
  const browser = await chromium.launch({
    executablePath: argument("chromium", "/usr/bin/chromium"),
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run"],
  });
  const problems = [];
  try {
    const page = await browser.newPage();
    page.setDefaultTimeout(15000);
    page.on("pageerror", error => problems.push("page error: " + error.message));
    // The wrong token's 401 is logged by the browser as a failed resource, and that message may come late: it is
    // expected until the right token has logged in.
    let refusalExpected = true;
    page.on("console", message => {
      if (message.type() !== "error") return;
      if (refusalExpected && message.text().includes("status of 401")) return;
      problems.push("console error: " + message.text());
    });
    // Requests to anything but the admin listener would mean an outside asset.
    page.on("request", request => {
      if (!request.url().startsWith(url) && !request.url().startsWith("blob:")) problems.push("outside request: " + request.url());
    });

    const response = await page.goto(url);
    step("loaded", { status: response.status(), csp: response.headers()["content-security-policy"] || null });

    await page.fill("#token", "wrong-token-000000000");
    await page.click("#login button[type=submit]");
    await page.waitForFunction(() => document.getElementById("login-error").textContent.length > 0);
    step("wrong-token-refused", { message: await page.textContent("#login-error") });

    await page.fill("#token", token);
    await page.click("#login button[type=submit]");
    await page.waitForSelector("#users tr[data-user]");
    refusalExpected = false;
    const before = await page.$$eval("#users tr[data-user]", rows => rows.map(row => row.dataset.user));
    step("logged-in", { users: before });

    await page.fill("#new-name", user);
    await page.click("#create button[type=submit]");
    const row = `#users tr[data-user="${user}"]`;
    await page.waitForSelector(row);
    await page.waitForFunction(selector => {
      const image = document.querySelector(selector + " .qr img");
      return image !== null && image.complete && image.naturalWidth > 0;
    }, row);
    const qr = await page.$eval(row + " .qr img", image => ({ width: image.naturalWidth, src: image.src.slice(0, 5) }));
    const links = await page.$eval(row + " .links", cell => cell.textContent);
    step("created", { user, qr, hasLink: links.includes("tg://proxy?") });
    await page.screenshot({ path: argument("screenshot", "/tmp/gozar-admin-page.png"), fullPage: true });

    await page.click(row + " button:text('Disable')");
    await page.waitForFunction(selector => document.querySelector(selector + " td:nth-child(2)").textContent === "disabled", row);
    step("disabled", { user });

    if (problems.length > 0) throw new Error(problems.join("; "));
    step("done", {});
  } finally {
    await browser.close();
  }
}

main().catch(error => {
  step("failed", { error: String(error && error.stack || error) });
  process.exit(1);
});
