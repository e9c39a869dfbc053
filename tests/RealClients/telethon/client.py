#!/usr/bin/env python3
"""Drives Telethon through an MTProto proxy to Gozar's fake DC: connect, ping, upload, download, compare.

Prints one JSON object per step on stdout; exits 0 only when every step succeeded. Only the proxy address given on
the command line is contacted: the session's DC is set to loopback and the fake DC's config lists loopback only.
"""
import argparse
import asyncio
import hashlib
import json
import os
import sys
import time

from telethon import TelegramClient, functions, types
from telethon.crypto import rsa
from telethon.network import connection
from telethon.sessions import MemorySession

MODES = {
    "abridged": connection.ConnectionTcpMTProxyAbridged,
    "intermediate": connection.ConnectionTcpMTProxyIntermediate,
    "padded": connection.ConnectionTcpMTProxyRandomizedIntermediate,
}


def report(step, **fields):
    print(json.dumps({"step": step, **fields}), flush=True)


async def run(args):
    with open(args.rsa_pem, encoding="ascii") as pem:
        rsa.add_key(pem.read(), old=False)

    session = MemorySession()
    session.set_dc(args.dc, "127.0.0.1", 443)
    client = TelegramClient(
        session,
        api_id=1,
        api_hash="0" * 32,
        connection=MODES[args.mode],
        proxy=(args.host, args.port, args.secret),
        connection_retries=0,
        auto_reconnect=False,
        timeout=15,
        receive_updates=False,
    )

    started = time.monotonic()
    await client.connect()
    report("connect", seconds=round(time.monotonic() - started, 2))

    ping_id = int.from_bytes(os.urandom(8), "little", signed=True)
    pong = await client(functions.PingRequest(ping_id=ping_id))
    pinged = isinstance(pong, types.Pong) and pong.ping_id == ping_id
    report("ping", ok=pinged)

    data = os.urandom(256 * 1024 + 4)
    uploaded = await client.upload_file(data, file_name="gozar.bin")
    report("upload", bytes=len(data), parts=uploaded.parts, sha256=hashlib.sha256(data).hexdigest())

    location = types.InputDocumentFileLocation(id=uploaded.id, access_hash=0, file_reference=b"", thumb_size="")
    back = await client.download_file(location, bytes, file_size=len(data))
    matched = back == data
    report("download", bytes=len(back), match=matched)

    await client.disconnect()
    return pinged and matched


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--secret", required=True, help="hex, dd-prefixed for padded intermediate")
    parser.add_argument("--mode", choices=sorted(MODES), required=True)
    parser.add_argument("--dc", type=int, default=2)
    parser.add_argument("--rsa-pem", required=True, help="file with the fake DC's PKCS#1 public key")
    parser.add_argument("--timeout", type=float, default=40)
    args = parser.parse_args()
    ok = asyncio.run(asyncio.wait_for(run(args), args.timeout))
    report("done", ok=ok)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
