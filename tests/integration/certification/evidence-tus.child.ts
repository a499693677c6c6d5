// A second process of evidence-tus-concurrency.test.ts (as a second node:cluster worker would be),
// run with `node --import tsx`: serves the resumable upload endpoint on the test's data directory
// (DATA_DIR, inherited) and prints "PORT <port>" once it listens.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tusUploads } from "../../../app/features/certification/evidence-tus.server";
import { db } from "../../../app/platform/db.server";
import { wireEvents } from "../../../app/system/wiring.server";

db(); // migrated already by the test (as the cluster's primary does before forking)
wireEvents();
const server = http.createServer((req, res) => {
  if (!tusUploads(req, res, { ip: "127.0.0.1" })) res.writeHead(404).end();
});
server.listen(0, "127.0.0.1", () => console.log(`PORT ${(server.address() as AddressInfo).port}`));
