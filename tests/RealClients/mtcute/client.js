#!/usr/bin/env node
// Drives mtcute through an MTProto proxy to Gozar's fake DC: connect, ping, upload, download, compare.
// Prints one JSON object per step on stdout; exits 0 only when every step succeeded. Only the proxy address given
// on the command line is contacted: the client's DCs are set to loopback and the fake DC's config lists loopback only.
import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { BaseTelegramClient, Long, MemoryStorage, MtProxyTcpTransport } from "@mtcute/node";
import { NodeCryptoProvider, addPublicKey } from "@mtcute/node/utils.js";

// upload.saveFilePart's part size: the official rule is a divisor of 512 KiB that is a multiple of 1 KiB.
const PartSize = 128 * 1024;

function report(step, fields = {}) {
    process.stdout.write(JSON.stringify({ step, ...fields }) + "\n");
}

async function run(args) {
    const crypto = new NodeCryptoProvider();
    await crypto.initialize?.();
    addPublicKey(crypto, readFileSync(args["rsa-pem"], "ascii"));

    const dc = { id: Number(args.dc), ipAddress: "127.0.0.1", port: 443 };
    const client = new BaseTelegramClient({
        apiId: 1,
        apiHash: "0".repeat(32),
        storage: new MemoryStorage(),
        transport: new MtProxyTcpTransport({ host: args.host, port: Number(args.port), secret: args.secret }),
        defaultDcs: { main: dc, media: { ...dc, mediaOnly: true } },
        network: { reconnectionStrategy: () => false, pingInterval: 1000 },
    });
    const pong = new Promise((resolve) => {
        client.log.mgr.level = 4;
        client.log.mgr.handler = (color, level, tag, fmt, args) => {
            if (fmt.includes("received pong:")) {
                resolve(true);
            } else if (fmt.includes("received pong to")) {
                resolve(false);
            }

            if (level <= 2) {
                process.stderr.write(`[${tag}] ${fmt} ${JSON.stringify(args, (_, v) => (typeof v === "bigint" ? String(v) : v))}\n`);
            }
        };
    });

    // The first call goes inside initConnection, as every client's does; help.getConfig is what apps send first.
    const started = Date.now();
    await client.connect();
    const config = await client.call({ _: "help.getConfig" });
    if (config._ !== "config" || config.thisDc !== dc.id) {
        throw new Error(`help.getConfig answered ${config._} for DC ${config.thisDc}`);
    }
    report("connect", { seconds: (Date.now() - started) / 1000 });

    // mtcute answers a ping sent through call() never (it takes pongs only for its own pings), so the ping is its
    // own keepalive, due a second after the last one: the step passes when mtcute has matched a pong to it.
    const pinged = await pong;
    report("ping", { ok: pinged });

    const data = randomBytes(256 * 1024 + 4);
    const fileId = Long.fromBits(randomBytes(4).readInt32LE(), randomBytes(4).readInt32LE());
    const parts = Math.ceil(data.length / PartSize);
    for (let part = 0; part < parts; part++) {
        const saved = await client.call({
            _: "upload.saveFilePart",
            fileId,
            filePart: part,
            bytes: data.subarray(part * PartSize, (part + 1) * PartSize),
        });
        if (saved !== true) {
            throw new Error(`upload.saveFilePart #${part} answered ${JSON.stringify(saved)}`);
        }
    }
    report("upload", { bytes: data.length, parts, sha256: createHash("sha256").update(data).digest("hex") });

    const back = await client.call({
        _: "upload.getFile",
        location: { _: "inputDocumentFileLocation", id: fileId, accessHash: Long.ZERO, fileReference: new Uint8Array(0), thumbSize: "" },
        offset: Long.ZERO,
        limit: 1024 * 1024,
    });
    const bytes = back._ === "upload.file" ? Buffer.from(back.bytes) : Buffer.alloc(0);
    const matched = bytes.equals(data);
    report("download", { bytes: bytes.length, match: matched });

    await client.destroy();
    return pinged && matched;
}

const { values } = parseArgs({
    options: {
        host: { type: "string" },
        port: { type: "string" },
        secret: { type: "string" },
        dc: { type: "string", default: "2" },
        "rsa-pem": { type: "string" },
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
