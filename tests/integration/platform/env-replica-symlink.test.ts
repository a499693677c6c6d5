// DB_REPLICA must not be inside DATA_DIR (a replica there is lost with the disk it protects).
// parseEnv refuses it for the paths as written; start-up (getEnv) refuses it too when a symbolic
// link hides it: DATA_DIR a link to the directory that holds the replica, or the replica's
// directory a link into DATA_DIR.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { replicaInsideDataDirProblem } from "../../../app/platform/env.server";
import { parseReplicaUrl, type ReplicaTarget } from "../../../app/platform/replica-url";

const scratch = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "iotseal-env-link-")));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));
const replica = (dir: string) => parseReplicaUrl(`file://${dir}`) as ReplicaTarget;

describe("a file replica inside DATA_DIR through a symbolic link", () => {
  const data = path.join(scratch, "data");
  const elsewhere = path.join(scratch, "other-disk");
  fs.mkdirSync(data);
  fs.mkdirSync(elsewhere);

  it("is refused when DATA_DIR is a link to the directory that holds the replica", () => {
    const link = path.join(scratch, "data-link");
    fs.symlinkSync(data, link);
    const problem = replicaInsideDataDirProblem(link, replica(path.join(data, "replica")));
    expect(problem).toContain(`DB_REPLICA: is inside DATA_DIR (${link}) through a symbolic link`);
    expect(problem).toContain("put it on another disk or in S3");
  });

  it("is refused when the replica's path goes through a link into DATA_DIR, even before the replica exists", () => {
    const link = path.join(scratch, "backups");
    fs.symlinkSync(data, link);
    expect(replicaInsideDataDirProblem(data, replica(path.join(link, "not-made-yet", "replica")))).toContain(
      `is ${path.join(data, "not-made-yet", "replica")}, DATA_DIR is ${data}`,
    );
  });

  it("lets a replica elsewhere, in S3, or none pass", () => {
    expect(replicaInsideDataDirProblem(data, replica(path.join(elsewhere, "replica")))).toBeNull();
    expect(replicaInsideDataDirProblem(data, parseReplicaUrl("s3://bucket/iot-seal") as ReplicaTarget)).toBeNull();
    expect(replicaInsideDataDirProblem(data, undefined)).toBeNull();
    // A sibling whose name starts with DATA_DIR's is not inside it.
    expect(replicaInsideDataDirProblem(data, replica(`${data}-replica`))).toBeNull();
  });
});
