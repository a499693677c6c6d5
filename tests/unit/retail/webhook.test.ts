import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  BACKOFF_SCHEDULE_MS,
  isLoopbackAddress,
  isPublicAddress,
  isRetryable,
  isSuccessStatus,
  MAX_ATTEMPTS,
  MAX_BACKOFF_MS,
  MAX_WEBHOOK_URL_LENGTH,
  newWebhookSecret,
  nextAttemptDelayMs,
  previousSecretSigns,
  retryDecision,
  signWebhook,
  verifyWebhookSignature,
  WEBHOOK_SIGNATURE_HEADER,
  webhookUrlProblem,
} from "../../../app/features/retail/domain/webhook";

const SECRET = "whsec_test_secret";
const T = 1_700_000_000;
const BODY = '{"event":"seal.status_changed","seal":"S-1","status":"revoked"}';

describe("webhook signatures", () => {
  it("uses the documented header name", () => {
    expect(WEBHOOK_SIGNATURE_HEADER).toBe("IoTSeal-Signature");
  });

  it("matches a known vector (computed with `openssl dgst -sha256 -hmac`)", () => {
    // printf '%s' '1700000000.<BODY>' | openssl dgst -sha256 -hmac 'whsec_test_secret'
    expect(signWebhook(SECRET, T, BODY)).toBe(
      "t=1700000000,v1=1ef63dcdd1b30727c9cde502c3b9fe3564641035eeba4687bfa3d28c100292d8",
    );
    // UTF-8 in both key and body
    expect(signWebhook("whsec_ünï", T, "héllo ✓")).toBe(
      "t=1700000000,v1=a79854cb8d4db5e5209db9e58f15089240d8f185dbdcbc24c2a2a2d7a906833a",
    );
  });

  it("matches an HMAC computed independently over `<t>.<body>` with the whole secret as key", () => {
    const body = JSON.stringify({ id: "evt_1", data: { status: "suspended", note: "ünïcödé" } });
    const expected = createHmac("sha256", SECRET).update(`${T}.${body}`).digest("hex");
    expect(signWebhook(SECRET, T, body)).toBe(`t=${T},v1=${expected}`);
  });

  it("round-trips", () => {
    const h = signWebhook(SECRET, T, BODY);
    expect(verifyWebhookSignature(SECRET, h, BODY, T)).toBe(true);
    expect(verifyWebhookSignature(SECRET, h, BODY, T + 300)).toBe(true);
    expect(verifyWebhookSignature(SECRET, h, BODY, T - 300)).toBe(true); // receiver clock behind
    expect(verifyWebhookSignature(SECRET, h, "", T)).toBe(false);
    expect(verifyWebhookSignature(SECRET, signWebhook(SECRET, T, ""), "", T)).toBe(true);
  });

  it("rejects a tampered body, a wrong secret and a tampered timestamp", () => {
    const h = signWebhook(SECRET, T, BODY);
    expect(verifyWebhookSignature(SECRET, h, BODY.replace("revoked", "valid"), T)).toBe(false);
    expect(verifyWebhookSignature(SECRET, h, BODY + " ", T)).toBe(false);
    expect(verifyWebhookSignature("whsec_other", h, BODY, T)).toBe(false);
    expect(verifyWebhookSignature(SECRET.slice(6), h, BODY, T)).toBe(false); // prefix is part of the key
    expect(verifyWebhookSignature(SECRET, h.replace(`t=${T}`, `t=${T + 1}`), BODY, T)).toBe(false);
    const flipped = h.slice(0, -1) + (h.endsWith("0") ? "1" : "0");
    expect(verifyWebhookSignature(SECRET, flipped, BODY, T)).toBe(false);
  });

  it("rejects stale and future timestamps beyond the tolerance", () => {
    const h = signWebhook(SECRET, T, BODY);
    expect(verifyWebhookSignature(SECRET, h, BODY, T + 301)).toBe(false);
    expect(verifyWebhookSignature(SECRET, h, BODY, T - 301)).toBe(false);
    expect(verifyWebhookSignature(SECRET, h, BODY, T + 3600, 3600)).toBe(true);
    expect(verifyWebhookSignature(SECRET, h, BODY, T + 1, 0)).toBe(false);
    expect(verifyWebhookSignature(SECRET, h, BODY, T, 0)).toBe(true);
  });

  it("rejects malformed headers without throwing", () => {
    const v1 = signWebhook(SECRET, T, BODY).split(",v1=")[1];
    for (const bad of [
      "",
      "garbage",
      `v1=${v1}`, // no timestamp
      `t=${T}`, // no signature
      `t=${T},v1=`,
      `t=${T},v1=${v1.toUpperCase()}x`,
      `t=${T},v1=${v1.slice(0, 62)}`,
      `t=${T},v0=${v1}`,
      `t=${T}.5,v1=${v1}`,
      `t=-${T},v1=${v1}`,
      `t=1e9,v1=${v1}`,
      `t=${T},t=${T},v1=${v1}`,
      null,
      undefined,
    ]) {
      expect(verifyWebhookSignature(SECRET, bad, BODY, T), String(bad)).toBe(false);
    }
    expect(verifyWebhookSignature("", `t=${T},v1=${v1}`, BODY, T)).toBe(false);
  });

  it("accepts any matching v1 among several, tolerates spaces and uppercase hex", () => {
    const v1 = signWebhook(SECRET, T, BODY).split(",v1=")[1];
    expect(verifyWebhookSignature(SECRET, `t=${T},v1=${"0".repeat(64)},v1=${v1}`, BODY, T)).toBe(true);
    expect(verifyWebhookSignature(SECRET, `v1=${v1}, t=${T}`, BODY, T)).toBe(true);
    expect(verifyWebhookSignature(SECRET, `t=${T},v1=${v1.toUpperCase()}`, BODY, T)).toBe(true);
  });

  it("refuses to sign with a bad timestamp or empty secret", () => {
    expect(() => signWebhook(SECRET, 1.5, BODY)).toThrow();
    expect(() => signWebhook(SECRET, -1, BODY)).toThrow();
    expect(() => signWebhook(SECRET, Number.NaN, BODY)).toThrow();
    expect(() => signWebhook("", T, BODY)).toThrow();
  });

  it("makes fresh secrets: whsec_ + 32 bytes base64url", () => {
    const a = newWebhookSecret();
    const b = newWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a.slice(6), "base64url")).toHaveLength(32);
    expect(a).not.toBe(b);
  });
});

