// Baseline for the seal API benchmark: a bare node:http server answering GET /api/v1/seals/<serial>
// from the same SQLite file with one prepared SELECT by serial, and a JSON body with the same
// fields as the real endpoint: serial, status (from the stored state and the expiry date),
// checkedAt, credential (the compact JWS) and subject (the JWS payload's credentialSubject,
// base64url-decoded and parsed on every request, signature NOT checked) and advisories (the
// product's public security advisories: one more prepared SELECT and the disclosure rules inline).
// No rate limit, no security headers, no event history: the least a lookup that answers the same
// body must do.
// Usage: node bare-seal-server.mjs <path to iot-seal.db>   (prints its port on stdout)
import http from "node:http";
import Database from "better-sqlite3";

const [file] = process.argv.slice(2);
const db = new Database(file, { readonly: true, fileMustExist: true });
const bySerial = db.prepare("select serial, credential, state, valid_until from seals where serial = ?");
const PATH = /^\/api\/v1\/seals\/([^/?]{1,80})/;
const maybePublic =
  db.prepare(`select f.advisory_id as id, f.title, f.severity, f.status, f.reported_at as reported, f.deadline, f.verified_at as verified, f.published_at as published, f.fixed_in_version as fixedIn, f.created_at as recorded,
  case when f.status = 'withdrawn' then (select min(wu.at) from finding_updates wu where wu.finding_id = f.id and wu.kind = 'withdrawn') end as withdrawnAt,
  (select json_group_array(json_object('hardwareRevision', av.hardware_revision, 'firmwareVersion', av.firmware_version)) from finding_versions fv join product_versions av on av.id = fv.product_version_id where fv.finding_id = f.id) as versions
  from seals s join product_versions v on v.id = s.product_version_id join findings f on f.product_id = v.product_id
  where s.serial = ? and ((f.status = 'verified_fixed' and f.verified_at <= ?) or f.published_at <= ? or f.deadline < ?)`);
const day = (ms) => new Date(ms).toISOString().slice(0, 10);
const byVersion = (x, y) => x.localeCompare(y, "en", { numeric: true });

function advisories(serial, now) {
  const out = [];
  for (const f of maybePublic.all(serial, now, now, now)) {
    if (!f.id) continue;
    // A withdrawn report stays public (marked) if it was public before its withdrawal; never without its date.
    const withdrawn = f.status === "withdrawn" ? f.withdrawnAt : null;
    if (f.status === "withdrawn" && withdrawn === null) continue;
    const at = withdrawn !== null ? Math.min(withdrawn, now) : now;
    const certified = f.status === "verified_fixed" && f.verified !== null && f.verified <= at ? f.verified : null;
    // The deadline discloses it, but never before the report was recorded in the portal.
    const recorded = f.recorded ?? f.deadline;
    const moments = [
      certified !== null && [certified, "fix_certified"],
      f.published !== null && f.published <= at && [f.published, "published_by_supplier"],
      at > f.deadline && at >= recorded && [Math.max(f.deadline, recorded), "deadline_passed"],
    ].filter(Boolean);
    if (!moments.length) continue;
    const [since, reason] = moments.reduce((a, b) => (b[0] < a[0] ? b : a));
    const versions = JSON.parse(f.versions);
    out.push({
      since,
      a: {
        advisoryId: f.id,
        title: f.title,
        severity: f.severity,
        affectedVersions: [...new Set(versions.map((v) => v.firmwareVersion))].sort(byVersion),
        affected: versions.sort(
          (x, y) =>
            byVersion(x.hardwareRevision, y.hardwareRevision) || byVersion(x.firmwareVersion, y.firmwareVersion),
        ),
        fixedInVersion: certified !== null ? f.fixedIn : null,
        reportedOn: day(f.reported),
        fixedOn: certified !== null ? day(certified) : null,
        disclosedOn: day(since),
        reason,
        withdrawnOn: withdrawn !== null ? day(withdrawn) : null,
      },
    });
  }
  return out.sort((x, y) => y.since - x.since || (y.a.advisoryId < x.a.advisoryId ? -1 : 1)).map((x) => x.a);
}

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
  const text = JSON.stringify({
    serial: row.serial,
    status,
    checkedAt: new Date(now).toISOString(),
    credential: row.credential,
    subject: payload.credentialSubject ?? null,
    advisories: advisories(row.serial, now),
  });
  res.writeHead(200, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
    "Cache-Control": "no-cache",
    "Access-Control-Allow-Origin": "*",
  });
  res.end(text);
});
server.keepAliveTimeout = 65_000;
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
