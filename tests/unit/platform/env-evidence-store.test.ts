// EVIDENCE_STORE and the S3_* variables (decision 027): the local store by default, a bucket and a
// prefix from s3://, and one message per bad variable, naming it.
import { describe, expect, it } from "vitest";
import { parseEnv } from "../../../app/platform/env";

describe("EVIDENCE_STORE and S3_*", () => {
  it("keeps evidence on the local disk when unset, empty or file", () => {
    for (const raw of [{}, { EVIDENCE_STORE: "" }, { EVIDENCE_STORE: "file" }]) {
      const r = parseEnv(raw);
      expect(r.ok && r.env.evidenceStore).toEqual({ kind: "file" });
      expect(r.ok && r.env.s3).toEqual({ endpoint: undefined, region: "us-east-1", forcePathStyle: false });
    }
  });

  it("reads a bucket and a key prefix, and how to reach the store", () => {
    const r = parseEnv({
      EVIDENCE_STORE: "s3://iot-seal-evidence/prod/evidence/",
      S3_ENDPOINT: "http://127.0.0.1:9000",
      S3_REGION: "eu-west-2",
      S3_FORCE_PATH_STYLE: "true",
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.env.evidenceStore).toEqual({ kind: "s3", bucket: "iot-seal-evidence", prefix: "prod/evidence" });
    expect(r.env.s3).toEqual({ endpoint: "http://127.0.0.1:9000", region: "eu-west-2", forcePathStyle: true });
  });

  it("names each bad variable with what was expected", () => {
    const r = parseEnv({
      EVIDENCE_STORE: "/var/evidence",
      S3_ENDPOINT: "minio:9000",
      S3_REGION: "EU West",
      S3_FORCE_PATH_STYLE: "perhaps",
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual([
      "EVIDENCE_STORE: must be file or s3://<bucket>/<prefix>",
      expect.stringMatching(/^S3_ENDPOINT: must be an http\(s\) URL/),
      "S3_REGION: must be a region name such as eu-west-2",
      "S3_FORCE_PATH_STYLE: must be true or false",
    ]);
    for (const [value, problem] of [
      ["s3://Bad_Bucket/x", /^EVIDENCE_STORE: "Bad_Bucket" is not an S3 bucket name/],
      ["s3://bucket", /^EVIDENCE_STORE: give a key prefix inside the bucket/],
      ["s3://key:secret@bucket/x", /^EVIDENCE_STORE: credentials go in AWS_ACCESS_KEY_ID/],
      ["file:///srv/evidence", /^EVIDENCE_STORE: must be file or s3:/],
    ] as const) {
      const bad = parseEnv({ EVIDENCE_STORE: value });
      expect(bad.ok ? [] : bad.errors, value).toEqual([expect.stringMatching(problem)]);
    }
  });
});
