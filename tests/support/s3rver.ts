// s3rver (the S3 API server the tests start on 127.0.0.1) with one fix: version 3.7.1 lists nothing
// for a prefix and a delimiter when the keys lie two or more levels below the prefix (its directory
// walk skips the very directories it should fold into CommonPrefixes), so Litestream, which lists
// `<path>/generations/` with "/" to find its generations, finds none ("no matching backups found")
// although the objects are there. S3 and MinIO answer such a listing correctly; here the listing is
// made without the delimiter and folded as S3 folds it.
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import S3rver from "s3rver";

interface ListOptions {
  delimiter?: string;
  prefix?: string;
  maxKeys?: number;
  startAfter?: string;
}
interface Listing {
  objects: { key: string }[];
  commonPrefixes: string[];
  isTruncated: boolean;
}
type Store = { listObjects(bucket: string, options: ListOptions): Promise<Listing> };

let fixed = false;
function foldDelimitedListings(): void {
  if (fixed) return;
  fixed = true;
  const store = createRequire(import.meta.url)("s3rver/lib/stores/filesystem") as { prototype: Store };
  const proto = store.prototype;
  const original = proto.listObjects;
  proto.listObjects = async function (this: Store, bucket: string, options: ListOptions): Promise<Listing> {
    const { delimiter, prefix = "", maxKeys = Infinity } = options;
    if (!delimiter) return original.call(this, bucket, options);
    const all = await original.call(this, bucket, { ...options, delimiter: "", maxKeys: Infinity });
    const commonPrefixes = new Set<string>();
    const objects: Listing["objects"] = [];
    for (const o of all.objects) {
      const idx = o.key.slice(prefix.length).indexOf(delimiter);
      if (idx !== -1) commonPrefixes.add(o.key.slice(0, prefix.length + idx + 1));
      else objects.push(o);
    }
    return {
      objects: objects.slice(0, maxKeys),
      commonPrefixes: [...commonPrefixes].sort(),
      isTruncated: objects.length > maxKeys,
    };
  };
}

export interface TestS3 {
  endpoint: string;
  /** The variables the portal (and Litestream) read for an S3-compatible store. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** An s3rver on 127.0.0.1 (a free port) with `buckets`, in a temporary directory removed by stop(). */
export async function startS3rver(buckets: string[]): Promise<TestS3> {
  foldDelimitedListings();
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "iotseal-s3rver-"));
  const server = new S3rver({
    port: 0,
    address: "127.0.0.1",
    silent: true,
    directory,
    configureBuckets: buckets.map((name) => ({ name, configs: [] })),
  });
  const { port } = (await server.run()) as { port: number };
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    env: {
      S3_ENDPOINT: endpoint,
      S3_REGION: "us-east-1",
      S3_FORCE_PATH_STYLE: "true",
      AWS_ACCESS_KEY_ID: "S3RVER", // s3rver's fixed credentials
      AWS_SECRET_ACCESS_KEY: "S3RVER",
    },
    async stop() {
      await server.close();
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}
