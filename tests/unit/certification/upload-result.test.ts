import { describe, expect, it } from "vitest";
import { attachedMessage, refusedFileMessage } from "../../../app/features/certification/domain/upload-result";

describe("attachedMessage", () => {
  it("names the requirement, so a plain-number id does not read as a count", () => {
    expect(attachedMessage(1, "1", 0)).toBe("Attached 1 file to requirement 1.");
    expect(attachedMessage(3, "5.1-1", 0)).toBe("Attached 3 files to requirement 5.1-1.");
  });

  it("says nothing changed when every file was attached there already", () => {
    expect(attachedMessage(1, "3", 1)).toBe("That file was already attached to requirement 3: nothing changed.");
    expect(attachedMessage(2, "3", 2)).toBe("All 2 files were already attached to requirement 3: nothing changed.");
  });

  it("counts the new files and those that were there already apart", () => {
    expect(attachedMessage(3, "2", 1)).toBe(
      "Attached 2 files to requirement 2; 1 other was already attached there and did not change.",
    );
    expect(attachedMessage(3, "2", 2)).toBe(
      "Attached 1 file to requirement 2; 2 others were already attached there and did not change.",
    );
  });
});

describe("refusedFileMessage", () => {
  it("keeps the short form for a single file", () => {
    expect(refusedFileMessage("notes.txt", "the file is empty.", 1)).toBe("notes.txt: the file is empty.");
  });

  it("says that nothing was attached and which file to leave out when others were chosen with it", () => {
    expect(refusedFileMessage("firmware-update.pdf", "This file is an ELF executable.", 3)).toBe(
      "Nothing was attached: firmware-update.pdf was refused. This file is an ELF executable. Choose the other 2 files again, without firmware-update.pdf.",
    );
    expect(refusedFileMessage("notes.txt", "the file is empty.", 2)).toBe(
      "Nothing was attached: notes.txt was refused. The file is empty. Choose the other file again, without notes.txt.",
    );
  });
});
