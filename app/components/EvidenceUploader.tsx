import { useRevalidator } from "@remix-run/react";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { refusedFileMessage } from "../features/certification/domain/upload-result";
import { formatBytes } from "../platform/format";
import { LiveRegion } from "./Field";
import { SubmitButton } from "./SubmitButton";

/** `interrupted`: no answer came (the connection dropped), so the same files may be sent again as chosen. */
type Outcome = { ok: boolean; message: string; interrupted?: boolean };

/** Where and above which size files go through the resumable (tus) upload (decision 032). */
export interface ResumableUpload {
  endpoint: string;
  thresholdBytes: number;
  submissionId: string;
  ref: string;
}

/** The answer's message (JSON from the server), or a generic one. */
function outcomeOf(status: number, text: string): Outcome {
  try {
    const json = JSON.parse(text) as Outcome;
    if (typeof json.message === "string") return { ok: Boolean(json.ok), message: json.message };
  } catch {
    // not JSON: a tus refusal is plain text
  }
  const ok = status >= 200 && status < 300;
  return { ok, message: text.trim() || (ok ? "Uploaded." : `Upload failed (${status}).`) };
}

/**
 * The most one PATCH of a resumable upload carries. Smaller requests each finish well before
 * anything in between (a proxy, the network) gives up on them, and a cut costs at most this much
 * again; each PATCH continues the running hash where the last stopped.
 */
export const RESUMABLE_CHUNK_BYTES = 64 * 1024 * 1024;

/**
 * Whether a failed resumable request is sent again (after HEAD asks where to resume). Only what
 * may pass: no answer (the connection dropped), 408 (the server stopped waiting for a stalled
 * body), 423 (another request still holds the upload), 429, tus's own 409 (the offset moved), and
 * a 5xx that did not come from the upload endpoint (a proxy in front while the portal restarts;
 * the endpoint's answers carry Tus-Resumable). Every other answer is the portal refusing with a
 * message (quota, size, a frozen submission, the file limit, a file it will not accept, the
 * evidence store unreachable): sending the file again would be refused again, after the whole file.
 */
export function retryResumable(status: number, body: string, fromEndpoint: boolean): boolean {
  if (status === 0 || status === 408 || status === 423 || status === 429) return true;
  if (status === 409) return body.startsWith("Upload-Offset conflict");
  if (status >= 500) return !fromEndpoint;
  return false;
}

/** Posts files as multipart to the JSON endpoint, reporting the bytes sent. */
function sendMultipart(endpoint: string, body: FormData, onProgress: (sent: number) => void): Promise<Outcome> {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", endpoint);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.onprogress = (e) => onProgress(e.loaded);
    xhr.onload = () => resolve(outcomeOf(xhr.status, xhr.responseText));
    xhr.onerror = () =>
      resolve({
        ok: false,
        interrupted: true,
        message: "The upload was interrupted. Check your connection and try again.",
      });
    xhr.send(body);
  });
}

/**
 * Sends one file with the tus protocol: in PATCHes of RESUMABLE_CHUNK_BYTES, resumed from the
 * server's offset after a cut (retried with growing delays, see retryResumable), and after a reload
 * from the upload URL kept in localStorage under a fingerprint of the file and the requirement.
 * tus-js-client is loaded only when a large file is sent.
 */
async function sendResumable(
  target: ResumableUpload,
  file: File,
  onProgress: (sent: number) => void,
): Promise<Outcome> {
  const { Upload } = await import("tus-js-client");
  return new Promise((resolve) => {
    const upload = new Upload(file, {
      endpoint: target.endpoint,
      retryDelays: [0, 1000, 3000, 5000, 10000, 20000],
      chunkSize: RESUMABLE_CHUNK_BYTES,
      onShouldRetry: (error) => {
        const response = error.originalResponse;
        const online = typeof navigator === "undefined" || navigator.onLine !== false; // as tus-js-client's default
        if (!response) return online; // no answer: the connection dropped
        const fromEndpoint = Boolean(response.getHeader("Tus-Resumable"));
        return online && retryResumable(response.getStatus(), response.getBody() ?? "", fromEndpoint);
      },
      metadata: { submissionId: target.submissionId, ref: target.ref, filename: file.name },
      fingerprint: async (f) =>
        ["iotseal-evidence", target.submissionId, target.ref, f.name, f.size, f.lastModified].join("/"),
      storeFingerprintForResuming: true,
      removeFingerprintOnSuccess: true,
      onProgress: (sent) => onProgress(sent),
      onSuccess: ({ lastResponse }) => resolve(outcomeOf(lastResponse.getStatus(), lastResponse.getBody() ?? "")),
      onError: (error) => {
        const response = "originalResponse" in error ? error.originalResponse : null;
        resolve(
          response
            ? outcomeOf(response.getStatus(), response.getBody() ?? "")
            : {
                ok: false,
                interrupted: true,
                message: "The upload was interrupted. Choose the file again to resume where it stopped.",
              },
        );
      },
    });
    void upload.findPreviousUploads().then((previous) => {
      if (previous.length) upload.resumeFromPreviousUpload(previous[0]);
      upload.start();
    });
  });
}

/**
 * Uploads evidence files. Without JavaScript it is a plain multipart form posted to the page;
 * with JavaScript the same form is sent by XMLHttpRequest to the JSON endpoint so the upload
 * shows its progress, and the page data is refreshed afterwards. Files above the resumable
 * threshold go one by one through the tus endpoint instead, resuming after a cut.
 */
