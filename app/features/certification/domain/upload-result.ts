/**
 * What an evidence upload answers when its files are attached (the multipart POST and the tus
 * path alike): "Attached 2 files to requirement 5.1-1." A requirement's id alone reads as a count
 * where ids are plain numbers (UK PSTI's "1"), so it is named as a requirement.
 */
export function attachedMessage(count: number, ref: string, alreadyAttached: number): string {
  const files = `${count} file${count === 1 ? "" : "s"}`;
  const already =
    alreadyAttached === 0
      ? ""
      : count === 1
        ? " (it was already attached there)"
        : ` (${alreadyAttached} ${alreadyAttached === 1 ? "was" : "were"} already attached there)`;
  return `Attached ${files} to requirement ${ref}${already}.`;
}
