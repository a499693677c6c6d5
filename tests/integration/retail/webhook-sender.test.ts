import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  deliverWebhook,
  MAX_RESPONSE_BYTES,
  resolvePublicTarget,
  type HostLookup,
} from "../../../app/features/retail/adapters/webhook-sender.server";
import {
  isRetryable,
  newWebhookSecret,
  verifyWebhookSignature,
  WEBHOOK_SIGNATURE_HEADER,
} from "../../../app/features/retail/domain/webhook";

interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

let server: http.Server;
let base: string;
let port: number;
let received: Received[] = [];
let connections = 0;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      });
      const path = (req.url ?? "").split("?")[0];
      if (path === "/ok") {
        res.writeHead(200, { "content-type": "text/plain" }).end("thanks");
      } else if (path === "/fail") {
        res.writeHead(500, { "content-type": "text/plain" }).end("boom ".repeat(100));
      } else if (path === "/redirect") {
        res.writeHead(302, { location: `${base}/ok` }).end();
      } else if (path === "/big") {
        res.writeHead(200, { "content-type": "text/plain" });
        res.write("x".repeat(MAX_RESPONSE_BYTES));
        res.end("y".repeat(MAX_RESPONSE_BYTES)); // more than the sender reads
      } else if (path === "/hang") {
        // never answer
      } else {
        res.writeHead(404).end();
      }
    });
  });
  server.on("connection", () => {
    connections++;
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  received = [];
  connections = 0;
});

const dev = { allowLoopbackHttp: true };
const prod = { allowLoopbackHttp: false };
const body = JSON.stringify({
  id: "evt_123",
  type: "seal.status_changed",
  data: { seal: "S-0001", status: "suspended" },
});

