// CSAF 2.0 validation for the tests: the schema test and every mandatory test of
// @secvisogram/csaf-validator-lib (the BSI's validator), and the provider metadata schema.
import fs from "node:fs";
import path from "node:path";
import validateStrict from "@secvisogram/csaf-validator-lib/validateStrict.js";
import { csaf_2_0 } from "@secvisogram/csaf-validator-lib/schemaTests.js";
import * as mandatory from "@secvisogram/csaf-validator-lib/mandatoryTests.js";
import * as optional from "@secvisogram/csaf-validator-lib/optionalTests.js";
import csafAjv from "@secvisogram/csaf-validator-lib/lib/shared/csafAjv.js";

/** The failed tests of a document (empty: it passes the schema and all mandatory tests), as readable lines. */
export async function csafProblems(doc: unknown): Promise<string[]> {
  const result = await validateStrict([csaf_2_0, ...Object.values(mandatory)], doc);
  return result.tests
    .filter((t) => !t.isValid)
    .flatMap((t) => t.errors.map((e) => `${t.name} ${e.instancePath}: ${e.message}`));
}

/** The names of the optional tests (CSAF 2.0 6.2) that warn or fail on a document. */
export async function csafOptionalFindings(doc: unknown): Promise<string[]> {
  const result = await validateStrict(Object.values(optional), doc);
  return result.tests
    .filter((t) => !t.isValid || ((t as { warnings?: unknown[] }).warnings ?? []).length > 0)
    .map((t) => t.name);
}

/** The number of mandatory tests run (the lib's whole 6.1 set). */
export const MANDATORY_TEST_COUNT = Object.keys(mandatory).length;

let providerValidator: ReturnType<typeof csafAjv.compile> | undefined;

/** The problems of a provider-metadata.json against the CSAF 2.0 provider metadata schema (empty: valid). */
export function providerMetadataProblems(metadata: unknown): string[] {
  // The CSAF document schema (which the provider schema's publisher refers to) is already in the
  // lib's Ajv instance: the lib's schema test compiled it.
  providerValidator ??= csafAjv.compile(
    JSON.parse(fs.readFileSync(path.resolve("tests/fixtures/csaf/provider_json_schema.json"), "utf8")),
  );
  return providerValidator(metadata)
    ? []
    : (providerValidator.errors ?? []).map((e) => `${e.instancePath}: ${e.message ?? "invalid"}`);
}
