// One reading of a row for the bulk check and "Watch from a CSV" (whose form says its file is the
// same as a bulk check's): a serial shaped like one wins, a GTIN that is not valid beside it is
// said (not a refusal of the row), a valid GTIN of another product beside it is said, a placeholder
// serial beside a valid GTIN uses the GTIN. Against a real database (the demo seed).
import { beforeAll, describe, expect, it } from "vitest";
import { seedDemoData } from "../../support/demo-seed";
import { demoSealSerials } from "../../../app/demo/seed-seals.server";
import { signUpConfirmed } from "../../support/signup";
import { checkBulkRows, parseBulkCsv } from "../../../app/features/retail/bulk-csv.server";
import { watchFromCsv, watchlistView } from "../../../app/features/retail/watchlist.server";
import { actorByEmail } from "../../support/actors";

const WATCH3 = "5060123450002";
const SPEAKER = "5060987650037";
let speaker: string;
let n = 0;
/** A retail organisation of its own (nothing watched yet). */
async function shop() {
  const email = `one-rule-${++n}@files.test`;
  await signUpConfirmed(
    { kind: "retailer", organizationName: `One Rule ${n} Ltd`, name: "Ola", email, password: "a long enough password" },
    { ip: "192.0.2.93" },
  );
  return actorByEmail(email);
}

beforeAll(async () => {
  await seedDemoData();
  speaker = demoSealSerials()["Brightnest Smart Speaker 1.0.3"];
}, 120_000);

async function bulk(text: string) {
  const parsed = parseBulkCsv(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return checkBulkRows(parsed.value);
}

describe("the same CSV, checked and watched", () => {
  it("an invalid GTIN beside a serial: both use the serial and say the GTIN is not valid", async () => {
    const text = `gtin,serial,label\nn/a,${speaker},row-a\n`;
    const [checked] = await bulk(text);
    expect(checked).toMatchObject({ by: "serial", serial: speaker, status: "valid" });
    expect(checked.note).toMatch(/^The row's GTIN was not compared with the seal\. Not a valid GTIN: /);

    const who = await shop();
    const result = watchFromCsv(who, text);
    expect(result).toMatchObject({ added: 1, invalid: [], unknown: [] });
    expect(result.problems).toEqual([{ line: 2, message: checked.note }]);
    expect((await watchlistView(who)).rows.map((r) => [r.name, r.label, r.gtin])).toEqual([
      ["Brightnest Smart Speaker", "row-a", null],
    ]);
  });

  it("another product's GTIN beside a serial: both use the serial's seal and say the GTIN is not its product", async () => {
    const text = `gtin,serial,label\n${WATCH3},${speaker},row-b\n`;
    const [checked] = await bulk(text);
    expect(checked).toMatchObject({ by: "serial", serial: speaker });
    expect(checked.note).toBe("The row's GTIN 05060123450002 is not this seal's product (its GTIN is 05060987650037).");

    const who = await shop();
    const result = watchFromCsv(who, text);
    expect(result).toMatchObject({ added: 1, invalid: [], unknown: [] });
    expect(result.problems).toEqual([{ line: 2, message: `${checked.note} The serial's product is watched.` }]);
    // The speaker (the seal's product), not the watch the GTIN names.
    expect((await watchlistView(who)).rows.map((r) => [r.name, r.gtin])).toEqual([["Brightnest Smart Speaker", null]]);
  });

  it("the seal's own GTIN beside its serial: watched by the GTIN, without a note", async () => {
    const who = await shop();
    const result = watchFromCsv(who, `gtin,serial,label\n${SPEAKER},${speaker},row-c\n`);
    expect(result).toMatchObject({ added: 1, problems: [] });
    expect((await watchlistView(who)).rows.map((r) => [r.name, r.gtin])).toEqual([
      ["Brightnest Smart Speaker", "05060987650037"],
    ]);
  });

  it("a placeholder serial beside a valid GTIN: both use the GTIN and say so", async () => {
    const text = `gtin,serial,label\n${WATCH3},n/a,row-d\n`;
    const [checked] = await bulk(text);
    expect(checked).toMatchObject({ by: "gtin", note: '"n/a" is not a seal serial: checked by the GTIN.' });

    const who = await shop();
    const result = watchFromCsv(who, text);
    expect(result).toMatchObject({ added: 1, invalid: [], unknown: [] });
    expect(result.problems).toEqual([{ line: 2, message: '"n/a" is not a seal serial: watched by the GTIN.' }]);
    expect((await watchlistView(who)).rows.map((r) => [r.name, r.gtin])).toEqual([
      ["Gator Kids Watch 3", "05060123450002"],
    ]);
  });
});

describe("a first line of 100,000 cells without a key column", () => {
  const text = `${Array.from({ length: 100_000 }, (_, i) => `c${i}`).join(",")}\na\n`;

  it("is refused by both with a short message naming 10 cells and how many more", async () => {
    const parsed = parseBulkCsv(text);
    expect(parsed.ok).toBe(false);
    const message = !parsed.ok ? parsed.message : "";
    expect(message).toMatch(/found: "c0", "c1", .*"c9" and 99,990 more\)\.$/);
    expect(message.length).toBeLessThan(300);
    expect(() => watchFromCsv(actorByEmail("buyer@demo.test"), text)).toThrow(message);
  });

  it("a row with neither a serial nor a GTIN: the check answers it, and watching reports it by its line", async () => {
    const text = `label,serial,gtin\nthis;is;garbage;;;\nrow-e,,${WATCH3}\n`;
    const [empty] = await bulk(text);
    expect(empty).toMatchObject({ line: 2, status: "not_found" });

    const who = await shop();
    const result = watchFromCsv(who, text);
    expect(result).toMatchObject({ added: 1, invalid: [], unknown: [] });
    expect(result.empty).toEqual([{ line: 2, message: "No serial or GTIN in this row." }]);
  });
});
