// Baseline for the seal API benchmark: a bare node:http server answering GET /api/v1/seals/<serial>
// from the same SQLite file with one prepared SELECT by serial, and a JSON body with the same
// fields as the real endpoint: serial, status (from the stored state and the expiry date),
// checkedAt, credential (the compact JWS) and subject (the JWS payload's credentialSubject,
// base64url-decoded and parsed on every request, signature NOT checked). No rate limit, no
// security headers, no event history: the least a lookup that answers the same body must do.
// Usage: node bare-seal-server.mjs <path to iot-seal.db>   (prints its port on stdout)
import http from "node:http";
import Database from "better-sqlite3";

const [file] = process.argv.slice(2);
const db = new Database(file, { readonly: true, fileMustExist: true });
const bySerial = db.prepare("select serial, credential, state, valid_until from seals where serial = ?");
const PATH = /^\/api\/v1\/seals\/([^/?]{1,80})/;

const server = http.createServer((req, res) => {
  const m = PATH.exec(req.url ?? "");
  const row = m ? bySerial.get(decodeURIComponent(m[1]).toUpperCase()) : undefined;
  if (!row) {
    res.writeHead(404, { "Content-Type": "application/json; charset=utf-8" }).end('{"status":"not_found"}');
    return;
  }
  const now = Date.now();
  const status = row.state === "active" ? (row.valid_until <= now ? "expired" : "valid") : row.state;
  const payload = JSON.parse(Buffer.from(row.credential.split(".")[1], "base64url").toString("utf8"));
  const text = JSON.stringify({ serial: row.serial, status, checkedAt: new Date(now).toISOString(), credential: row.credential, subject: payload.credentialSubject ?? null });
  res.writeHead(200, { "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(text), "Cache-Control": "no-cache", "Access-Control-Allow-Origin": "*" });
  res.end(text);
});
server.keepAliveTimeout = 65_000;
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
