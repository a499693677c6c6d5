// The README's configuration table names every environment variable the portal reads: each key of
// the env schema (app/platform/env.ts), and the ones read outside it (LITESTREAM_BIN). A variable
// added without its row is a setting operators cannot find.
import fs from "node:fs";
import path from "node:path";
import type { ZodObject } from "zod";
import { describe, expect, it } from "vitest";
import { envSchema } from "../../../app/platform/env";

const README = fs.readFileSync(path.resolve(__dirname, "../../../README.md"), "utf8");
/** Read by the portal, not through the env schema. */
const OUTSIDE_THE_SCHEMA = ["LITESTREAM_BIN"];

/** The variables the table's rows name: the backquoted names in each row's first cell. */
function tableVariables(): Set<string> {
  const start = README.indexOf("| variable | default | meaning |");
  expect(start, "the README's configuration table").toBeGreaterThan(-1);
  const rows = README.slice(start).split("\n").slice(2);
  const names = new Set<string>();
  for (const row of rows) {
    if (!row.startsWith("|")) break;
    for (const m of row.split("|")[1].matchAll(/`([A-Z][A-Z0-9_]+)`/g)) names.add(m[1]);
  }
  return names;
}

describe("README configuration table", () => {
  it("has a row for every variable the portal reads", () => {
    const schema = (envSchema as unknown as { in: ZodObject }).in;
    const read = [...Object.keys(schema.shape), ...OUTSIDE_THE_SCHEMA];
    expect(read.length).toBeGreaterThan(25);
    const rows = tableVariables();
    expect(read.filter((v) => !rows.has(v))).toEqual([]);
  });
});
