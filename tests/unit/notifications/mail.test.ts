// The pure rules of notification mail: the retry schedule, the bodies (escaped HTML, the link to
// act on), the deterministic Message-ID, the digest's day and hour, the mail routing of a
// preference, and the SMTP_URL / MAIL_FROM variables of the environment schema.
import { describe, expect, it } from "vitest";
import {
  afterAttempt,
  MAIL_BACKOFF_MINUTES,
  MAIL_MAX_ATTEMPTS,
  mailRetryDelayMs,
  retrySchedule,
} from "../../../app/features/notifications/domain/backoff";
import {
  defaultEmailPreference,
  mailRouting,
  NOTIFICATION_CATEGORIES,
} from "../../../app/features/notifications/domain/categories";
import {
  digestTime,
  escapeHtml,
  fromDomain,
  isPortalPath,
  messageIdFor,
  oneLine,
  renderDigestMail,
  renderNotificationMail,
  utcDay,
} from "../../../app/features/notifications/domain/mail-body";
import { parseEnv } from "../../../app/platform/env";

describe("the retry schedule", () => {
  it("waits 1, 5, 15, 60 and then 240 minutes, for at most 8 attempts", () => {
    expect(MAIL_BACKOFF_MINUTES).toEqual([1, 5, 15, 60, 240]);
    expect(MAIL_MAX_ATTEMPTS).toBe(8);
    expect(retrySchedule()).toEqual([1, 5, 15, 60, 240, 240, 240]);
    expect(mailRetryDelayMs(1)).toBe(60_000);
    expect(mailRetryDelayMs(0)).toBe(60_000); // never shorter than the first wait
    expect(mailRetryDelayMs(99)).toBe(240 * 60_000);
  });

  it("says sent, pending (with the next time) or failed after an attempt", () => {
    const now = 1_800_000_000_000;
    expect(afterAttempt(1, true, now)).toEqual({ status: "sent" });
    expect(afterAttempt(1, false, now)).toEqual({ status: "pending", nextAttemptAt: now + 60_000 });
    expect(afterAttempt(3, false, now)).toEqual({ status: "pending", nextAttemptAt: now + 15 * 60_000 });
    expect(afterAttempt(7, false, now)).toEqual({ status: "pending", nextAttemptAt: now + 240 * 60_000 });
    expect(afterAttempt(8, false, now)).toEqual({ status: "failed" });
    expect(afterAttempt(8, true, now)).toEqual({ status: "sent" }); // the last attempt may still succeed
  });
});

describe("the bodies", () => {
  const input = {
    recipientName: "Grace <Admin>",
    title: "High report on Gator Kids Watch 3:\r\nBcc: someone@evil.example",
    body: 'Its disclosure deadline is 2026-12-13 & "close".\n\nAnswer it <b>now</b>.',
    url: "https://seal.example.com/findings/f1?x=1&y=<2>",
    settingsUrl: "https://seal.example.com/notifications/settings",
  };

  it("puts the title on one line as the subject (no header can be smuggled in)", () => {
    const mail = renderNotificationMail(input);
    expect(mail.subject).toBe("High report on Gator Kids Watch 3: Bcc: someone@evil.example");
    expect(mail.subject).not.toMatch(/[\r\n]/);
    expect(oneLine("x".repeat(300)).length).toBe(200);
  });

  it("writes the plain text with the body's paragraphs and the link to act on", () => {
    const { text } = renderNotificationMail(input);
    expect(text).toContain("Hello Grace <Admin>,");
    expect(text).toContain('Its disclosure deadline is 2026-12-13 & "close".');
    expect(text).toContain("Answer it <b>now</b>.");
    expect(text).toContain("Open it in IoT Seal: https://seal.example.com/findings/f1?x=1&y=<2>");
    expect(text).toContain("https://seal.example.com/notifications/settings");
  });

  it("escapes everything in the HTML and links a button to the page", () => {
    const { html } = renderNotificationMail(input);
    expect(html).not.toContain("<b>now</b>");
    expect(html).toContain("Answer it &lt;b&gt;now&lt;/b&gt;.");
    expect(html).toContain("Hello Grace &lt;Admin&gt;,");
    expect(html).toContain("&amp; &quot;close&quot;");
    expect(html).toContain('href="https://seal.example.com/findings/f1?x=1&amp;y=&lt;2&gt;"');
    expect(html).toContain(">Open in IoT Seal</a>");
    expect(escapeHtml(`<a href='x'>&</a>`)).toBe("&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;");
  });

  it("combines a digest's notifications in one mail, each with its link", () => {
    const mail = renderDigestMail({
      recipientName: "Buyer",
      day: "2026-12-03",
      items: [
        { title: "Seal IOTS-1 suspended", body: "Under review.", url: "https://x/s/IOTS-1" },
        { title: "Policy <met>", body: "Children's wearables.", url: "https://x/retailer/watchlist" },
      ],
      notificationsUrl: "https://x/notifications",
      settingsUrl: "https://x/notifications/settings",
    });
    expect(mail.subject).toBe("IoT Seal daily digest for 2026-12-03: 2 notifications");
    expect(mail.text).toContain("1. Seal IOTS-1 suspended");
    expect(mail.text).toContain("   https://x/s/IOTS-1");
    expect(mail.text).toContain("2. Policy <met>");
    expect(mail.html).toContain("Policy &lt;met&gt;");
    expect(mail.html).toContain('href="https://x/retailer/watchlist"');
  });

  it("accepts only paths of the portal as links", () => {
    expect(isPortalPath("/supplier/submissions/abc/requirements/5.1-1")).toBe(true);
    expect(isPortalPath("/notifications?page=2")).toBe(true);
    for (const bad of ["//evil.example/x", "/\\evil.example", "https://evil.example", "", "relative", "/a b"])
      expect(isPortalPath(bad), bad).toBe(false);
  });
});