describe("a rotation's overlap", () => {
  it("signs with several secrets, each accepted; the previous one only until its overlap ends", () => {
    const header = signWebhook([SECRET, "whsec_previous"], T, BODY);
    expect(header).toMatch(/^t=1700000000,v1=[0-9a-f]{64},v1=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature(SECRET, header, BODY, T)).toBe(true);
    expect(verifyWebhookSignature("whsec_previous", header, BODY, T)).toBe(true);
    expect(verifyWebhookSignature("whsec_other", header, BODY, T)).toBe(false);
    expect(() => signWebhook([], T, BODY)).toThrow(RangeError);
    const until = new Date(T * 1000);
    expect(previousSecretSigns(until, T * 1000 - 1)).toBe(true);
    expect(previousSecretSigns(until, T * 1000)).toBe(false);
    expect(previousSecretSigns(null, 0)).toBe(false);
  });
});

describe("backoff", () => {
  const lo = () => 0;
  const mid = () => 0.5;
  const hi = () => 0.999999;

  it("follows the schedule without jitter at random = 0.5", () => {
    const delays = Array.from({ length: 10 }, (_, i) => nextAttemptDelayMs(i + 1, mid));
    expect(delays.slice(0, 7)).toEqual([30_000, 120_000, 480_000, 1_800_000, 7_200_000, 28_800_000, 43_200_000]);
    expect(delays.slice(7)).toEqual([MAX_BACKOFF_MS, MAX_BACKOFF_MS, MAX_BACKOFF_MS]);
    expect(BACKOFF_SCHEDULE_MS).toHaveLength(MAX_ATTEMPTS - 1);
  });

  it("stays within ±20 % and never exceeds the 12 h cap", () => {
    for (let attempt = 1; attempt <= 20; attempt++) {
      const base = BACKOFF_SCHEDULE_MS[Math.min(attempt, BACKOFF_SCHEDULE_MS.length) - 1];
      for (const r of [0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.999999, Math.random()]) {
        const d = nextAttemptDelayMs(attempt, () => r);
        expect(d).toBeGreaterThanOrEqual(Math.floor(base * 0.8));
        expect(d).toBeLessThanOrEqual(Math.min(MAX_BACKOFF_MS, Math.ceil(base * 1.2)));
      }
      expect(nextAttemptDelayMs(attempt, hi)).toBeLessThanOrEqual(MAX_BACKOFF_MS);
    }
  });

  it("is monotone: up to the cap, the shortest next wait is never below the longest previous one", () => {
    for (let attempt = 1; attempt < BACKOFF_SCHEDULE_MS.length; attempt++) {
      expect(nextAttemptDelayMs(attempt + 1, lo)).toBeGreaterThanOrEqual(nextAttemptDelayMs(attempt, hi));
    }
    for (let attempt = 1; attempt < 12; attempt++) {
      expect(nextAttemptDelayMs(attempt + 1, mid)).toBeGreaterThanOrEqual(nextAttemptDelayMs(attempt, mid));
    }
    // Once capped, jitter only shortens: every wait lies in [9.6 h, 12 h].
    for (let attempt = BACKOFF_SCHEDULE_MS.length; attempt < 12; attempt++) {
      expect(nextAttemptDelayMs(attempt, lo)).toBe(MAX_BACKOFF_MS * 0.8);
      expect(nextAttemptDelayMs(attempt, hi)).toBe(MAX_BACKOFF_MS);
    }
  });

  it("survives a misbehaving random source and refuses bad attempt numbers", () => {
    expect(nextAttemptDelayMs(1, () => Number.NaN)).toBe(30_000);
    expect(nextAttemptDelayMs(1, () => 5)).toBe(36_000);
    expect(nextAttemptDelayMs(1, () => -5)).toBe(24_000);
    expect(() => nextAttemptDelayMs(0, mid)).toThrow();
    expect(() => nextAttemptDelayMs(1.5, mid)).toThrow();
  });

  it("gives up after MAX_ATTEMPTS = 8", () => {
    expect(MAX_ATTEMPTS).toBe(8);
    expect(retryDecision(1, 200, mid)).toEqual({ outcome: "delivered" });
    expect(retryDecision(1, 503, mid)).toEqual({ outcome: "retry", delayMs: 30_000 });
    expect(retryDecision(7, null, mid)).toEqual({ outcome: "retry", delayMs: MAX_BACKOFF_MS });
    expect(retryDecision(8, null, mid)).toEqual({ outcome: "failed", reason: "max_attempts" });
    expect(retryDecision(1, 404, mid)).toEqual({ outcome: "failed", reason: "not_retryable" });
    expect(retryDecision(1, 302, mid)).toEqual({ outcome: "failed", reason: "not_retryable" });
  });

  it.each([
    [null, true],
    [408, true],
    [425, true],
    [429, true],
    [500, true],
    [502, true],
    [503, true],
    [504, true],
    [599, true],
    [400, false],
    [401, false],
    [403, false],
    [404, false],
    [410, false],
    [413, false],
    [422, false],
    [301, false],
    [302, false],
    [307, false],
    [308, false],
    [200, false],
    [204, false],
    [100, false],
    [600, false],
  ] as const)("isRetryable(%s) = %s", (status, expected) => {
    expect(isRetryable(status)).toBe(expected);
  });

  it("counts only 2xx as success", () => {
    expect([200, 201, 202, 204, 299].every(isSuccessStatus)).toBe(true);
    expect([null, 100, 199, 300, 302, 404, 500].some(isSuccessStatus)).toBe(false);
  });
});

