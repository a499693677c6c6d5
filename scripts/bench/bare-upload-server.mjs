// Baseline for the upload benchmark: a bare node:http server that streams the request body
// through SHA-256 into a file: the least any upload path that hashes and stores must do.
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";

const [dir] = process.argv.slice(2);
const server = http.createServer(async (req, res) => {
  const hash = crypto.createHash("sha256");
  const target = `${dir}/bare-${Date.now()}`;
  await pipeline(
    req,
    new Transform({
      highWaterMark: 1 << 20,
      transform(c, _e, cb) {
        hash.update(c);
        cb(null, c);
      },
    }),
    fs.createWriteStream(target, { highWaterMark: 1 << 20 }),
  );
  res.end(JSON.stringify({ sha256: hash.digest("hex") }));
  fs.rmSync(target);
});
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
