#!/usr/bin/env node
// Drives TDLib through an MTProto proxy to Gozar's fake DC with TDLib's testProxy request: TDLib's own transport
// (fake-TLS for ee secrets) to the proxy, then the start of its key exchange with the DC behind it. testProxy is one of
// the requests TDLib takes before it is given any parameters, and a bare client sends none, so TDLib opens no database
// and no connection but the one to the proxy given on the command line.
// Prints one JSON object per step on stdout; exits 0 when TDLib answered the request (success or error), 1 otherwise.
import { parseArgs } from "node:util";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const tdl = require("tdl");
// prebuilt-tdlib's build for Linux x64 (glibc), named directly: its meta-package lists every platform's build as an
// optional dependency, which a lock file cannot pin from a registry that serves only this one.
const tdjson = require.resolve("@prebuilt-tdlib/linux-x64-glibc/libtdjson.so");

function report(step, fields = {}) {
    process.stdout.write(JSON.stringify({ step, ...fields }) + "\n");
}

async function run(args) {
    // Verbosity 1: TDLib's errors only, on stderr, for the test's failure message.
    tdl.configure({ tdjson, verbosityLevel: 1 });
    const client = tdl.createBareClient();
    client.on("error", (e) => process.stderr.write(`tdl error: ${e}\n`));
    const version = await client.invoke({ _: "getOption", name: "version" }).catch(() => null);
    report("library", { version: version?.value ?? null });

    const started = Date.now();
    let answer;
    try {
        await client.invoke({
            _: "testProxy",
            proxy: {
                _: "proxy",
                server: args.host,
                port: Number(args.port),
                type: { _: "proxyTypeMtproto", secret: args.secret },
            },
            dc_id: Number(args.dc),
            timeout: Number(args.timeout),
        });
        answer = { ok: true };
    } catch (e) {
        answer = { ok: false, error: e?.message ?? String(e) };
    }
    report("testProxy", { ...answer, seconds: (Date.now() - started) / 1000 });
    await client.close().catch(() => {});
}

const { values } = parseArgs({
    options: {
        host: { type: "string" },
        port: { type: "string" },
        secret: { type: "string" },
        dc: { type: "string", default: "2" },
        timeout: { type: "string", default: "20" },
    },
});

try {
    await run(values);
    process.exit(0);
} catch (e) {
    process.stderr.write(`${e?.stack ?? e}\n`);
    process.exit(1);
}