describe("isPublicAddress", () => {
  const cases: [string, boolean][] = [
    // IPv4: public
    ["8.8.8.8", true],
    ["1.1.1.1", true],
    ["93.184.216.34", true],
    ["9.255.255.255", true],
    ["11.0.0.0", true],
    ["100.63.255.255", true],
    ["100.128.0.0", true],
    ["126.255.255.255", true],
    ["128.0.0.0", true],
    ["169.253.255.255", true],
    ["169.255.0.0", true],
    ["172.15.255.255", true],
    ["172.32.0.0", true],
    ["192.0.1.1", true],
    ["192.0.3.0", true],
    ["192.167.255.255", true],
    ["192.169.0.0", true],
    ["198.17.255.255", true],
    ["198.20.0.0", true],
    ["223.255.255.255", true],
    ["168.63.129.15", true],
    // IPv4: refused
    ["0.0.0.0", false],
    ["0.255.255.255", false],
    ["10.0.0.1", false],
    ["10.255.255.255", false],
    ["100.64.0.1", false],
    ["100.100.100.200", false], // Alibaba metadata
    ["100.127.255.255", false],
    ["127.0.0.1", false],
    ["127.255.255.254", false],
    ["169.254.0.1", false],
    ["169.254.169.254", false], // AWS/GCP/Azure metadata
    ["172.16.0.1", false],
    ["172.31.255.255", false],
    ["192.0.0.1", false],
    ["192.0.0.192", false], // Oracle metadata
    ["192.0.2.1", false],
    ["192.88.99.1", false],
    ["192.168.0.1", false],
    ["192.168.255.255", false],
    ["198.18.0.1", false],
    ["198.19.255.255", false],
    ["198.51.100.7", false],
    ["203.0.113.9", false],
    ["224.0.0.1", false],
    ["239.255.255.250", false],
    ["240.0.0.1", false],
    ["255.255.255.255", false],
    ["168.63.129.16", false], // Azure WireServer
    // IPv4: not strict dotted quads → not addresses → not public
    ["2130706433", false],
    ["0177.0.0.1", false],
    ["0x7f.0.0.1", false],
    ["127.1", false],
    ["08.8.8.8", false],
    ["8.8.8.8.", false],
    [" 8.8.8.8", false],
    ["256.1.1.1", false],
    // IPv6: public
    ["2606:4700:4700::1111", true],
    ["2001:4860:4860::8888", true],
    ["2A00:1450:4001:82B::200E", true], // uppercase
    ["2001:200::1", true], // just past 2001::/23
    ["2002:808:808::1", true], // 6to4 of 8.8.8.8
    ["64:ff9b::808:808", true], // NAT64 of 8.8.8.8
    ["64:ff9b::8.8.8.8", true],
    ["::ffff:8.8.8.8", true], // IPv4-mapped public
    ["::ffff:808:808", true],
    ["3fff:1000::1", true], // just past 3fff::/20
    ["2600:1f18:0:0:0:0:0:1", true], // uncompressed
    // IPv6: refused
    ["::", false],
    ["::1", false],
    ["0:0:0:0:0:0:0:1", false],
    ["0000:0000:0000:0000:0000:0000:0000:0001", false],
    ["::ffff:127.0.0.1", false],
    ["::FFFF:7F00:1", false],
    ["::ffff:10.0.0.1", false],
    ["::ffff:169.254.169.254", false],
    ["::ffff:a9fe:a9fe", false],
    ["0:0:0:0:0:ffff:c0a8:1", false], // ::ffff:192.168.0.1
    ["::127.0.0.1", false], // deprecated IPv4-compatible
    ["::8.8.8.8", false],
    ["::ffff:0:8.8.8.8", false], // SIIT ::ffff:0:0:0/96, not mapped
    ["64:ff9b::7f00:1", false], // NAT64 of 127.0.0.1
    ["64:ff9b::10.0.0.1", false],
    ["64:ff9b:1::808:808", false], // local-use NAT64
    ["2002:7f00:1::", false], // 6to4 of 127.0.0.1
    ["2002:a9fe:a9fe::1", false], // 6to4 of 169.254.169.254
    ["2002:c0a8:101::", false], // 6to4 of 192.168.1.1
    ["fc00::1", false],
    ["fd00::1", false],
    ["fd00:ec2::254", false], // AWS metadata over IPv6
    ["FD12:3456:789A:1::1", false],
    ["fe80::1", false],
    ["FE80::1", false],
    ["febf:ffff::1", false],
    ["fec0::1", false],
    ["ff02::1", false],
    ["ff05::1:3", false],
    ["2001:db8::1", false],
    ["2001:DB8:ffff::1", false],
    ["2001::1", false], // Teredo
    ["2001:1ff::1", false],
    ["3fff::1", false],
    ["100::1", false],
    ["5f00::1", false],
    ["4000::1", false], // unallocated
    ["1::1", false],
    // zone ids and garbage
    ["fe80::1%eth0", false],
    ["2606:4700:4700::1111%eth0", false],
    ["fe80::1%25eth0", false],
    ["[::1]", false],
    ["[2606:4700:4700::1111]", false],
    ["", false],
    ["localhost", false],
    ["example.com", false],
    ["::ffff:999.0.0.1", false],
    ["1:2:3:4:5:6:7:8:9", false],
  ];

  it("has a thorough table", () => {
    expect(cases.length).toBeGreaterThanOrEqual(60);
  });

  it.each(cases)("isPublicAddress(%j) = %s", (ip, expected) => {
    expect(isPublicAddress(ip)).toBe(expected);
  });

  it("knows loopback", () => {
    for (const ip of ["127.0.0.1", "127.9.9.9", "::1", "0:0:0:0:0:0:0:1"]) expect(isLoopbackAddress(ip), ip).toBe(true);
    for (const ip of ["128.0.0.1", "::", "::2", "::ffff:127.0.0.1", "10.0.0.1", "localhost", "fe80::1"])
      expect(isLoopbackAddress(ip), ip).toBe(false);
  });
});

