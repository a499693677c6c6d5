import { describe, expect, it } from "vitest";
import { demoModeProblem, parseEnv } from "../../../app/platform/env";

/** What a real certification body's production environment names (besides its session secret). */
const realBody = {
  NODE_ENV: "production",
  DEMO_MODE: "false",
  PUBLIC_URL: "https://seal.example.com",
  SECURITY_CONTACT: "mailto:psirt@example.com",
};

describe("environment parsing", () => {
  it("has defaults that run a demo on a fresh machine", () => {
    const r = parseEnv({});
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.env).toMatchObject({
      port: 3000,
      dataDir: "./data",
      demoMode: true,
      baseUrl: "http://localhost:3000",
      cookieSecure: false,
      rateLimitPerMinute: 10,
    });
    expect(r.env.sessionTtlMs).toBe(12 * 3600_000);
  });

  it("derives the base URL from PORT and marks cookies Secure behind https", () => {
    const a = parseEnv({ PORT: "8080" });
    expect(a.ok && a.env.baseUrl).toBe("http://localhost:8080");
    const b = parseEnv({ PUBLIC_URL: "https://seal.example.com/" });
    expect(b.ok && b.env.baseUrl).toBe("https://seal.example.com");
    expect(b.ok && b.env.cookieSecure).toBe(true);
  });

  it("names every bad variable at once, with what was expected", () => {
    const r = parseEnv({
      PORT: "eighty",
      PUBLIC_URL: "ftp://x",
      SESSION_SECRET: "short",
      DEMO_MODE: "maybe",
      NODE_ENV: "staging",
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const text = r.errors.join("\n");
    expect(text).toMatch(/^PORT: PORT must be a whole number$/m);
    expect(text).toMatch(/^PUBLIC_URL: must be an http\(s\) URL/m);
    expect(text).toMatch(/^SESSION_SECRET: must be at least 32 characters$/m);
    expect(text).toMatch(/^DEMO_MODE: must be true or false$/m);
    expect(text).toMatch(/^NODE_ENV: must be development, production or test$/m);
    expect(r.errors).toHaveLength(5);
  });

  it("refuses an out-of-range port", () => {
    const r = parseEnv({ PORT: "70000" });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors).toEqual(["PORT: PORT must be at most 65535"]);
  });

  it("bounds every number, naming the variable (a session of 9999999999999 hours made every login fail)", () => {
    const errors = (raw: Record<string, string>) => {
      const r = parseEnv(raw);
      return r.ok ? [] : r.errors;
    };
    expect(errors({ SESSION_TTL_HOURS: "9999999999999" })).toEqual([
      "SESSION_TTL_HOURS: SESSION_TTL_HOURS must be at most 8760 (a year)",
    ]);
    // beyond exact arithmetic: still the one line
    expect(errors({ SESSION_TTL_HOURS: "99999999999999999999" })).toEqual([
      "SESSION_TTL_HOURS: SESSION_TTL_HOURS must be at most 8760 (a year)",
    ]);
    expect(parseEnv({ SESSION_TTL_HOURS: "8760" })).toMatchObject({ ok: true, env: { sessionTtlMs: 8760 * 3600_000 } });
    const huge = "9".repeat(25);
    for (const name of [
      "RATE_LIMIT_PER_MINUTE",
      "PUBLIC_API_PER_MINUTE",
      "PUBLIC_PAGE_PER_MINUTE",
      "BULK_ROWS_PER_HOUR",
      "EVIDENCE_MAX_FILE_MB",
      "EVIDENCE_MAX_FILES_PER_SUBMISSION",
      "EVIDENCE_QUOTA_MB_PER_ORG",
      "EVIDENCE_RESUMABLE_THRESHOLD_MB",
      "WEB_CONCURRENCY",
      "KEY_ROTATION_DAYS",
    ]) {
      const e = errors({ [name]: huge });
      expect(e).toHaveLength(1);
      expect(e[0]).toMatch(new RegExp(`^${name}: ${name} must be at most \\d+`));
    }
    // the benchmarks' generous limits still pass
    expect(parseEnv({ PUBLIC_API_PER_MINUTE: "100000000", BULK_ROWS_PER_HOUR: "1000000000" }).ok).toBe(true);
  });

  it("a public PUBLIC_URL with DEMO_MODE unset is a deployment that forgot it: the server is refused", () => {
    const problem = (raw: Record<string, string>) => {
      const r = parseEnv(raw);
      if (!r.ok) throw new Error(r.errors.join("; "));
      return demoModeProblem(r.env);
    };
    expect(problem({ PUBLIC_URL: "https://seal.example.com" })).toBe(
      "DEMO_MODE: must be set when PUBLIC_URL (https://seal.example.com) is not this machine: set DEMO_MODE=false for a real deployment, or DEMO_MODE=true to seed demo accounts with the published password",
    );
    expect(problem({ NODE_ENV: "development", PUBLIC_URL: "http://192.0.2.10:3000" })).toMatch(/^DEMO_MODE: /);
    // said either way, or this machine's own address, or no PUBLIC_URL at all: fine
    expect(problem({ PUBLIC_URL: "https://seal.example.com", DEMO_MODE: "true" })).toBeUndefined();
    expect(problem({ ...realBody, SESSION_SECRET: "x".repeat(32) })).toBeUndefined();
    for (const url of ["http://localhost:3000", "http://127.0.0.1:4000", "http://[::1]:3000", "http://seal.localhost"])
      expect(problem({ PUBLIC_URL: url })).toBeUndefined();
    expect(problem({})).toBeUndefined();
  });

  it("takes the password hash cost (log2 of scrypt's N) from 10 to 18, and at least 15 in production", () => {
    const errors = (env: Record<string, string>) => {
      const r = parseEnv(env);
      return r.ok ? [] : r.errors;
    };
    const cost = (env: Record<string, string>) => {
      const r = parseEnv(env);
      return r.ok ? r.env.passwordHashCost : undefined;
    };
    expect(cost({})).toBe(15);
    expect(cost({ PASSWORD_HASH_COST: "17" })).toBe(17);
    expect(cost({ NODE_ENV: "test", PASSWORD_HASH_COST: "10" })).toBe(10);
    expect(errors({ PASSWORD_HASH_COST: "19" })).toEqual([
      "PASSWORD_HASH_COST: PASSWORD_HASH_COST must be at most 18 (256 MiB a hash)",
    ]);
    expect(errors({ NODE_ENV: "test", PASSWORD_HASH_COST: "9" })).toEqual([
      "PASSWORD_HASH_COST: PASSWORD_HASH_COST must be at least 10",
    ]);
    expect(errors({ PASSWORD_HASH_COST: "12" })).toEqual([
      "PASSWORD_HASH_COST: must be at least 15 when NODE_ENV=production: cheaper hashes are for the tests, and a stolen database's passwords would be guessed 8 times faster",
    ]);
  });

  it("requires a session secret in production when the demo is off", () => {
    const r = parseEnv({ NODE_ENV: "production", DEMO_MODE: "false" });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]).toMatch(/^SESSION_SECRET: is required in production/);
    expect(parseEnv({ ...realBody, SESSION_SECRET: "x".repeat(32) }).ok).toBe(true);
  });

  it("a real certification body (production, demo off) must give its public address and security contact", () => {
    const base = { NODE_ENV: "production", DEMO_MODE: "false", SESSION_SECRET: "x".repeat(32) };
    const errors = (env: Record<string, string>) => {
      const r = parseEnv(env);
      return r.ok ? [] : r.errors;
    };
    expect(errors(base)).toEqual([
      "PUBLIC_URL: is required in production when DEMO_MODE=false: seals, status lists, CSAF documents and QR codes carry it, and without it they would name http://localhost:3000",
      "SECURITY_CONTACT: is required in production when DEMO_MODE=false: security.txt and every CSAF document name it, and mailto:security@iotseal.local is the demo's placeholder (give a mailto:, https: or tel: URI that reaches you)",
    ]);
    // The placeholder given by hand is still the placeholder.
    expect(
      errors({ ...realBody, SESSION_SECRET: "x".repeat(32), SECURITY_CONTACT: "mailto:security@iotseal.local" }),
    ).toEqual([expect.stringMatching(/^SECURITY_CONTACT: is required in production/)]);
    const ok = parseEnv({ ...realBody, SESSION_SECRET: "x".repeat(32) });
    expect(ok.ok && [ok.env.baseUrl, ok.env.securityContact]).toEqual([
      "https://seal.example.com",
      "mailto:psirt@example.com",
    ]);
    // The demo (the quick start runs production in demo mode) and development keep the defaults.
    expect(parseEnv({ NODE_ENV: "production" }).ok).toBe(true);
    expect(parseEnv({ NODE_ENV: "development", DEMO_MODE: "false" }).ok).toBe(true);
  });

  it("requires PUBLIC_URL in production when mail is sent: its links would point at localhost", () => {
    const prod = { NODE_ENV: "production", SMTP_URL: "smtp://mail.example.com:587" };
    const r = parseEnv(prod);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]).toMatch(/^PUBLIC_URL: is required in production when SMTP_URL is set/);
    expect(parseEnv({ ...prod, PUBLIC_URL: "https://seal.example.com" }).ok).toBe(true);
    expect(parseEnv({ NODE_ENV: "production" }).ok).toBe(true); // no mail sent: the demo's kept mail is fine
    expect(parseEnv({ NODE_ENV: "test", SMTP_URL: "smtp://127.0.0.1:2525" }).ok).toBe(true);
  });

  it("TRUST_PROXY is a number of proxy hops: true is one, false none", () => {
    const hops = (v?: string) => {
      const r = parseEnv(v === undefined ? {} : { TRUST_PROXY: v });
      return r.ok ? r.env.trustProxy : r.errors[0];
    };
    expect([hops(), hops("false"), hops("true"), hops("2")]).toEqual([0, 0, 1, 2]);
    expect(hops("sometimes")).toMatch(/^TRUST_PROXY: must be true, false or the number of proxies/);
  });

  it("issue 13.10: WEBHOOKS_ALLOW_LOOPBACK is refused in production", () => {
    const prod = { ...realBody, SESSION_SECRET: "x".repeat(32) };
    for (const value of ["true", "1", "yes"]) {
      const r = parseEnv({ ...prod, WEBHOOKS_ALLOW_LOOPBACK: value });
      expect(r.ok).toBe(false);
      if (!r.ok)
        expect(r.errors).toEqual([
          "WEBHOOKS_ALLOW_LOOPBACK: is refused when NODE_ENV=production: webhooks go only to public https addresses there (loopback http is for development and tests); unset it",
        ]);
    }
    // The default (NODE_ENV defaults to production): refused too.
    expect(parseEnv({ WEBHOOKS_ALLOW_LOOPBACK: "true" }).ok).toBe(false);
    // Unset or false in production: no loopback webhooks.
    for (const env of [prod, { ...prod, WEBHOOKS_ALLOW_LOOPBACK: "false" }]) {
      const r = parseEnv(env);
      expect(r.ok && r.env.webhooksAllowLoopback).toBe(false);
    }
    // Outside production: on by default (the e2e receiver), and it can be turned off.
    const dev = parseEnv({ NODE_ENV: "development" });
    expect(dev.ok && dev.env.webhooksAllowLoopback).toBe(true);
    const devOff = parseEnv({ NODE_ENV: "test", WEBHOOKS_ALLOW_LOOPBACK: "false" });
    expect(devOff.ok && devOff.env.webhooksAllowLoopback).toBe(false);
    expect(parseEnv({ NODE_ENV: "test", WEBHOOKS_ALLOW_LOOPBACK: "maybe" })).toEqual({
      ok: false,
      errors: ["WEBHOOKS_ALLOW_LOOPBACK: must be true or false"],
    });
  });

  it("treats an empty variable as unset", () => {
    const r = parseEnv({ PORT: "", DATA_DIR: "" });
    expect(r.ok && r.env.port).toBe(3000);
    expect(r.ok && r.env.dataDir).toBe("./data");
  });
});