describe("the Message-ID", () => {
  it("is the same for one event and recipient, whatever the case of the address, and differs otherwise", () => {
    const a = messageIdFor("report.deadline.7d:f1", "Grace@Demo.test", "iotseal.local");
    expect(a).toMatch(/^<[0-9a-f]{40}@iotseal\.local>$/);
    expect(messageIdFor("report.deadline.7d:f1", "grace@demo.test", "iotseal.local")).toBe(a);
    expect(messageIdFor("report.deadline.1d:f1", "grace@demo.test", "iotseal.local")).not.toBe(a);
    expect(messageIdFor("report.deadline.7d:f1", "sam@demo.test", "iotseal.local")).not.toBe(a);
  });

  it("takes its domain from MAIL_FROM", () => {
    expect(fromDomain("IoT Seal <no-reply@Seal.Example.com>")).toBe("seal.example.com");
    expect(fromDomain("alerts@iotseal.org")).toBe("iotseal.org");
    expect(fromDomain("nonsense")).toBe("iotseal.local");
  });
});

describe("the digest's day", () => {
  it("is the UTC day, and digests go from 07:00 UTC on", () => {
    expect(utcDay(Date.UTC(2026, 11, 3, 23, 59))).toBe("2026-12-03");
    expect(digestTime(Date.UTC(2026, 11, 3, 6, 59))).toBe(false);
    expect(digestTime(Date.UTC(2026, 11, 3, 7, 0))).toBe(true);
  });
});

describe("preferences", () => {
  it("default to mail at once, watch events to the daily digest", () => {
    for (const c of NOTIFICATION_CATEGORIES)
      expect(defaultEmailPreference(c)).toBe(c === "watch" ? "digest" : "instant");
  });

  it("route a notification's mail: urgent beats the digest, never 'off'", () => {
    expect(mailRouting("instant", false)).toBe("instant");
    expect(mailRouting("digest", false)).toBe("digest");
    expect(mailRouting("digest", true)).toBe("instant");
    expect(mailRouting("off", true)).toBe("none");
  });
});

describe("SMTP_URL and MAIL_FROM", () => {
  it("accept smtp:// and smtps:// URLs and a From address, with a default From", () => {
    const site = { PUBLIC_URL: "https://seal.example.com" }; // required with SMTP_URL in production
    const plain = parseEnv({ ...site, SMTP_URL: "smtp://user:pa%40ss@mail.example.com:587" });
    expect(plain.ok && plain.env.smtpUrl).toBe("smtp://user:pa%40ss@mail.example.com:587");
    expect(plain.ok && plain.env.mailFrom).toBe("IoT Seal <no-reply@iotseal.local>");
    const tls = parseEnv({ ...site, SMTP_URL: "smtps://mail.example.com", MAIL_FROM: "alerts@example.com" });
    expect(tls.ok && tls.env.mailFrom).toBe("alerts@example.com");
    const unset = parseEnv({});
    expect(unset.ok && unset.env.smtpUrl).toBeUndefined();
  });

  it("refuse another scheme or a From that is not an address, naming the variable", () => {
    const bad = parseEnv({ SMTP_URL: "http://mail.example.com", MAIL_FROM: "IoT Seal" });
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.errors.join("\n")).toMatch(/^SMTP_URL: must be an smtp:\/\/ or smtps:\/\/ URL/m);
      expect(bad.errors.join("\n")).toMatch(/^MAIL_FROM: must be an address/m);
    }
  });
});