describe("webhookUrlProblem", () => {
  const prod = { allowLoopbackHttp: false };
  const dev = { allowLoopbackHttp: true };

  it("shows what the URL parser does with odd IPv4 and IPv6 spellings (so checks run on the normalised host)", () => {
    expect(new URL("http://2130706433/").hostname).toBe("127.0.0.1");
    expect(new URL("http://0177.0.0.1/").hostname).toBe("127.0.0.1");
    expect(new URL("http://0x7f.1/").hostname).toBe("127.0.0.1");
    expect(new URL("http://127.1/").hostname).toBe("127.0.0.1");
    expect(new URL("http://%31%32%37.0.0.1/").hostname).toBe("127.0.0.1");
    expect(new URL("http://0/").hostname).toBe("0.0.0.0");
    expect(new URL("https://0xa9fea9fe/").hostname).toBe("169.254.169.254");
    expect(new URL("http://[::FFFF:7F00:1]/").hostname).toBe("[::ffff:7f00:1]");
    expect(new URL("http://[0:0:0:0:0:ffff:127.0.0.1]/").hostname).toBe("[::ffff:7f00:1]");
    expect(() => new URL("http://[fe80::1%25eth0]/")).toThrow();
  });

  const table: [string, boolean /* allowLoopbackHttp */, string | null /* expected problem, substring */][] = [
    // fine
    ["https://hooks.example.com/iot-seal", false, null],
    ["https://hooks.example.com:8443/iot-seal?tenant=42", false, null],
    ["https://hooks.example.com./x", false, null],
    ["https://HOOKS.Example.COM/x", false, null],
    ["https://xn--bcher-kva.example/x", false, "local or reserved host"], // .example is reserved
    ["https://bücher.de/hook", false, null],
    ["https://8.8.8.8/hook", false, null],
    ["https://[2606:4700:4700::1111]/hook", false, null],
    ["https://134744072/hook", false, null], // 8.8.8.8 in decimal: normalised, public
    // scheme
    ["http://hooks.example.com/", false, "https://"],
    ["http://hooks.example.com/", true, "https://"],
    ["ftp://hooks.example.com/", false, "https://"],
    ["javascript:alert(1)", false, "https://"],
    ["file:///etc/passwd", false, "https://"],
    ["https:hooks.example.com/x", false, "host name"],
    ["https:///hooks.example.com", false, "host name"],
    // credentials, fragments, junk
    ["https://user:pw@hooks.example.com/", false, "user name or password"],
    ["https://user@hooks.example.com/", false, "user name or password"],
    ["https://@hooks.example.com/", false, "user name or password"],
    ["https://hooks.example.com/#frag", false, "fragment"],
    ["https://hooks.example.com/#", false, "fragment"],
    ["https://hooks.example.com/ x", false, "spaces"],
    [" https://hooks.example.com/", false, "spaces"],
    ["https://hooks.example.com/\tx", false, "control"],
    ["https:\\\\hooks.example.com", false, "backslashes"],
    ["not a url", false, "spaces"],
    ["notaurl", false, "valid URL"],
    ["", false, "Enter"],
    [`https://hooks.example.com/${"a".repeat(MAX_WEBHOOK_URL_LENGTH)}`, false, "2048"],
    // host names
    ["https://intranet/hook", false, "fully qualified"],
    ["https://a..b/hook", false, "not valid"],
    ["https://./hook", false, "not valid"],
    ["https://metadata.google.internal/computeMetadata/v1/", false, "local or reserved"],
    ["https://printer.local/", false, "local or reserved"],
    ["https://router.home.arpa/", false, "local or reserved"],
    ["https://localhost/", false, "local or reserved"],
    ["https://localhost./", false, "local or reserved"],
    ["https://evil.localhost/", false, "local or reserved"],
    // IP literals, incl. spellings the URL parser normalises
    ["https://127.0.0.1/", false, "private, local or reserved address"],
    ["https://2130706433/", false, "private, local or reserved address"],
    ["https://0177.0.0.1/", false, "private, local or reserved address"],
    ["https://0x7f.1/", false, "private, local or reserved address"],
    ["https://127.1/", false, "private, local or reserved address"],
    ["https://%31%32%37.0.0.1/", false, "private, local or reserved address"],
    ["https://0/", false, "private, local or reserved address"],
    ["https://169.254.169.254/latest/meta-data/", false, "private, local or reserved address"],
    ["https://0xa9fea9fe/", false, "private, local or reserved address"],
    ["https://10.1.2.3/", false, "private, local or reserved address"],
    ["https://192.168.1.1:8443/", false, "private, local or reserved address"],
    ["https://[::1]/", false, "private, local or reserved address"],
    ["https://[::]/", false, "private, local or reserved address"],
    ["https://[::ffff:127.0.0.1]/", false, "private, local or reserved address"],
    ["https://[::FFFF:A9FE:A9FE]/", false, "private, local or reserved address"],
    ["https://[fd00:ec2::254]/", false, "private, local or reserved address"],
    ["https://[fe80::1]/", false, "private, local or reserved address"],
    ["https://[fe80::1%25eth0]/", false, "valid URL"],
    // development/test: loopback allowed, nothing else
    ["http://localhost:4000/hook", true, null],
    ["http://127.0.0.1:4000/hook", true, null],
    ["http://[::1]:4000/hook", true, null],
    ["https://localhost:4000/hook", true, null],
    ["http://2130706433:4000/hook", true, null], // = 127.0.0.1
    ["http://localhost:4000/hook", false, "https://"],
    ["http://127.0.0.1:4000/hook", false, "https://"],
    ["http://[::1]:4000/hook", false, "https://"],
    ["http://10.0.0.1/hook", true, "https://"],
    ["https://10.0.0.1/hook", true, "private, local or reserved address"],
    ["https://169.254.169.254/", true, "private, local or reserved address"],
    ["http://evil.localhost:4000/hook", true, "https://"],
    ["http://user:pw@localhost:4000/hook", true, "user name or password"],
  ];

  it.each(table)("webhookUrlProblem(%j, loopback=%s) ~ %j", (url, allowLoopbackHttp, expected) => {
    const problem = webhookUrlProblem(url, { allowLoopbackHttp });
    if (expected === null) expect(problem).toBeNull();
    else expect(problem).toContain(expected);
  });

  it("accepts URLs up to 2048 characters", () => {
    const base = "https://hooks.example.com/";
    expect(webhookUrlProblem(base + "a".repeat(MAX_WEBHOOK_URL_LENGTH - base.length), prod)).toBeNull();
    expect(webhookUrlProblem(base + "a".repeat(MAX_WEBHOOK_URL_LENGTH - base.length + 1), prod)).toContain("2048");
    expect(webhookUrlProblem("http://localhost/", dev)).toBeNull();
  });
});