export function EvidenceUploader({
  endpoint,
  maxFileBytes,
  accept,
  disabled,
  resumable,
}: {
  endpoint: string;
  maxFileBytes: number;
  accept: string;
  disabled?: boolean;
  resumable?: ResumableUpload;
}) {
  const revalidator = useRevalidator();
  const [progress, setProgress] = useState<number | null>(null);
  const [result, setResult] = useState<Outcome | null>(null);
  const formRef = useRef<HTMLFormElement>(null);
  const fileRef = useRef<HTMLInputElement>(null);
  const refused = result !== null && !result.ok;
  // A refusal takes the keyboard to the file input it is tied to, to choose again (WCAG 3.3.1).
  useEffect(() => {
    if (refused) fileRef.current?.focus();
  }, [refused, result]);

  async function send(files: File[]) {
    const large = resumable ? files.filter((f) => f.size > resumable.thresholdBytes) : [];
    const small = files.filter((f) => !large.includes(f));
    const total = files.reduce((n, f) => n + f.size, 0) || 1;
    let done = 0;
    const outcomes: Outcome[] = [];
    for (const file of large) {
      const outcome = await sendResumable(resumable!, file, (sent) => setProgress((done + sent) / total));
      outcomes.push(outcome);
      done += file.size;
      if (!outcome.ok) break;
    }
    if (small.length && outcomes.every((o) => o.ok)) {
      const body = new FormData();
      body.set("intent", "upload");
      for (const f of small) body.append("file", f);
      outcomes.push(await sendMultipart(endpoint, body, (sent) => setProgress(Math.min(1, (done + sent) / total))));
    }
    // Files sent without any selected (an empty input) still go to the server, which says so.
    if (!files.length) outcomes.push(await sendMultipart(endpoint, new FormData(formRef.current!), () => {}));
    const ok = outcomes.every((o) => o.ok);
    setProgress(null);
    setResult({ ok, message: outcomes.map((o) => o.message).join(" ") });
    if (outcomes.some((o) => o.ok)) revalidator.revalidate();
    // Attached, or refused by the server (nothing of that batch kept): the files are chosen again, so the input is
    // emptied; after a cut connection they stay chosen, to send again as they are.
    if (!outcomes.some((o) => o.interrupted)) formRef.current?.reset();
  }

  /** A refusal before anything is sent: as the server would answer it, and the files to choose again. */
  function refuseBeforeSending(name: string, reason: string, chosen: number) {
    setResult({ ok: false, message: refusedFileMessage(name, reason, chosen) });
    formRef.current?.reset();
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    if (typeof XMLHttpRequest === "undefined") return; // let the browser post the form
    event.preventDefault();
    const body = new FormData(event.currentTarget);
    const chosen = body.getAll("file").filter((f): f is File => f instanceof File && f.name !== "");
    // As without JavaScript (the server refuses the whole upload): an empty file is named, nothing sent.
    const empty = chosen.find((f) => f.size === 0);
    if (empty) return refuseBeforeSending(empty.name, "the file is empty.", chosen.length);
    const files = chosen;
    const tooBig = files.find((f) => f.size > maxFileBytes);
    if (tooBig)
      return refuseBeforeSending(
        tooBig.name,
        `the file is larger than the limit of ${formatBytes(maxFileBytes)}.`,
        chosen.length,
      );
    setResult(null);
    setProgress(0);
    void send(files);
  }

  return (
    <form
      method="post"
      encType="multipart/form-data"
      className="uploader"
      onSubmit={onSubmit}
      ref={formRef}
      aria-label="Upload evidence"
    >
      <input type="hidden" name="intent" value="upload" />
      <div className="field">
        <label htmlFor="evidence-file">Add evidence files</label>
        <p className="field__hint" id="evidence-file-hint">
          PDF, PNG, JPEG, text, JSON, CSV, ZIP or pcap; up to {formatBytes(maxFileBytes)} each; several at once. The
          type is checked from the file's content.
        </p>
        <input
          ref={fileRef}
          id="evidence-file"
          name="file"
          type="file"
          multiple
          accept={accept}
          aria-describedby={refused ? "evidence-file-hint evidence-file-error" : "evidence-file-hint"}
          aria-invalid={refused ? true : undefined}
          disabled={disabled}
        />
      </div>
      {/* On the page before the upload starts, so that "Uploading…" and the outcome are announced when they come.
          The percentage is shown, not announced at each step. */}
      <LiveRegion>
        {progress !== null ? (
          <div>
            <progress max={1} value={progress} aria-label="Upload progress" />{" "}
            <span className="small">
              Uploading… <span aria-hidden="true">{Math.round(progress * 100)}%</span>
            </span>
          </div>
        ) : null}
        {result?.ok ? (
          <p className="alert alert--ok" role="status" data-testid="upload-result">
            {result.message}
          </p>
        ) : null}
      </LiveRegion>
      {/* A refusal is an alert: announced on its own, at once. */}
      {result && !result.ok ? (
        <p className="alert alert--error" role="alert" data-testid="upload-result" id="evidence-file-error">
          {result.message}
        </p>
      ) : null}
      <SubmitButton className="button" busy={progress !== null} disabled={disabled}>
        Upload
      </SubmitButton>
    </form>
  );
}