describe("deliverWebhook against a local receiver", () => {
  it("delivers with the documented headers, and the receiver can verify the signature", async () => {
    const secret = newWebhookSecret();
    const r = await deliverWebhook({
      url: `${base}/ok?x=1`,
      secret,
      body,
      eventId: "evt_123",
      allowLoopbackHttp: true,
    });
    expect(r.status).toBe(200);
    expect(r.error).toBeUndefined();
    expect(r.responseSnippet).toBe("thanks");
    expect(r.durationMs).toBeGreaterThanOrEqual(0);
    expect(received).toHaveLength(1);
    const got = received[0];
    expect(got.method).toBe("POST");
    expect(got.url).toBe("/ok?x=1");
    expect(got.body).toBe(body);
    expect(got.headers["content-type"]).toBe("application/json");
    expect(got.headers["user-agent"]).toBe("IoTSeal-Webhooks/1");
    expect(got.headers["iotseal-event-id"]).toBe("evt_123");
    expect(got.headers.host).toBe(`127.0.0.1:${port}`);
    const sig = got.headers[WEBHOOK_SIGNATURE_HEADER.toLowerCase()] as string;
    expect(sig).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    const now = Math.floor(Date.now() / 1000);
    expect(verifyWebhookSignature(secret, sig, got.body, now)).toBe(true);
    expect(verifyWebhookSignature("whsec_wrong", sig, got.body, now)).toBe(false);
  });

  it("signs with the given timestamp", async () => {
    const secret = newWebhookSecret();
    await deliverWebhook({
      url: `${base}/ok`,
      secret,
      body,
      eventId: "e",
      allowLoopbackHttp: true,
      timestamp: 1_700_000_000,
    });
    const sig = received[0].headers["iotseal-signature"] as string;
    expect(sig.startsWith("t=1700000000,")).toBe(true);
    expect(verifyWebhookSignature(secret, sig, body, 1_700_000_100)).toBe(true);
    expect(verifyWebhookSignature(secret, sig, body, 1_700_000_000 + 301)).toBe(false);
  });

  it("reports a 500 as status 500 with a 200-character snippet", async () => {
    const r = await deliverWebhook({
      url: `${base}/fail`,
      secret: "whsec_x",
      body,
      eventId: "e",
      allowLoopbackHttp: true,
    });
    expect(r.status).toBe(500);
    expect(r.responseSnippet).toHaveLength(200);
    expect(isRetryable(r.status)).toBe(true);
  });

  it("does not follow a 302", async () => {
    const r = await deliverWebhook({
      url: `${base}/redirect`,
      secret: "whsec_x",
      body,
      eventId: "e",
      allowLoopbackHttp: true,
    });
    expect(r.status).toBe(302);
    expect(r.error).toBe("redirects are not followed");
    expect(received.map((x) => x.url)).toEqual(["/redirect"]); // /ok was never requested
    expect(isRetryable(r.status)).toBe(false);
  });

  it("reads at most 64 KiB of the response", async () => {
    const r = await deliverWebhook({
      url: `${base}/big`,
      secret: "whsec_x",
      body,
      eventId: "e",
      allowLoopbackHttp: true,
    });
    expect(r.status).toBe(200);
    expect(r.responseSnippet).toBe("x".repeat(200));
  });

  it("times out when the receiver never answers", async () => {
    const started = Date.now();
    const r = await deliverWebhook({
      url: `${base}/hang`,
      secret: "whsec_x",
      body,
      eventId: "e",
      allowLoopbackHttp: true,
      timeoutMs: 300,
    });
    expect(r.status).toBeNull();
    expect(r.error).toMatch(/timed out/);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(r.durationMs).toBeGreaterThanOrEqual(250);
    expect(isRetryable(r.status)).toBe(true);
  });

  it("reports a refused connection as status null", async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const freePort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const r = await deliverWebhook({
      url: `http://127.0.0.1:${freePort}/`,
      secret: "whsec_x",
      body,
      eventId: "e",
      allowLoopbackHttp: true,
    });
    expect(r.status).toBeNull();
    expect(r.error).toMatch(/ECONNREFUSED/);
    expect(r.refused).toBeUndefined();
  });

  it("refuses the loopback target before connecting when loopback is not allowed", async () => {
    for (const url of [
      `${base}/ok`,
      `https://127.0.0.1:${port}/ok`,
      `https://localhost:${port}/ok`,
      `https://2130706433:${port}/ok`,
    ]) {
      const r = await deliverWebhook({ url, secret: "whsec_x", body, eventId: "e", allowLoopbackHttp: false });
      expect(r.status, url).toBeNull();
      expect(r.refused, url).toBe(true);
    }
    expect(connections).toBe(0);
    expect(received).toHaveLength(0);
  });

  it("connects to the address it checked, keeping the name for the Host header", async () => {
    const calls: string[] = [];
    const lookup: HostLookup = async (host) => {
      calls.push(host);
      return [{ address: "127.0.0.1", family: 4 }];
    };
    const r = await deliverWebhook({
      url: `http://localhost:${port}/ok`,
      secret: "whsec_x",
      body,
      eventId: "e",
      allowLoopbackHttp: true,
      lookup,
    });
    expect(r.status).toBe(200);
    expect(calls).toEqual(["localhost"]); // resolved once, by us; the socket used the pinned answer
    expect(received[0].headers.host).toBe(`localhost:${port}`);
  });

  it("really connects to the pinned address, not to what the system resolver says", async (ctx) => {
    // A second receiver on 127.0.0.2 (Linux routes all of 127/8 to loopback). The system resolver
    // says localhost is 127.0.0.1 / ::1, where nothing listens on this port, so the request can
    // only succeed if the socket used the address our lookup returned.
    const other = http.createServer((req, res) => res.writeHead(200).end(`pinned ${req.headers.host}`));
    const listening = await new Promise<boolean>((resolve) => {
      other.once("error", () => resolve(false));
      other.listen(0, "127.0.0.2", () => resolve(true));
    });
    if (!listening) ctx.skip();
    try {
      const otherPort = (other.address() as AddressInfo).port;
      const lookup: HostLookup = async () => [{ address: "127.0.0.2", family: 4 }];
      const r = await deliverWebhook({
        url: `http://localhost:${otherPort}/`,
        secret: "whsec_x",
        body,
        eventId: "e",
        allowLoopbackHttp: true,
        lookup,
      });
      expect(r.status).toBe(200);
      expect(r.responseSnippet).toBe(`pinned localhost:${otherPort}`);
    } finally {
      other.closeAllConnections();
      await new Promise<void>((resolve) => other.close(() => resolve()));
    }
  });

  it("may use any of the checked addresses (falls back from ::1 to 127.0.0.1)", async () => {
    const lookup: HostLookup = async () => [
      { address: "::1", family: 6 },
      { address: "127.0.0.1", family: 4 },
    ];
    const r = await deliverWebhook({
      url: `http://localhost:${port}/ok`,
      secret: "whsec_x",
      body,
      eventId: "e",
      allowLoopbackHttp: true,
      lookup,
    });
    expect(r.status).toBe(200);
  });

  it("re-checks at send time: a name that now resolves privately is refused (DNS rebinding)", async () => {
    let n = 0;
    const rebinding: HostLookup = async () =>
      n++ === 0 ? [{ address: "93.184.216.34", family: 4 }] : [{ address: "127.0.0.1", family: 4 }];
    const first = await resolvePublicTarget("https://hooks.buyer.example.com/in", { ...prod, lookup: rebinding });
    expect(first.ok).toBe(true); // e.g. at registration
    const r = await deliverWebhook({
      url: "https://hooks.buyer.example.com/in",
      secret: "whsec_x",
      body,
      eventId: "e",
      ...prod,
      lookup: rebinding,
    });
    expect(r.status).toBeNull();
    expect(r.refused).toBe(true);
    expect(connections).toBe(0);
  });
});

