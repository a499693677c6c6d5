/**
 * A session's device as its owner recognises it ("Firefox on Windows", "Safari on iPhone") from the
 * User-Agent header the login came with. Only for telling one's own sessions apart: the header is
 * the client's to write, so nothing is decided by it.
 */

/** Most specific first: Edge and Opera also say Chrome; Chrome also says Safari. */
const BROWSERS: [RegExp, string][] = [
  [/\bEdg(?:e|A|iOS)?\//, "Edge"],
  [/\b(?:OPR|Opera)\//, "Opera"],
  [/\bSamsungBrowser\//, "Samsung Internet"],
  [/\b(?:Firefox|FxiOS)\//, "Firefox"],
  [/\b(?:HeadlessChrome|Chrome|Chromium|CriOS)\//, "Chrome"],
  [/\bVersion\/[\d.]+.*\bSafari\//, "Safari"],
  [/^curl\//, "curl"],
  [/^(?:python-requests|python-urllib|aiohttp)\b/i, "a Python program"],
  [/^(?:node-fetch|undici|axios)\b/i, "a Node.js program"],
];

/** Most specific first: an iPhone's and Android's headers also name Mac OS X and Linux. */
const SYSTEMS: [RegExp, string][] = [
  [/\biPhone\b/, "iPhone"],
  [/\biPad\b/, "iPad"],
  [/\bAndroid\b/, "Android"],
  [/\bCrOS\b/, "ChromeOS"],
  [/\bWindows\b/, "Windows"],
  [/\bMac OS X\b|\bMacintosh\b/, "macOS"],
  [/\bLinux\b/, "Linux"],
];

export function describeUserAgent(userAgent: string | null | undefined): string {
  const ua = (userAgent ?? "").trim();
  if (!ua) return "An unnamed browser";
  const browser = BROWSERS.find(([re]) => re.test(ua))?.[1];
  const system = SYSTEMS.find(([re]) => re.test(ua))?.[1];
  if (browser && system) return `${browser} on ${system}`;
  if (browser) return browser.startsWith("a ") ? `A${browser.slice(1)}` : browser; // "curl", "A Python program"
  if (system) return `A browser on ${system}`;
  return "Another browser or program";
}
