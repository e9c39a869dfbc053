#!/usr/bin/env node
// Drives GramJS through an MTProto proxy to Gozar's fake DC: connect, ping, upload, download, compare.
// Prints one JSON object per step on stdout; exits 0 only when every step succeeded. Only the proxy address given
// on the command line is contacted: the session's DC is set to loopback and the fake DC's config lists loopback only.
"use strict";

const crypto = require("crypto");
const { parseArgs } = require("util");
const bigInt = require("big-integer");
const { TelegramClient, Api } = require("telegram");
const { StringSession } = require("telegram/sessions");
const { _serverKeys } = require("telegram/crypto/RSA");
const { ConnectionTCPMTProxyAbridged } = require("telegram/network/connection/TCPMTProxy");
const { CustomFile } = require("telegram/client/uploads");
const { Logger, LogLevel } = require("telegram/extensions/Logger");

function report(step, fields = {}) {
    process.stdout.write(JSON.stringify({ step, ...fields }) + "\n");
}

async function run(args) {
    _serverKeys.set(args["rsa-fingerprint"], { n: bigInt(args["rsa-n"]), e: Number(args["rsa-e"]) });

    const session = new StringSession("");
    session.setDC(Number(args.dc), "127.0.0.1", 443);
    const client = new TelegramClient(session, 1, "0".repeat(32), {
        connection: ConnectionTCPMTProxyAbridged,
        proxy: { ip: args.host, port: Number(args.port), secret: args.secret, MTProxy: true },
        connectionRetries: 1,
        autoReconnect: false,
        useWSS: false,
        baseLogger: new Logger(LogLevel.ERROR),
    });

    const started = Date.now();
    // connect() resolves (false) instead of throwing when every attempt failed; later calls would wait forever.
    if (!(await client.connect()) || !client.connected) {
        throw new Error("could not connect through the proxy");
    }
    report("connect", { seconds: (Date.now() - started) / 1000 });

    const pingId = bigInt(crypto.randomBytes(6).readUIntLE(0, 6));
    const pong = await client.invoke(new Api.Ping({ pingId }));
    const pinged = pong instanceof Api.Pong && pong.pingId.equals(pingId);
    report("ping", { ok: pinged });

    const data = crypto.randomBytes(256 * 1024 + 4);
    const uploaded = await client.uploadFile({ file: new CustomFile("gozar.bin", data.length, "", data), workers: 1 });
    report("upload", {
        bytes: data.length,
        parts: uploaded.parts,
        sha256: crypto.createHash("sha256").update(data).digest("hex"),
    });

    const location = new Api.InputDocumentFileLocation({
        id: uploaded.id,
        accessHash: bigInt.zero,
        fileReference: Buffer.alloc(0),
        thumbSize: "",
    });
    const back = await client.downloadFile(location, { fileSize: bigInt(data.length) });
    const matched = Buffer.isBuffer(back) && back.equals(data);
    report("download", { bytes: back ? back.length : 0, match: matched });

    await client.destroy();
    return pinged && matched;
}

const { values } = parseArgs({
    options: {
        host: { type: "string" },
        port: { type: "string" },
        secret: { type: "string" },
        dc: { type: "string", default: "2" },
        "rsa-n": { type: "string" },
        "rsa-e": { type: "string", default: "65537" },
        "rsa-fingerprint": { type: "string" },
        timeout: { type: "string", default: "40" },
    },
});

const deadline = setTimeout(() => {
    report("done", { ok: false, error: "timed out" });
    process.exit(2);
}, Number(values.timeout) * 1000);

run(values).then(
    (ok) => {
        clearTimeout(deadline);
        report("done", { ok });
        process.exit(ok ? 0 : 1);
    },
    (error) => {
        clearTimeout(deadline);
        process.stderr.write(`${error && error.stack ? error.stack : error}\n`);
        report("done", { ok: false, error: String(error) });
        process.exit(2);
    },
);
