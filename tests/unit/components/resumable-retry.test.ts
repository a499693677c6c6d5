// Which failed requests of a resumable (tus) upload the browser sends again. tus-js-client's own
// rule retries a 409 and every 5xx: a completion refused for good (the submission's file limit, a
// frozen submission: 409; the evidence store unreachable: 503) then created a new upload and sent
// the whole file again, up to six times. Only what may pass is retried now.
import { describe, expect, it } from "vitest";
import { RESUMABLE_CHUNK_BYTES, retryResumable } from "../../../app/components/EvidenceUploader";

describe("retrying a resumable upload's request", () => {
  it("retries what may pass: a dropped connection, a stalled body cut, a held upload, a rate limit, a moved offset", () => {
    expect(retryResumable(0, "", false)).toBe(true);
    expect(retryResumable(408, "", true)).toBe(true);
    expect(retryResumable(423, "This upload is being sent by another request.", true)).toBe(true);
    expect(retryResumable(429, "Too many requests.", true)).toBe(true);
    expect(retryResumable(409, "Upload-Offset conflict\n", true)).toBe(true);
  });

  it("retries a proxy's 5xx (the portal restarting), not the portal's own", () => {
    expect(retryResumable(502, "<html>Bad Gateway</html>", false)).toBe(true);
    expect(retryResumable(503, "", false)).toBe(true);
    expect(
      retryResumable(503, "The evidence store cannot be reached; nothing was kept. Try again in a few minutes.", true),
    ).toBe(false);
    expect(retryResumable(500, "The upload failed on the server.", true)).toBe(false);
  });

  it("does not retry a refusal with a message: sending the whole file again would be refused again", () => {
    expect(retryResumable(409, "A submission can hold at most 300 files; this one has 300.", true)).toBe(false);
    expect(retryResumable(409, "This submission is submitted: its evidence is frozen.", true)).toBe(false);
    for (const status of [400, 401, 403, 404, 410, 413, 415]) expect(retryResumable(status, "No.", true)).toBe(false);
  });

  it("sends the file in PATCHes of 64 MiB", () => {
    expect(RESUMABLE_CHUNK_BYTES).toBe(64 * 1024 * 1024);
  });
});
