/**
 * What an evidence upload answers when its files are attached (the multipart POST and the tus
 * path alike): "Attached 2 files to requirement 5.1-1." A requirement's id alone reads as a count
 * where ids are plain numbers (UK PSTI's "1"), so it is named as a requirement. Files that were
 * already attached to the requirement change nothing, and the answer counts them apart: an upload
 * of only such files says so instead of "Attached".
 */
export function attachedMessage(count: number, ref: string, alreadyAttached: number): string {
  const added = count - alreadyAttached;
  if (added <= 0)
    return count === 1
      ? `That file was already attached to requirement ${ref}: nothing changed.`
      : `All ${count} files were already attached to requirement ${ref}: nothing changed.`;
  const files = `${added} file${added === 1 ? "" : "s"}`;
  const already =
    alreadyAttached === 0
      ? ""
      : `; ${alreadyAttached === 1 ? "1 other was" : `${alreadyAttached} others were`} already attached there and did not change`;
  return `Attached ${files} to requirement ${ref}${already}.`;
}

/**
 * What an upload answers when one of its files is refused. An upload is attached whole or not at
 * all, so with several files chosen the answer says that none was attached and which one to leave
 * out: "Nothing was attached: firmware-update.pdf was refused. This file is an ELF executable, …
 * Choose the other 2 files again, without firmware-update.pdf." A single file keeps the short form
 * ("report.pdf: This file is …"). `shownName` is the file's name as a message shows it; `reason` a
 * sentence.
 */
export function refusedFileMessage(shownName: string, reason: string, filesInUpload: number): string {
  if (filesInUpload <= 1) return `${shownName}: ${reason}`;
  const others = filesInUpload - 1;
  const sentence = reason.charAt(0).toUpperCase() + reason.slice(1);
  return `Nothing was attached: ${shownName} was refused. ${sentence} Choose the other ${others === 1 ? "file" : `${others} files`} again, without ${shownName}.`;
}
