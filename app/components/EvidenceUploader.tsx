import { useRevalidator } from "@remix-run/react";
import { useRef, useState, type FormEvent } from "react";
import { formatBytes } from "../platform/format";

/**
 * Uploads evidence files. Without JavaScript it is a plain multipart form posted to the page;
 * with JavaScript the same form is sent by XMLHttpRequest to the JSON endpoint so the upload
 * shows its progress, and the page data is refreshed afterwards.
 */
export function EvidenceUploader({
  endpoint,
  maxFileBytes,
  accept,
  disabled,
}: {
  endpoint: string;
  maxFileBytes: number;
  accept: string;
  disabled?: boolean;
}) {
  const revalidator = useRevalidator();
  const [progress, setProgress] = useState<number | null>(null);
  const [result, setResult] = useState<{ ok: boolean; message: string } | null>(null);
  const formRef = useRef<HTMLFormElement>(null);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    if (typeof XMLHttpRequest === "undefined") return; // let the browser post the form
    event.preventDefault();
    const form = event.currentTarget;
    const body = new FormData(form);
    const files = body.getAll("file").filter((f): f is File => f instanceof File && f.size > 0);
    const tooBig = files.find((f) => f.size > maxFileBytes);
    if (tooBig) {
      setResult({ ok: false, message: `${tooBig.name} is larger than the limit of ${formatBytes(maxFileBytes)}.` });
      return;
    }
    const xhr = new XMLHttpRequest();
    xhr.open("POST", endpoint);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.onprogress = (e) => e.lengthComputable && setProgress(e.loaded / e.total);
    xhr.onload = () => {
      setProgress(null);
      let message = `Upload failed (${xhr.status}).`;
      let ok = false;
      try {
        const json = JSON.parse(xhr.responseText) as { ok: boolean; message: string };
        ok = json.ok;
        message = json.message;
      } catch {
        // keep the generic message
      }
      setResult({ ok, message });
      if (ok) {
        formRef.current?.reset();
        revalidator.revalidate();
      }
    };
    xhr.onerror = () => {
      setProgress(null);
      setResult({ ok: false, message: "The upload was interrupted. Check your connection and try again." });
    };
    setResult(null);
    setProgress(0);
    xhr.send(body);
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
          id="evidence-file"
          name="file"
          type="file"
          multiple
          accept={accept}
          aria-describedby="evidence-file-hint"
          disabled={disabled}
        />
      </div>
      {progress !== null ? (
        <div role="status" aria-live="polite">
          <progress max={1} value={progress} aria-label="Upload progress" />
          <span className="small">Uploading… {Math.round(progress * 100)}%</span>
        </div>
      ) : null}
      {result ? (
        <p
          className={result.ok ? "alert alert--ok" : "alert alert--error"}
          role={result.ok ? "status" : "alert"}
          data-testid="upload-result"
        >
          {result.message}
        </p>
      ) : null}
      <button className="button" type="submit" disabled={disabled || progress !== null}>
        Upload
      </button>
    </form>
  );
}
