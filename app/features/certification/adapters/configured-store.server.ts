/**
 * The evidence store EVIDENCE_STORE names: the local disk (`file`, the default) or a bucket on an
 * S3-compatible store (`s3://bucket/prefix`, with S3_ENDPOINT, S3_REGION, S3_FORCE_PATH_STYLE and
 * the AWS credential variables). One instance per configuration, shared by the whole process.
 */
import type { RuntimeEnv } from "../../../platform/env.server";
import { evidenceStore, type LocalEvidenceStore } from "./evidence-store.server";
import { createS3Client, S3EvidenceStore } from "./s3-evidence-store.server";

export type ConfiguredEvidenceStore = LocalEvidenceStore | S3EvidenceStore;

let remote: { key: string; value: S3EvidenceStore } | undefined;

export function configuredEvidenceStore(
  env: Pick<RuntimeEnv, "dataDir" | "evidenceStore" | "s3">,
): ConfiguredEvidenceStore {
  const local = evidenceStore(env.dataDir);
  const target = env.evidenceStore;
  if (target.kind === "file") return local;
  const key = JSON.stringify([env.dataDir, target, env.s3]);
  if (!remote || remote.key !== key)
    remote = { key, value: new S3EvidenceStore(createS3Client(env.s3), target, local) };
  return remote.value;
}
