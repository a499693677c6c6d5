import fs from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import {
  bodySpillDir,
  FORM_MAX_BYTES,
  readForm,
  readStreamBody,
  sweepBodySpills,
} from "../../../app/platform/http/request-body.server";
import { dataDir } from "../../setup/unit-env";

const KiB = 1024;
const MiB = 1024 * KiB;

/** A body of `total` bytes (Infinity: endless), generated as it is pulled; `pulled()` says how much was. */
function endless(total = Infinity, prefix = "") {
  let pulled = 0;
  const chunk = new Uint8Array(64 * KiB).fill(0x61);
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled === 0 && prefix) controller.enqueue(new TextEncoder().encode(prefix));
      if (pulled >= total) return controller.close();
      pulled += chunk.length;
      controller.enqueue(chunk);
    },
  });
  return { stream, pulled: () => pulled };
}

const chunkedPost = (body: ReadableStream<Uint8Array>, type: string) =>
  new Request("http://localhost/x", {
    method: "POST",
    body,
    headers: { "content-type": type },
    duplex: "half",
  } as RequestInit);

describe("issue 13.1: an anonymous request can fill the server's memory", () => {
  it("refuses a chunked form past the limit while it streams, with a 413 and a message, reading no more than the limit", async () => {
    const body = endless(Infinity, "a=");
    const refusal = await readForm(chunkedPost(body.stream, "application/x-www-form-urlencoded")).catch(
      (e: unknown) => e,
    );
    expect(refusal).toBeInstanceOf(Response);
    const r = refusal as Response;
    expect(r.status).toBe(413);
    expect(r.headers.get("connection")).toBe("close");
    expect(await r.json()).toEqual({ message: "The request is larger than the limit of 256 KiB." });
    // What was pulled: the limit, one chunk past it, and the stream's own small queue.
    expect(body.pulled()).toBeLessThan(FORM_MAX_BYTES + 256 * KiB);
  });

  it("takes a route's own limit and message (a file upload)", async () => {
    const body = endless(Infinity);
    const r = (await readForm(chunkedPost(body.stream, "multipart/form-data; boundary=x"), {
      limit: 2 * MiB,
      message: "The file is larger than 2 MiB.",
    }).catch((e: unknown) => e)) as Response;
    expect(r.status).toBe(413);
    expect(await r.json()).toEqual({ message: "The file is larger than 2 MiB." });
    expect(body.pulled()).toBeLessThan(2 * MiB + 256 * KiB);
  });

  it("refuses a declared Content-Length over the limit before reading", async () => {
    const body = endless(Infinity);
    const req = new Request("http://localhost/x", {
      method: "POST",
      body: body.stream,
      headers: { "content-type": "application/x-www-form-urlencoded", "content-length": String(10 * MiB) },
      duplex: "half",
    } as RequestInit);
    const r = (await readForm(req).catch((e: unknown) => e)) as Response;
    expect(r.status).toBe(413);
    expect(body.pulled()).toBeLessThanOrEqual(64 * KiB);
  });

  it("reads a form within the limit as before: url-encoded and multipart with a file", async () => {
    const plain = await readForm(
      new Request("http://localhost/x", {
        method: "POST",
        body: "email=a%40b.test&name=Ada",
        headers: { "content-type": "application/x-www-form-urlencoded" },
      }),
    );
    expect(Object.fromEntries(plain)).toEqual({ email: "a@b.test", name: "Ada" });
    const data = new FormData();
    data.append("intent", "csv");
    data.append("file", new File(["serial\nIOTS-0000-0000\n"], "list.csv", { type: "text/csv" }));
    const withFile = await readForm(new Request("http://localhost/x", { method: "POST", body: data }), { limit: MiB });
    expect(withFile.get("intent")).toBe("csv");
    expect(await (withFile.get("file") as File).text()).toBe("serial\nIOTS-0000-0000\n");
  });

  it("spills a body above 1 MiB to a temporary file while it streams: read back intact within the limit, the file gone after, and gone after a refusal too", async () => {
    const leftovers = () => (fs.existsSync(bodySpillDir()) ? fs.readdirSync(bodySpillDir()) : []);
    const before = leftovers();
    // 3 MiB that differ byte by byte, so a chunk out of place would show.
    const bytes = new Uint8Array(3 * MiB + 17).map((_, i) => (i * 7 + (i >> 12)) & 0xff);
    const data = new FormData();
    data.append("intent", "pdf");
    data.append("pdf", new File([bytes], "seal.pdf", { type: "application/pdf" }));
    const form = await readForm(new Request("http://localhost/x", { method: "POST", body: data }), {
      limit: 10 * MiB,
    });
    expect(form.get("intent")).toBe("pdf");
    const back = new Uint8Array(await (form.get("pdf") as File).arrayBuffer());
    expect(back.length).toBe(bytes.length);
    expect(Buffer.compare(Buffer.from(back), Buffer.from(bytes))).toBe(0);
    expect(leftovers()).toEqual(before);
    // Refused at the limit after the spill began: a 413, and no file left behind.
    let pulled = 0;
    let spilledTo: string[] = [];
    const endlessFresh = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 64 * KiB;
        // Mid-stream, past 1 MiB: the body is in a file of its own in the data directory, readable by the portal alone.
        if (pulled === 3 * MiB)
          spilledTo = leftovers().map((f) => {
            const file = path.join(bodySpillDir(), f);
            return `${path.relative(dataDir, file).replace(/[\w-]{36}$/, "<uuid>")} ${(fs.statSync(file).mode & 0o777).toString(8)}`;
          });
        controller.enqueue(new Uint8Array(64 * KiB).fill(0x62));
      },
    });
    const r = (await readForm(chunkedPost(endlessFresh, "multipart/form-data; boundary=x"), {
      limit: 4 * MiB,
    }).catch((e: unknown) => e)) as Response;
    expect(r.status).toBe(413);
    expect(pulled).toBeLessThan(4 * MiB + 256 * KiB);
    expect(spilledTo).toContain("tmp/bodies/iotseal-body-<uuid> 600");
    expect(leftovers()).toEqual(before);
  });

  it("a spilled body a killed process left behind is swept once nothing has written to it for 10 minutes; one being received is not", () => {
    fs.mkdirSync(bodySpillDir(), { recursive: true });
    const old = path.join(bodySpillDir(), "iotseal-body-left-by-a-killed-process");
    const live = path.join(bodySpillDir(), "iotseal-body-still-arriving");
    const other = path.join(bodySpillDir(), "not-a-body");
    for (const f of [old, live, other]) fs.writeFileSync(f, "x");
    const t = Date.now();
    fs.utimesSync(old, new Date(t - 11 * 60_000), new Date(t - 11 * 60_000));
    fs.utimesSync(live, new Date(t - 60_000), new Date(t - 60_000));
    expect(sweepBodySpills(10 * 60_000, t)).toEqual([old]);
    expect(fs.existsSync(live) && fs.existsSync(other)).toBe(true);
    for (const f of [live, other]) fs.rmSync(f);
  });

  it("answers a body that is not a form with a 415 and a message, not a 500; an empty POST is an empty form", async () => {
    const json = (await readForm(
      new Request("http://localhost/x", {
        method: "POST",
        body: "{}",
        headers: { "content-type": "application/json" },
      }),
    ).catch((e: unknown) => e)) as Response;
    expect(json.status).toBe(415);
    expect((await json.json()).message).toMatch(/x-www-form-urlencoded or multipart\/form-data/);
    const broken = (await readForm(
      new Request("http://localhost/x", {
        method: "POST",
        body: "garbage",
        headers: { "content-type": "multipart/form-data; boundary=x" },
      }),
    ).catch((e: unknown) => e)) as Response;
    expect(broken.status).toBe(400);
    expect([...(await readForm(new Request("http://localhost/x", { method: "POST" })))]).toEqual([]);
  });

  it("bounds a raw Node stream (the fast routes) the same way: null past the limit, after reading no more than that", async () => {
    let pulled = 0;
    const chunk = Buffer.alloc(64 * KiB, 0x61);
    const source = new Readable({
      read() {
        pulled += chunk.length;
        this.push(chunk);
      },
    });
    expect(await readStreamBody(source, MiB)).toBeNull();
    expect(pulled).toBeLessThan(MiB + 256 * KiB);
    expect(
      (
        await readStreamBody(Readable.from([Buffer.from("serial\n"), Buffer.from("IOTS-0000-0000\n")]), MiB)
      )?.toString(),
    ).toBe("serial\nIOTS-0000-0000\n");
  });

  it("spills a raw Node stream above 1 MiB the same way: intact within the limit, stopped past it, no file left behind", async () => {
    const leftovers = () => (fs.existsSync(bodySpillDir()) ? fs.readdirSync(bodySpillDir()) : []);
    const before = leftovers();
    const parts = Array.from({ length: 50 }, (_, i) => Buffer.alloc(64 * KiB + i, i));
    const whole = await readStreamBody(Readable.from(parts), 10 * MiB);
    expect(whole && Buffer.compare(whole, Buffer.concat(parts))).toBe(0);
    let pulled = 0;
    const endlessSource = new Readable({
      read() {
        pulled += 64 * KiB;
        this.push(Buffer.alloc(64 * KiB, 0x63));
      },
    });
    expect(await readStreamBody(endlessSource, 3 * MiB)).toBeNull();
    expect(pulled).toBeLessThan(3 * MiB + 256 * KiB);
    // Stopped, not drained: nothing more is pulled afterwards.
    await new Promise((r) => setTimeout(r, 50));
    expect(pulled).toBeLessThan(3 * MiB + 256 * KiB);
    expect(leftovers()).toEqual(before);
  });

  it("no route reads a body except through the bounded reader", () => {
    const dir = path.resolve("app/routes");
    const unbounded =
      /\brequest\.(formData|text|json|arrayBuffer|blob)\(|unstable_parseMultipartFormData|\brequest\.body\b/;
    const offenders = fs
      .readdirSync(dir)
      .filter((f) => unbounded.test(fs.readFileSync(path.join(dir, f), "utf8")))
      .sort();
    expect(offenders).toEqual([]);
  });
});
