// Read-only access to the e2e server's database, to find the ids the demo seed created.
import Database from "better-sqlite3";

export function e2eDb() {
  return new Database(".e2e-data/data/iot-seal.db", { readonly: true, fileMustExist: true });
}

export function seeded() {
  const db = e2eDb();
  try {
    const watch = db
      .prepare(
        `select s.id as submissionId, p.id as productId from submissions s join product_versions v on v.id = s.product_version_id join products p on p.id = v.product_id where p.model = 'GW-KW3'`,
      )
      .get() as { submissionId: string; productId: string };
    const link = db.prepare(`select id from evidence_links where submission_id = ? order by linked_at limit 1`).get(watch.submissionId) as { id: string };
    return { ...watch, linkId: link.id };
  } finally {
    db.close();
  }
}
