import { describe, expect, it } from "vitest";
import { attachedMessage } from "../../../app/features/certification/domain/upload-result";

describe("attachedMessage", () => {
  it("names the requirement, so a plain-number id does not read as a count", () => {
    expect(attachedMessage(1, "1", 0)).toBe("Attached 1 file to requirement 1.");
    expect(attachedMessage(3, "5.1-1", 0)).toBe("Attached 3 files to requirement 5.1-1.");
  });

  it("says which of the files were there already", () => {
    expect(attachedMessage(1, "3", 1)).toBe("Attached 1 file to requirement 3 (it was already attached there).");
    expect(attachedMessage(3, "2", 1)).toBe("Attached 3 files to requirement 2 (1 was already attached there).");
    expect(attachedMessage(2, "2", 2)).toBe("Attached 2 files to requirement 2 (2 were already attached there).");
  });
});
