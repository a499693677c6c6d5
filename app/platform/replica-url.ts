/**
 * DB_REPLICA: where Litestream replicates the SQLite file (decision 029). Pure, so that the env
 * schema, the restore command and the tests share one rule.
 *   file:///abs/path   a directory (another disk, an NFS mount): the replica's generations go in it
 *   s3://bucket/path   an S3 bucket and a key prefix (S3_ENDPOINT, S3_REGION, S3_FORCE_PATH_STYLE
 *                      and the AWS_* credential variables say how to reach it)
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";

export type ReplicaTarget =
  { kind: "file"; url: string; dir: string } | { kind: "s3"; url: string; bucket: string; prefix: string };

const EXAMPLE = "file:///var/backups/iot-seal-replica or s3://my-bucket/iot-seal";

/** Parses a replica URL; a string names what is wrong (for "<field>: <message>"). */
export function parseReplicaUrl(raw: string): ReplicaTarget | string {
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    return `"${raw}" is not a URL: give ${EXAMPLE}`;
  }
  if (u.protocol === "file:") {
    if (u.host && u.host !== "localhost")
      return `a file replica is on this machine: file:///<absolute path>, not file://${u.host}/…`;
    if (u.search || u.hash) return "a file replica URL takes no ?query or #fragment";
    const dir = path.resolve(fileURLToPath(u));
    if (dir === path.parse(dir).root) return "a file replica needs a directory, not the file system's root";
    return { kind: "file", url: `file://${dir}`, dir };
  }
  if (u.protocol === "s3:") {
    const bucket = u.hostname;
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket))
      return `"${bucket}" is not an S3 bucket name (3-63 lowercase letters, digits, dots and hyphens)`;
    if (u.username || u.password || u.port)
      return "credentials go in AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, not in the URL";
    if (u.search || u.hash) return "an S3 replica URL takes no ?query or #fragment (the endpoint goes in S3_ENDPOINT)";
    // Checked on the text as given: URL parsing would quietly resolve "a/../b" to "b".
    const rawPath = raw
      .trim()
      .replace(/^s3:\/\/[^/]*/i, "")
      .replace(/^\/+|\/+$/g, "");
    if (rawPath.split("/").some((seg) => seg === "." || seg === ".." || (seg === "" && rawPath !== "")))
      return "the key prefix must not contain empty, . or .. segments";
    const prefix = decodeURIComponent(u.pathname).replace(/^\/+|\/+$/g, "");
    if (!prefix) return "give a key prefix inside the bucket: s3://<bucket>/<path>";
    return { kind: "s3", url: `s3://${bucket}/${prefix}`, bucket, prefix };
  }
  return `must be file:///<absolute path> or s3://<bucket>/<path> (e.g. ${EXAMPLE}), not ${u.protocol}`;
}

/** The zod form of parseReplicaUrl, for DB_REPLICA and the --replica option. */
export const replicaUrlSchema = z.string().transform((v, ctx): ReplicaTarget => {
  const parsed = parseReplicaUrl(v);
  if (typeof parsed === "string") {
    ctx.addIssue({ code: "custom", message: parsed });
    return z.NEVER;
  }
  return parsed;
});