describe("resolvePublicTarget", () => {
  const fixed =
    (...addresses: string[]): HostLookup =>
    async () =>
      addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));

  it("accepts a name that resolves only to public addresses, and returns the first", async () => {
    const r = await resolvePublicTarget("https://hooks.buyer.com/in", {
      ...prod,
      lookup: fixed("2606:4700:4700::1111", "93.184.216.34"),
    });
    expect(r).toMatchObject({ ok: true, address: "2606:4700:4700::1111", family: 6 });
    if (r.ok) {
      expect(r.url.hostname).toBe("hooks.buyer.com");
      expect(r.addresses).toHaveLength(2);
    }
  });

  it.each([
    ["10.0.0.5"],
    ["127.0.0.1"],
    ["169.254.169.254"],
    ["100.100.100.200"],
    ["::1"],
    ["fd00:ec2::254"],
    ["::ffff:169.254.169.254"],
    ["fe80::1%eth0"],
    ["not-an-ip"],
  ])("refuses a public-looking name resolving to %s", async (addr) => {
    const r = await resolvePublicTarget("https://hooks.buyer.com/in", { ...prod, lookup: fixed(addr) });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.message).toMatch(/private, local or reserved/);
      expect(r.message).not.toContain(addr); // no DNS oracle
    }
  });

  it("refuses a mix of public and private answers, in either order", async () => {
    for (const lookup of [
      fixed("93.184.216.34", "10.0.0.1"),
      fixed("10.0.0.1", "93.184.216.34"),
      fixed("2606:4700:4700::1111", "::1"),
    ]) {
      const r = await resolvePublicTarget("https://hooks.buyer.com/in", { ...prod, lookup });
      expect(r.ok).toBe(false);
    }
    const r = await deliverWebhook({
      url: "https://hooks.buyer.com/in",
      secret: "whsec_x",
      body,
      eventId: "e",
      ...prod,
      lookup: fixed("93.184.216.34", "127.0.0.1"),
    });
    expect(r.status).toBeNull();
    expect(r.refused).toBe(true);
    expect(connections).toBe(0);
  });

  it("allows loopback answers only in development/test mode, and never private ones", async () => {
    expect(
      (await resolvePublicTarget(`http://localhost:${port}/`, { ...dev, lookup: fixed("127.0.0.1", "::1") })).ok,
    ).toBe(true);
    expect((await resolvePublicTarget(`https://localhost:${port}/`, { ...prod, lookup: fixed("127.0.0.1") })).ok).toBe(
      false,
    );
    expect((await resolvePublicTarget("https://hooks.buyer.com/", { ...dev, lookup: fixed("192.168.1.10") })).ok).toBe(
      false,
    );
  });

  it("reports DNS failures and empty answers", async () => {
    const failing: HostLookup = async () => {
      throw Object.assign(new Error("getaddrinfo ENOTFOUND"), { code: "ENOTFOUND" });
    };
    const r1 = await resolvePublicTarget("https://nope.buyer.com/", { ...prod, lookup: failing });
    expect(r1).toEqual({ ok: false, message: "Could not resolve the host name (ENOTFOUND)." });
    const r2 = await resolvePublicTarget("https://nope.buyer.com/", { ...prod, lookup: fixed() });
    expect(r2.ok).toBe(false);
  });

  it("does not resolve IP literals, and checks them", async () => {
    const never: HostLookup = async () => {
      throw new Error("should not be called");
    };
    expect(
      await resolvePublicTarget("https://[2606:4700:4700::1111]:8443/x", { ...prod, lookup: never }),
    ).toMatchObject({ ok: true, address: "2606:4700:4700::1111", family: 6 });
    expect((await resolvePublicTarget("https://0xa9fea9fe/", { ...prod, lookup: never })).ok).toBe(false);
  });

  it("gives up on slow DNS at the delivery deadline", async () => {
    const slow: HostLookup = () => new Promise(() => {});
    const r = await deliverWebhook({
      url: "https://hooks.buyer.com/in",
      secret: "whsec_x",
      body,
      eventId: "e",
      ...prod,
      lookup: slow,
      timeoutMs: 200,
    });
    expect(r.status).toBeNull();
    expect(r.error).toMatch(/timed out/);
  });
});
